# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters of playbooks/status.yml: the cluster's health report, and its table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._health import (
    health_lines as _health_lines, health_report as _health_report)


def health_report(reported, cluster_name, hosts, expected):
    return _health_report(cluster_name, list(hosts), dict(expected), dict(reported))


def health_lines(report):
    return _health_lines(dict(report))


class FilterModule(object):
    def filters(self):
        return {"health_report": health_report, "health_lines": health_lines}
