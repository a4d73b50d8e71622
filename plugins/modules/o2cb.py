#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: o2cb
short_description: Bring the O2CB cluster stack online or offline on a node
version_added: 0.1.0
description:
  - Manages the O2CB cluster stack of OCFS2 on one node, from the cluster description in
    O(config_file) (C(/etc/ocfs2/cluster.conf)), which must be the same on every node.
  - With O(state=online), a cluster that is offline is brought online by the o2cb init script
    (C(o2cb.init online NAME), C(/etc/init.d/o2cb) on Debian), as at boot, so the stack modules,
    C(/dlm) and the timeouts of the o2cb sysconfig file are the same as after a reboot.
  - With O(state=online), a cluster that is already online is re-synchronised without stopping
    it when nodes were added to O(config_file) (C(o2cb register-cluster NAME), which also
    unregisters the nodes removed from the file), or in global heartbeat mode removed from it.
  - In local heartbeat mode, o2cb cannot remove a node from a running cluster (o2cb(7)). A node
    removed from O(config_file) alone (as C(playbooks/remove_node.yml) does, after taking it
    offline) is no reason to re-register; it stays registered until the cluster restarts on
    this node, the module reports it in RV(removed_nodes) and changes nothing.
  - Reads the registered nodes from configfs (C(/sys/kernel/config/cluster/NAME/node/)) and
    counts the cluster online the way C(o2cb cluster-status) does. Because the init script and
    C(o2cb register-cluster) exit 0 after some failures, the module reads the state back after
    running them and fails when the cluster did not get there.
  - Refuses, before any change, an invalid cluster name, a missing O(config_file) or a cluster
    it does not describe, a host whose name is not a node of the cluster, another cluster
    registered on the node, a heartbeat mode change or a change of a node's number, address or
    port while the cluster is online, and taking the cluster offline under a mounted OCFS2
    filesystem.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  cluster_name:
    description:
      - The cluster, as named in O(config_file). 1 to 16 characters, letters and digits only.
    type: str
    required: true
  state:
    description:
      - V(online) registers the cluster and its nodes on this node and brings it online.
      - V(offline) takes the cluster offline on this node (C(o2cb.init offline NAME)).
      - M(ocfs2.cluster.o2cb_info) reports without changing anything.
    type: str
    choices: [online, offline]
    default: online
  config_file:
    description:
      - The cluster description to read and to re-synchronise a running cluster from.
      - The init script that brings an offline cluster online reads only
        C(/etc/ocfs2/cluster.conf), so with another path O(state=online) refuses a cluster
        that is offline.
    type: path
    default: /etc/ocfs2/cluster.conf
  heartbeat_mode:
    description:
      - The heartbeat mode the cluster should have. When O(config_file) says otherwise, the
        module sets it there with C(o2cb heartbeat-mode NAME MODE) (which rewrites the file in
        o2cb's own layout).
      - The mode cannot change while the cluster is online on the node; the module refuses
        then. Take the cluster offline on every node first.
      - V(global) needs at least one heartbeat region in O(config_file).
      - When not set, the mode in O(config_file) is kept.
    type: str
    choices: [local, global]
notes:
  - Node names must equal the hosts' names (up to the first C(.)); o2cb finds the local node
    that way.
  - Removing a node from a running cluster is meant for nodes that are offline (take it out
    with C(playbooks/remove_node.yml)); a node's number, address or port can only change with
    the cluster offline on every node.
  - Check mode builds the same plan and runs nothing; RV(commands) lists what would run.
attributes:
  check_mode:
    support: full
    description: Builds the same plan as a real run and reports the same C(changed).
  diff_mode:
    support: full
    description: Shows the online state, heartbeat mode and registered nodes before and after.
extends_documentation_fragment:
  - ocfs2.cluster.attributes
requirements:
  - ocfs2-tools 1.8 (C(o2cb), and the o2cb init script).
seealso:
  - name: o2cb(7)
    description: The O2CB cluster stack.
    link: https://man7.org/linux/man-pages/man7/o2cb.7.html
"""

EXAMPLES = r"""
- name: Bring the OCFS2 cluster online on every node
  ocfs2.cluster.o2cb:
    cluster_name: ocfs2lab

- name: Register the nodes added to cluster.conf without stopping the cluster
  ocfs2.cluster.o2cb:
    cluster_name: ocfs2lab
    state: online
  register: o2cb_cluster

- name: Show the registered nodes
  ansible.builtin.debug:
    msg: "{{ o2cb_cluster.nodes | map(attribute='name') | list }}"

- name: Take the cluster offline on this node (every OCFS2 filesystem unmounted first)
  ocfs2.cluster.o2cb:
    cluster_name: ocfs2lab
    state: offline

- name: Switch the stopped cluster to global heartbeat
  ocfs2.cluster.o2cb:
    cluster_name: ocfs2lab
    state: offline
    heartbeat_mode: global
"""

RETURN = r"""
cluster_name:
  description: The cluster.
  returned: always
  type: str
  sample: ocfs2lab
online:
  description:
    - Whether the cluster is online on this node after the run (in check mode, as found).
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
  description: The nodes registered in configfs for the cluster after the run (in check mode,
    as found); empty when the cluster is not registered.
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
    role's variable names; empty when the cluster is not registered on this node.
  returned: always
  type: dict
  sample: {cluster_heartbeat_threshold: 61, cluster_idle_timeout_ms: 30000,
           cluster_keepalive_delay_ms: 2000, cluster_reconnect_delay_ms: 2000}
removed_nodes:
  description:
    - The names of the nodes registered in the running cluster (RV(nodes)) that O(config_file)
      no longer lists, after the run (in check mode, as found).
    - In local heartbeat mode, where o2cb cannot unregister a node from a running cluster, the
      cluster forgets them at its next restart on this node. Empty when the cluster is not
      registered or the file does not describe it.
  returned: always
  type: list
  elements: str
  sample: [node3]
commands:
  description: The commands run, or that would run in check mode, as argv lists.
  returned: always
  type: list
  elements: list
  sample: [["o2cb", "--config-file", "/etc/ocfs2/cluster.conf", "register-cluster", "ocfs2lab"]]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import (
    DEFAULT_CONFIG_FILE, check_outcome, o2cb_diff, o2cb_report, plan_o2cb, read_o2cb)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Runner, ToolError, commands_of)

ARGUMENT_SPEC = dict(
    cluster_name=dict(type="str", required=True),
    state=dict(type="str", choices=["online", "offline"], default="online"),
    config_file=dict(type="path", default=DEFAULT_CONFIG_FILE),
    heartbeat_mode=dict(type="str", choices=["local", "global"]),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run = Runner(module)
    try:
        before = read_o2cb(run, module.params)
        steps = plan_o2cb(before, module.params)
        after = before
        if steps and not module.check_mode:
            output = "".join(run.run_step(step)[1] for step in steps)
            after = read_o2cb(run, module.params)
            check_outcome(after, module.params, steps, output)
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(changed=bool(steps), commands=commands_of(steps),
                     diff=o2cb_diff(before, module.params, steps), **o2cb_report(after))


if __name__ == "__main__":
    main()
