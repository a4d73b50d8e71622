#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: filesystem_info
short_description: Read the OCFS2 filesystem on a device
version_added: 0.1.0
description:
  - Reports the OCFS2 filesystem on a device (UUID, label, node slots, block and cluster size,
    size, cluster stack and name, and which nodes mount it), this node's mount of it, the
    entries of its /etc/fstab that mount it, and what C(blkid -p) finds when the device holds
    no OCFS2 filesystem.
  - Reads the device past this node's cache, so it sees what another node wrote.
  - Fails for a device that is a path of a multipath map (for example V(/dev/sdb) under
    C(mpatha)), naming the map's V(/dev/disk/by-id/dm-uuid-mpath-WWID).
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  device:
    description: The device, for example V(/dev/disk/by-id/dm-uuid-part1-mpath-WWID).
    type: path
    required: true
notes:
  - Which nodes mount the filesystem comes from C(mounted.ocfs2 -f), which reads the slot map
    without cluster locks; after a node crashed it can list that node until its slot is
    recovered.
  - When C(mounted.ocfs2 -f) cannot read the slot map (it prints no node list) or C(blkid -p)
    cannot probe the device, the module fails; it never takes that for "mounted nowhere" or
    "blank".
seealso:
  - module: ocfs2.cluster.filesystem
extends_documentation_fragment:
  - ocfs2.cluster.attributes.info_module
requirements:
  - ocfs2-tools (debugfs.ocfs2, mounted.ocfs2), blkid, blockdev.
"""

EXAMPLES = r"""
- name: Read the shared filesystem
  ocfs2.cluster.filesystem_info:
    device: /dev/disk/by-id/dm-uuid-part1-mpath-36001405abcdef0123456789abcdef012
  register: shared_filesystem

- name: Show its UUID for fstab
  ansible.builtin.debug:
    msg: "UUID={{ shared_filesystem.filesystem.uuid }}"
"""

RETURN = r"""
filesystem:
  description: The OCFS2 filesystem, or null when the device holds none. The same keys as the
    RV(ocfs2.cluster.filesystem#module:filesystem) of M(ocfs2.cluster.filesystem).
  returned: always
  type: dict
  sample:
    uuid: 83e285a3-5a4e-442b-9bf4-c9c31b806f09
    label: vmstore
    node_slots: 4
    block_size: 4096
    cluster_size: 131072
    clusters: 32752
    size_bytes: 4292870144
    cluster_stack: o2cb
    cluster_name: labclu
    features: [append-dio, sparse, unwritten, xattr]
    mounted_nodes: [node1, node2]
device_size_bytes:
  description: The device's size as this node sees it.
  returned: always
  type: int
mount:
  description: This node's mount of the device (C(source) as in /proc/mounts, C(mount_point),
    C(fstype)), or null.
  returned: always
  type: dict
fstab:
  description: The entries of this node's /etc/fstab that mount the filesystem (by C(UUID=),
    C(LABEL=) or a device path that leads to the device), each with C(source),
    C(mount_point), C(fstype) and C(options) (a list); empty when the device holds no OCFS2
    filesystem.
  returned: always
  type: list
  elements: dict
  sample:
    - {source: UUID=83e285a3-5a4e-442b-9bf4-c9c31b806f09, mount_point: /srv/ocfs2,
       fstype: ocfs2, options: [_netdev, noatime]}
signature:
  description: What C(blkid -p) found on the device when it holds no OCFS2 filesystem.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import Volume
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError


def main():
    module = AnsibleModule(argument_spec=dict(device=dict(type="path", required=True)),
                           supports_check_mode=True)
    try:
        found = Volume(Runner(module), module.params["device"]).read()
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(changed=False, filesystem=found["filesystem"],
                     device_size_bytes=found["device_size_bytes"], mount=found["mount"],
                     fstab=found["fstab"],
                     signature=found["signature"] if found["filesystem"] is None else {})


if __name__ == "__main__":
    main()
