# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter of playbooks/status.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.module_utils._status import summarize_status


def status_lines(o2cb_by_host, findmnt_by_host, cluster_name, hosts):
    return summarize_status(cluster_name, list(hosts), dict(o2cb_by_host), dict(findmnt_by_host))


class FilterModule(object):
    def filters(self):
        return {"status_lines": status_lines}
