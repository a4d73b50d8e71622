# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the outage role: what stops a planned outage, and its plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.plugin_utils import _outage


def outage_problems(nodes, mounted_nodes, settings):
    return _outage.outage_problems(list(nodes), list(mounted_nodes), dict(settings))


def outage_plan(nodes, settings):
    return _outage.outage_plan(list(nodes), dict(settings))


def outage_users(ps_stdout):
    return _outage.parse_users(ps_stdout or "")


class FilterModule(object):
    def filters(self):
        return {"outage_problems": outage_problems, "outage_plan": outage_plan,
                "outage_users": outage_users}
