#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: o2net_probe
short_description: Check that a node reaches the other nodes on the o2net port
version_added: 0.1.0
description:
  - Opens a TCP connection from this node's cluster address to each peer's o2net port (7777
    by default), the way the O2CB cluster stack connects its nodes, and reports what each
    attempt found.
  - C(listening) means a connection was made (o2cb is online on the peer). C(closed) means the
    peer answered with a reset (reachable; nothing listens yet). C(unreachable) means a timeout
    or a network error (no route, a dropping firewall).
  - Fails when a peer is unreachable, and with O(require_listening=true) also when it is
    C(closed). Changes nothing.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  peers:
    description: The nodes to reach.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The node's name, for messages.
        type: str
        required: true
      ip_address:
        description: The node's cluster address (IPv4).
        type: str
        required: true
      port:
        description: The node's o2net port.
        type: int
        default: 7777
  source_address:
    description:
      - This node's cluster address, to connect from; the route the cluster uses.
      - When not set, the kernel chooses.
    type: str
  timeout:
    description: Seconds to wait for each peer.
    type: float
    default: 3
  require_listening:
    description:
      - Fail also when a peer is reachable but nothing listens on its port.
      - Set it once o2cb is online on every node; before that, a reset is the expected answer.
    type: bool
    default: false
notes:
  - A firewall that rejects the port with a TCP reset looks like C(closed); before the cluster
    is online it cannot be told apart from a node where nothing listens yet. Probe again with
    O(require_listening=true) once the cluster is online.
extends_documentation_fragment:
  - ocfs2.cluster.attributes.info_module
"""

EXAMPLES = r"""
- name: Check that every node reaches the others on the cluster network
  ocfs2.cluster.o2net_probe:
    source_address: 192.168.7.11
    peers:
      - {name: node2, ip_address: 192.168.7.12}
      - {name: node3, ip_address: 192.168.7.13}

- name: Check that o2cb listens on every node once the cluster is online
  ocfs2.cluster.o2net_probe:
    source_address: 192.168.7.11
    peers:
      - {name: node2, ip_address: 192.168.7.12, port: 7777}
    require_listening: true
"""

RETURN = r"""
peers:
  description: One entry per peer, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The node's name.
      type: str
    ip_address:
      description: The address probed.
      type: str
    port:
      description: The port probed.
      type: int
    state:
      description: V(listening), V(closed) or V(unreachable).
      type: str
    error:
      description: Why the connection failed; empty when it was made.
      type: str
    seconds:
      description: How long the attempt took.
      type: float
  sample:
    - {name: node2, ip_address: 192.168.7.12, port: 7777, state: closed,
       error: "[Errno 111] Connection refused", seconds: 0.004}
"""

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2net import (
    check_probes, probe_peer)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

ARGUMENT_SPEC = dict(
    peers=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        ip_address=dict(type="str", required=True),
        port=dict(type="int", default=7777),
    )),
    source_address=dict(type="str"),
    timeout=dict(type="float", default=3),
    require_listening=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    results = [probe_peer(peer, params["source_address"], params["timeout"])
               for peer in params["peers"]]
    try:
        check_probes(results, params["require_listening"], params["source_address"],
                     socket.gethostname())
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(changed=False, peers=results)


if __name__ == "__main__":
    main()
