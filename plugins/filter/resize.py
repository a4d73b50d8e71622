# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the resize role: what stops a resize, and its plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.plugin_utils._resize import (
    disagreements, node_problems, plan)


def resize_problems(node, settings):
    try:
        return node_problems(node, settings)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def resize_disagreements(nodes):
    return disagreements(list(nodes))


def resize_plan(nodes, settings):
    return plan(list(nodes), settings)


class FilterModule(object):
    def filters(self):
        return {"resize_problems": resize_problems, "resize_disagreements": resize_disagreements,
                "resize_plan": resize_plan}
