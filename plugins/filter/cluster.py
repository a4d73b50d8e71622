# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the cluster role: plan the nodes of cluster.conf, and render the file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.plugin_utils._cluster import (
    cluster_name_problems, o2cb_timeout_problems, parse_ip_addresses, plan_cluster_heartbeat,
    plan_cluster_nodes, render_cluster_conf, running_timeout_problems)


def cluster_nodes(members, cluster_name, group="ocfs2_nodes"):
    try:
        return plan_cluster_nodes(list(members), cluster_name, group)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def cluster_nodes_without(members, removed_host, cluster_name, group="ocfs2_nodes"):
    try:
        return plan_cluster_nodes(list(members), cluster_name, group, removing=[removed_host])
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def cluster_heartbeat(members, cluster_name):
    try:
        return plan_cluster_heartbeat(list(members), cluster_name)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def cluster_conf(nodes, cluster_name, heartbeat=None):
    return render_cluster_conf(cluster_name, list(nodes), heartbeat)


def ip_addresses(text):
    return parse_ip_addresses(text)


def o2cb_timeouts_problems(timeouts_by_host):
    return o2cb_timeout_problems(dict(timeouts_by_host))


def cluster_names_problems(names_by_host):
    return cluster_name_problems(dict(names_by_host))


def o2cb_running_timeout_problems(members, wanted, cluster_name):
    return running_timeout_problems(dict(wanted), dict(
        (member["host"], member.get("timeouts") or {}) for member in members), cluster_name)


class FilterModule(object):
    def filters(self):
        return {"cluster_nodes": cluster_nodes, "cluster_nodes_without": cluster_nodes_without,
                "cluster_heartbeat": cluster_heartbeat,
                "cluster_conf": cluster_conf,
                "ip_addresses": ip_addresses, "o2cb_timeout_problems": o2cb_timeouts_problems,
                "cluster_name_problems": cluster_names_problems,
                "o2cb_running_timeout_problems": o2cb_running_timeout_problems}
