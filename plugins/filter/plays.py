# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the roles' preflights: the play covers the group it manages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._plays import (
    play_coverage_problem as _play_coverage_problem)


def play_coverage_problem(play_hosts, group_name, group_hosts, consequence):
    return _play_coverage_problem(list(play_hosts), group_name, list(group_hosts), consequence)


class FilterModule(object):
    def filters(self):
        return {"play_coverage_problem": play_coverage_problem}
