#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: partition
short_description: One GPT partition spanning a shared LUN, grown online, seen by every node
version_added: 0.1.0
description:
  - Creates one named GPT partition (number 1, aligned to 1 MiB, ending at the end of the
    device) on a blank device, a multipath map or a disk.
  - With O(grow=true), after the LUN grew, moves the GPT backup header to the new end of the
    device and extends partition 1 to it, also while a mounted filesystem uses the partition.
  - After any change, and with O(refresh=true) on a node that only needs to read a table
    another node wrote, makes the running kernel see partition 1 as it is on disk. For a
    multipath map it reloads the device-mapper partition map with C(kpartx) and the name
    delimiter of the system's own udev rules (Debian and SUSE C(mpatha-part1), RHEL C(mpatha1)),
    so that a mounted partition map is never renamed. For a disk it uses C(partx).
  - Refuses, before any change, a device that holds a filesystem or another partition table
    (unless O(force=true)), a table that is not GPT, more than one partition, a partition 1
    with another name, and a device that is a path of a multipath map (for example V(/dev/sdb)
    under C(mpatha); sysfs lists the map among its holders), naming the map's
    V(/dev/disk/by-id/dm-uuid-mpath-WWID). On a node whose map is smaller than the GPT on disk
    (another node grew the LUN and rewrote the table, so sfdisk sees only the protective MBR) it
    says so and points to C(playbooks/resize.yml).
  - The table is written with C(sfdisk), which is told neither to re-read the table nor to tell
    the kernel. C(parted) is not used, since libparted creates device-mapper partition maps under
    its own names and renames a mounted multipath partition map.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  device:
    description:
      - The whole device, for example V(/dev/mapper/mpatha), a
        V(/dev/disk/by-id/dm-uuid-mpath-WWID) link or a disk without multipath such as
        V(/dev/vdb). A path of a multipath map is refused.
    type: path
    required: true
  name:
    description:
      - The GPT name of partition 1 (letters, digits, V(.), V(_) and V(-); at most 36).
    type: str
    default: ocfs2
  grow:
    description:
      - Extend partition 1 to the end of a grown device. Safe while the partition is mounted.
    type: bool
    default: false
  refresh:
    description:
      - Write nothing; only make this node's kernel see the table on disk. For the nodes
        other than the one that wrote the table.
    type: bool
    default: false
  force:
    description:
      - Partition a device that holds a filesystem or a partition table of another kind on the
        whole device, destroying it. Never a device that is mounted on this node or on any node
        (C(mounted.ocfs2 -f)), or that has anything built on it (partitions, device-mapper
        maps such as LVM volumes); these are refused with or without force.
    type: bool
    default: false
notes:
  - When C(blkid -p) cannot probe a device without a partition table (it exits 2 for both
    "nothing found" and "could not read"), the module fails rather than take it for blank.
  - Grow the multipath map on every node first (M(ocfs2.cluster.multipath) with
    O(ocfs2.cluster.multipath#module:state=resized)); a node refuses to load a partition that
    ends beyond the device it sees.
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    description: Shows the partition table before and after.
extends_documentation_fragment:
  - ocfs2.cluster.attributes
requirements:
  - sfdisk (util-linux 2.26 or later; Debian package C(fdisk)), blkid, and C(kpartx) for
    multipath maps or C(partx) for disks; C(mounted.ocfs2) when the device holds OCFS2. sfdisk before util-linux 2.35 does not say its
    sector size; the module then counts in the device's logical block size from sysfs (4096
    bytes on a 4K-native LUN).
"""

EXAMPLES = r"""
- name: Create partition 1 on the shared LUN, on one node
  ocfs2.cluster.partition:
    device: /dev/disk/by-id/dm-uuid-mpath-36001405abcdef0123456789abcdef012
    name: vmstore
  run_once: true
  register: shared_partition

- name: Let every other node's kernel see it
  ocfs2.cluster.partition:
    device: /dev/disk/by-id/dm-uuid-mpath-36001405abcdef0123456789abcdef012
    name: vmstore
    refresh: true

- name: Grow partition 1 to the end of the grown LUN, on one node, while mounted
  ocfs2.cluster.partition:
    device: /dev/mapper/mpatha
    name: vmstore
    grow: true
  run_once: true
"""

RETURN = r"""
partition:
  description: Partition 1 as it is on disk after the module ran (in check mode, as it would
    be; null when there is none).
  returned: always
  type: dict
  contains:
    number:
      description: Always 1.
      type: int
    start_bytes:
      description: Where it starts.
      type: int
    size_bytes:
      description: Its size.
      type: int
    name:
      description: Its GPT name.
      type: str
    uuid:
      description: Its GPT unique id (the PARTUUID), in lower case.
      type: str
device_size_bytes:
  description: The size of the device as this node sees it.
  returned: always
  type: int
stable_path:
  description: A path to partition 1 that does not change when the kernel renames it, for
    example C(/dev/disk/by-id/dm-uuid-part1-mpath-WWID) for a multipath map or
    C(/dev/disk/by-partuuid/UUID) for a disk.
  returned: when there is a partition 1
  type: str
kernel_name:
  description: The kernel's current device for partition 1, for example
    C(/dev/mapper/mpatha-part1) or C(/dev/sdb1).
  returned: when the kernel has partition 1
  type: str
kernel_size_bytes:
  description: The size of partition 1 as the kernel sees it after the module ran.
  returned: when the kernel has partition 1
  type: int
commands:
  description: The commands run, or that would run in check mode; each is an argv list.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._block import BlockDevices
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import (
    partition_one, partition_report, refresh_kernel, write_table)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError

ARGUMENT_SPEC = dict(
    device=dict(type="path", required=True),
    name=dict(type="str", default="ocfs2"),
    grow=dict(type="bool", default=False),
    refresh=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           mutually_exclusive=[("grow", "refresh")])
    params = dict(module.params)
    block = BlockDevices(Runner(module))
    commands = []
    try:
        parent, before, after = write_table(block, params, module.check_mode, commands)
        refresh, kernel_after = refresh_kernel(block, params["device"], parent,
                                               partition_one(after), module.check_mode, commands)
    except ToolError as error:
        module.fail_json(msg=str(error), commands=commands, **error.details)
    module.exit_json(changed=bool(commands), commands=commands,
                     **partition_report(parent, before, after, refresh, kernel_after,
                                        module.check_mode))


if __name__ == "__main__":
    main()
