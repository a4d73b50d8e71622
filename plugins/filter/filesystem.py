# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the filesystem role: check its variables, plan a mount point move, and find
mounts that udev would take away by renaming their partition map."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_point_problem, plan_mount_move)
from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import (
    node_slots_problem, rename_problem, slot_shortage)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError


def filesystem_input_problems(variables, hosts, group="ocfs2_nodes"):
    problems = [
        mount_point_problem(variables.get("filesystem_mount_point"), "filesystem_mount_point"),
        node_slots_problem(variables.get("filesystem_node_slots"), int(hosts),
                           "filesystem_node_slots", group),
    ]
    return [problem for problem in problems if problem]


def filesystem_mount_moves(mounts, uuid, mount_point, move=False):
    try:
        return plan_mount_move(list(mounts), uuid, mount_point, bool(move),
                               "filesystem_mount_point", "filesystem_move_mount")
    except ToolError as error:
        raise AnsibleFilterError(str(error))


def partition_map_rename_problems(results):
    problems = []
    for result in results:
        problem = rename_problem(result.get("mount"), (result.get("filesystem") or {}).get("uuid"))
        if problem:
            problems.append(problem)
    return problems


def filesystem_slot_problems(filesystem, node_names):
    """[] or the one sentence of slot_shortage(); [] when there is no filesystem yet."""
    if not filesystem:
        return []
    problem = slot_shortage(filesystem, list(node_names))
    return [problem] if problem else []


class FilterModule(object):
    def filters(self):
        return {"filesystem_input_problems": filesystem_input_problems,
                "filesystem_mount_moves": filesystem_mount_moves,
                "filesystem_slot_problems": filesystem_slot_problems,
                "partition_map_rename_problems": partition_map_rename_problems}
