#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: o2cb_info
short_description: Read the state of the O2CB cluster stack on a node
version_added: 0.1.0
description:
  - Reports whether the cluster is online on this node, its heartbeat mode, the nodes
    registered in configfs (C(/sys/kernel/config/cluster/NAME/node/)) and the nodes of the
    cluster description, counting the cluster online the way C(o2cb cluster-status) does.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  cluster_name:
    description: The cluster, as named in O(config_file). 1 to 16 letters and digits.
    type: str
    required: true
  config_file:
    description: The cluster description.
    type: path
    default: /etc/ocfs2/cluster.conf
seealso:
  - module: ocfs2.cluster.o2cb
extends_documentation_fragment:
  - ocfs2.cluster.attributes.info_module
requirements:
  - ocfs2-tools 1.8 (o2cb).
"""

EXAMPLES = r"""
- name: Read the state of the cluster
  ocfs2.cluster.o2cb_info:
    cluster_name: ocfs2lab
  register: o2cb_state

- name: Check that every node of cluster.conf is registered, and only those or removed ones
  ansible.builtin.assert:
    that:
      - o2cb_state.online
      - o2cb_state.nodes | map(attribute='name') | difference(o2cb_state.removed_nodes) | sort
        == o2cb_state.config_nodes | map(attribute='name') | sort
"""

RETURN = r"""
cluster_name:
  description: The cluster.
  returned: always
  type: str
  sample: ocfs2lab
online:
  description:
    - Whether the cluster is online on this node.
    - Online means the local node is registered and, in global heartbeat mode, a heartbeat
      region is active.
  returned: always
  type: bool
  sample: true
heartbeat_mode:
  description: The heartbeat mode the cluster runs with, or the one in O(config_file) when it
    is not registered; null when neither is known.
  returned: always
  type: str
  sample: local
nodes:
  description: The nodes registered in configfs for the cluster; empty when the cluster is not
    registered.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The node name.
      type: str
    number:
      description: The node number.
      type: int
    ip_address:
      description: The node's cluster address.
      type: str
    port:
      description: The node's o2net port.
      type: int
    local:
      description: Whether this is the node the module ran on.
      type: bool
  sample:
    - {name: node1, number: 1, ip_address: 192.168.7.11, port: 7777, local: true}
    - {name: node2, number: 2, ip_address: 192.168.7.12, port: 7777, local: false}
config_nodes:
  description: The cluster's nodes in O(config_file), in the same form as RV(nodes) (C(local)
    when the node name matches this host's name); empty when the file or the cluster is
    missing.
  returned: always
  type: list
  elements: dict
config_heartbeat_mode:
  description: The heartbeat mode O(config_file) gives the cluster; null when the file or the
    cluster is missing.
  returned: always
  type: str
  sample: local
config_heartbeat_regions:
  description: The heartbeat regions (UUIDs of the C(heartbeat:) stanzas) O(config_file) gives
    the cluster, sorted; empty in local heartbeat mode or when the file or the cluster is
    missing.
  returned: always
  type: list
  elements: str
timeouts:
  description: The o2cb timeouts the registered cluster runs with (configfs), by the cluster
    role's variable names; empty when the cluster is not registered on this node. o2cb applies
    them when the cluster starts.
  returned: always
  type: dict
  sample: {cluster_heartbeat_threshold: 61, cluster_idle_timeout_ms: 30000,
           cluster_keepalive_delay_ms: 2000, cluster_reconnect_delay_ms: 2000}
removed_nodes:
  description:
    - The names of the nodes registered in the running cluster (RV(nodes)) that O(config_file)
      no longer lists.
    - In local heartbeat mode, where o2cb cannot unregister a node from a running cluster, the
      cluster forgets them at its next restart on this node. Empty when the cluster is not
      registered or the file does not describe it.
  returned: always
  type: list
  elements: str
  sample: [node3]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import (
    DEFAULT_CONFIG_FILE, check_cluster_name, o2cb_report, read_o2cb)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError


def main():
    module = AnsibleModule(
        argument_spec=dict(cluster_name=dict(type="str", required=True),
                           config_file=dict(type="path", default=DEFAULT_CONFIG_FILE)),
        supports_check_mode=True)
    try:
        check_cluster_name(module.params["cluster_name"])
        report = o2cb_report(read_o2cb(Runner(module), module.params))
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
