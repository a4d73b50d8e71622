# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the upgrade role: what stops a rolling upgrade, its plan and order, what each
node does, whether it reboots, and its versions before and after."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.plugin_utils import _upgrade


def upgrade_problems(nodes, settings):
    return _upgrade.upgrade_problems(list(nodes), dict(settings))


def upgrade_plan(nodes, settings):
    return _upgrade.upgrade_plan(list(nodes), dict(settings))


def upgrade_order(nodes):
    return _upgrade.upgrade_order(list(nodes))


def upgrade_action(node):
    return _upgrade.node_action(dict(node))


def upgrade_reboot_needed(boot_files, mode, running, reboot_required_file_exists):
    try:
        return _upgrade.reboot_decision(mode, running, _upgrade.boot_kernels(list(boot_files)),
                                        bool(reboot_required_file_exists))
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def upgrade_back_problems(found, settings):
    return _upgrade.back_problems(dict(found), dict(settings))


def upgrade_versions(name, before_stdout, after_stdout, kernel_before, kernel_after,
                     boot_files=()):
    return _upgrade.upgrade_versions(name, before_stdout or "", after_stdout or "",
                                     kernel_before, kernel_after, list(boot_files or []))


class FilterModule(object):
    def filters(self):
        return {"upgrade_problems": upgrade_problems, "upgrade_plan": upgrade_plan,
                "upgrade_order": upgrade_order, "upgrade_action": upgrade_action,
                "upgrade_reboot_needed": upgrade_reboot_needed,
                "upgrade_back_problems": upgrade_back_problems,
                "upgrade_versions": upgrade_versions}
