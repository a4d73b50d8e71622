#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: filesystem
short_description: An OCFS2 filesystem on a shared device, created safely and grown online
version_added: 0.1.0
description:
  - Creates an OCFS2 filesystem with C(mkfs.ocfs2) on a device that holds nothing, keeps an
    existing OCFS2 filesystem of the same cluster, and reports the filesystem (UUID, label,
    node slots, block and cluster size, size, cluster stack and name, and which nodes mount it).
  - A classic o2cb filesystem (made by C(mkfs.ocfs2) without C(--cluster-stack), as on
    clusters built by hand; no cluster name on disk) mounts on any O2CB cluster, so it is kept
    as this cluster's, and never formatted, even with O(force=true).
  - Refuses to format a device that holds any signature (a filesystem, a partition table, LVM,
    or OCFS2 of another cluster) unless O(force=true), and always refuses, force or not, when
    the device is mounted on this node or on any node (C(mounted.ocfs2 -f)), or when anything
    is built on it (a partition, a kpartx partition map, an LVM volume), mounted or not, or
    when a partition on disk that this node has not mapped holds OCFS2 (another node may mount
    it). The cluster check of C(mkfs.ocfs2) stays on (no C(-F), no C(-x)).
  - With O(grow=true), grows the filesystem to the size of the device with
    C(tunefs.ocfs2 -S), online while it is mounted on every node (run it on a node that mounts
    it), or offline when no node mounts it. Online, C(tunefs.ocfs2) finds the mount by the
    device path written in C(/proc/mounts), so the module hands it that path, after renaming a
    multipath partition map back to the name it was mounted under if something renamed it.
    It checks the size afterwards, since C(tunefs.ocfs2) has been seen to exit 0 without growing
    anything. Shrinking is refused.
  - Changes O(label) and O(node_slots) of an existing filesystem only when no node mounts it
    (C(tunefs.ocfs2) refuses them while mounted), and refuses clearly otherwise.
  - Refuses a device that is a path of a multipath map (for example V(/dev/sdb) under
    C(mpatha)), naming the map's V(/dev/disk/by-id/dm-uuid-mpath-WWID).
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  device:
    description:
      - The device, for example the partition's stable path
        V(/dev/disk/by-id/dm-uuid-part1-mpath-WWID) or a whole multipath map.
    type: path
    required: true
  cluster_name:
    description:
      - The cluster the filesystem belongs to (1 to 16 letters and digits). An OCFS2
        filesystem of another cluster is not touched without O(force). A classic o2cb
        filesystem (no cluster name on disk) counts as this cluster's with O(cluster_stack=o2cb).
    type: str
    required: true
  cluster_stack:
    description: The cluster stack written into the filesystem.
    type: str
    choices: [o2cb, pcmk, cman]
    default: o2cb
  label:
    description: The volume label (C(-L)). Changed on an existing filesystem only while no node
      mounts it.
    type: str
  node_slots:
    description: The number of node slots (C(-N)), the most nodes that can mount it at once,
      1 to 255 (a value out of that range is refused before anything is read or written).
      Changed on an existing filesystem only while no node mounts it.
    type: int
  block_size:
    description: The block size at creation (C(-b)).
    type: str
    choices: ["512", 1K, 2K, 4K]
  cluster_size:
    description: The cluster size at creation (C(-C)), from V(4K) to V(1M).
    type: str
  fs_type:
    description: The filesystem type at creation (C(-T)); V(vmstore) needs more than 2 GiB.
    type: str
    choices: [mail, datafiles, vmstore]
  journal_options:
    description: Journal options at creation (C(-J)), for example V(size=64M,block64).
    type: str
  features:
    description: Features at creation (C(--fs-features)), for example V(noinline-data).
    type: str
  feature_level:
    description: The feature level at creation (C(--fs-feature-level)); V(max-compat) lets older
      kernels mount it.
    type: str
    choices: [max-compat, default, max-features]
  grow:
    description: Grow the filesystem to the size of the device.
    type: bool
    default: false
  force:
    description:
      - Format a device that holds another filesystem, a partition table, or OCFS2 of another
        cluster, destroying it. Never formats a device that is mounted on any node or that
        has anything built on it (partitions, LVM), nor a classic o2cb filesystem.
    type: bool
    default: false
notes:
  - Which nodes mount the filesystem comes from C(mounted.ocfs2 -f), which reads the slot map
    without cluster locks; after a node crashed it can list that node until its slot is
    recovered.
  - When C(mounted.ocfs2 -f) cannot read the slot map (it prints no node list) or C(blkid -p)
    cannot probe the device, the module fails; it never takes that for "mounted nowhere" or
    "blank".
  - The O2CB cluster must be online on this node (M(ocfs2.cluster.o2cb)) to create or tune.
  - M(ocfs2.cluster.filesystem_info) reads the filesystem without changing anything.
  - In check mode, a device that does not exist yet (the partition that
    M(ocfs2.cluster.partition), in check mode too, would create) is planned as blank, with a
    warning; outside check mode a missing device fails.
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    description: Shows label, node slots, size, cluster and UUID before and after.
extends_documentation_fragment:
  - ocfs2.cluster.attributes
requirements:
  - ocfs2-tools (mkfs.ocfs2, tunefs.ocfs2, debugfs.ocfs2, mounted.ocfs2), blkid, blockdev, and
    sfdisk to look into a partition table on the device before formatting over it.
"""

EXAMPLES = r"""
- name: Create the shared filesystem on one node
  ocfs2.cluster.filesystem:
    device: /dev/disk/by-id/dm-uuid-part1-mpath-36001405abcdef0123456789abcdef012
    cluster_name: vmcluster
    label: vmstore
    node_slots: 8
    fs_type: vmstore
  run_once: true

- name: Grow it online into the grown partition, on a node that mounts it
  ocfs2.cluster.filesystem:
    device: /dev/disk/by-id/dm-uuid-part1-mpath-36001405abcdef0123456789abcdef012
    cluster_name: vmcluster
    grow: true
  run_once: true

- name: Keep an existing filesystem of this cluster, format only a blank device
  ocfs2.cluster.filesystem:
    device: /dev/disk/by-id/dm-uuid-part1-mpath-36001405abcdef0123456789abcdef012
    cluster_name: vmcluster
  run_once: true
  register: shared_filesystem
"""

RETURN = r"""
filesystem:
  description: The OCFS2 filesystem after the module ran (in check mode, as it is now), or
    null when the device holds none.
  returned: always
  type: dict
  contains:
    uuid:
      description: The UUID as C(blkid) and C(UUID=) in fstab write it.
      type: str
    label:
      description: The label.
      type: str
    node_slots:
      description: The number of node slots.
      type: int
    block_size:
      description: Block size in bytes.
      type: int
    cluster_size:
      description: Cluster size in bytes.
      type: int
    size_bytes:
      description: The filesystem's size.
      type: int
    cluster_stack:
      description: The cluster stack, for example V(o2cb).
      type: str
    cluster_name:
      description: The cluster name; empty for a classic o2cb filesystem, which names none.
      type: str
    features:
      description: The filesystem features.
      type: list
      elements: str
    mounted_nodes:
      description: The nodes that mount it, from C(mounted.ocfs2 -f).
      type: list
      elements: str
device_size_bytes:
  description: The device's size as this node sees it.
  returned: always
  type: int
mount:
  description: This node's mount of the device (C(source) as in /proc/mounts, C(mount_point)),
    or null.
  returned: always
  type: dict
signature:
  description: What C(blkid -p) found on the device when it holds no OCFS2 filesystem.
  returned: always
  type: dict
commands:
  description: The commands run, or that would run in check mode; each is an argv list.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import (
    absent_device_warning, apply_plan, filesystem_report, plan_volume, read_for_plan)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Runner, ToolError, commands_of)

ARGUMENT_SPEC = dict(
    device=dict(type="path", required=True),
    cluster_name=dict(type="str", required=True),
    cluster_stack=dict(type="str", choices=["o2cb", "pcmk", "cman"], default="o2cb"),
    label=dict(type="str"),
    node_slots=dict(type="int"),
    block_size=dict(type="str", choices=["512", "1K", "2K", "4K"]),
    cluster_size=dict(type="str"),
    fs_type=dict(type="str", choices=["mail", "datafiles", "vmstore"]),
    journal_options=dict(type="str"),
    features=dict(type="str"),
    feature_level=dict(type="str", choices=["max-compat", "default", "max-features"]),
    grow=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    commands = []
    try:
        volume, before = read_for_plan(Runner(module), params, module.check_mode)
        warning = absent_device_warning(before, params["device"])
        if warning:
            module.warn(warning)
        steps = plan_volume(before, params)
        commands = commands_of(steps)
        after = before
        if steps and not module.check_mode:
            after = apply_plan(volume, steps, before)
    except ToolError as error:
        module.fail_json(msg=str(error), commands=commands, **error.details)
    module.exit_json(changed=bool(commands), commands=commands,
                     **filesystem_report(before, after, steps, module.check_mode))


if __name__ == "__main__":
    main()
