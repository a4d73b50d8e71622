# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An OCFS2 filesystem on a shared device: read it, and plan mkfs.ocfs2 / tunefs.ocfs2."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._block import (
    BlockDevices, refuse_in_use)
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_device_number, parse_fstab, parse_mounted_nodes, parse_proc_mounts,
    path_device_number)
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import check_cluster_name
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import read_table
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Step, ToolError

# What a blkid probe reports for data that must not be overwritten without force.
DATA_SIGNATURE_KEYS = ("TYPE", "PTTYPE")
# OCFS2_MAX_SLOTS: mkfs.ocfs2 and tunefs.ocfs2 -N take 1 to 255 node slots.
MAX_NODE_SLOTS = 255


def node_slots_problem(node_slots, hosts, variable="node_slots", group="the group"):
    """Why `node_slots` cannot serve `hosts` mounting nodes, or None when it can (or is unset).

    A value OCFS2 itself refuses is named as such, before anything looks at the device."""
    if node_slots in (None, ""):
        return None
    if isinstance(node_slots, bool) or not re.match(r"^\s*-?\d+\s*$", str(node_slots)):
        return "%s is %r, not a whole number. Set the number of node slots." % (
            variable, node_slots)
    slots = int(node_slots)
    if not 1 <= slots <= MAX_NODE_SLOTS:
        return ("%s is %d, out of range: OCFS2 has 1 to %d node slots (mkfs.ocfs2 -N). Set it "
                "within that range." % (variable, slots, MAX_NODE_SLOTS))
    if hosts is not None and slots < hosts:
        return ("%s is %d, and %s has %d hosts: each mounting node needs a slot. Set it to at "
                "least %d, with room for the hosts you will add." % (
                    variable, slots, group, hosts, hosts))
    return None


def slot_shortage(filesystem, node_names):
    """Why the filesystem has too few node slots for `node_names` (the O2CB node names of the
    hosts that will mount it) besides the nodes that mount it now, or None. A node beyond the
    slots fails to mount ("no free slots available", fs/ocfs2/slot_map.c)."""
    mounted = [name.lower() for name in filesystem.get("mounted_nodes") or []]
    joining = sorted(set(name for name in node_names if name.lower() not in mounted))
    needed = len(mounted) + len(joining)
    if needed <= filesystem["node_slots"]:
        return None
    return ("the filesystem (UUID %s) has %d node slots, %d of them in use (%s), and %s would "
            "mount it too: %d slot(s) short. Raise the slots first, in a planned outage: "
            "ansible-playbook playbooks/slots.yml -e slots=%d (it unmounts the filesystem on "
            "every node for tunefs.ocfs2 -N)" % (
                filesystem["uuid"], filesystem["node_slots"], len(mounted),
                ", ".join(filesystem.get("mounted_nodes") or []) or "none", ", ".join(joining),
                needed - filesystem["node_slots"], needed))


# The per-slot allocators whose contents tunefs.ocfs2 -N has to move to another slot when it
# removes the slot (op_set_slot_count.c).
SLOT_ALLOCATORS = ("inode_alloc", "extent_alloc")


def slot_allocator_paths(first_slot, slots):
    """The debugfs paths of the allocators of slots first_slot .. slots - 1."""
    return ["//%s:%04d" % (name, slot) for slot in range(first_slot, slots)
            for name in SLOT_ALLOCATORS]


def parse_bitmap_used(text):
    """The used bits of an allocator in `debugfs.ocfs2 -R "stat //inode_alloc:0002"`
    ("Bitmap Total: 1024   Used: 252   Free: 772"); 0 for an allocator without a group yet."""
    match = re.search(r"Bitmap Total: \d+\s+Used: (\d+)", text)
    return int(match.group(1)) if match else 0


def slot_removal_problem(current_slots, wanted_slots, used_by_allocator):
    """Why lowering the slots from current_slots to wanted_slots is refused, or None.

    `used_by_allocator`: {debugfs path: used bits} of the slots that would go. tunefs.ocfs2
    1.8.7 removed a slot that had never been used, then failed on the next one, whose inode
    allocator held 252 inodes ("Bad magic number in extent block"), leaving the filesystem with
    a slot count between the two (seen on the lab): only slots that never allocated anything
    are removed."""
    if wanted_slots >= current_slots:
        return None
    in_use = dict((path, used) for path, used in used_by_allocator.items() if used)
    if not in_use:
        return None
    highest = max(int(path.rsplit(":", 1)[1]) for path in in_use)
    return ("node_slots %d -> %d would remove slots that hold allocations (%s): tunefs.ocfs2 has "
            "to move them to other slots and can fail midway. Lower the slots only to %d or "
            "more (the slots from %d up never allocated anything)." % (
                current_slots, wanted_slots,
                ", ".join("%s: %d used" % (path.lstrip("/"), used)
                          for path, used in sorted(in_use.items())), highest + 1, highest + 1))


def parse_debugfs_stats(text):
    """Parse `debugfs.ocfs2 -R stats DEVICE` (one call: the superblock, whatever mounts it).

    Expects lines like:
        Block Size Bits: 12   Cluster Size Bits: 17
        Max Node Slots: 4
        Label: vmstore
        UUID: 83E285A35A4E442B9BF4C9C31B806F09
        Cluster stack: o2cb
        Cluster name: labclu
        Links: 0   Clusters: 32752
    A classic o2cb filesystem prints "Cluster stack: classic o2cb" and no cluster name; it is
    returned with cluster_stack "o2cb" and cluster_name "".
    """
    def field(pattern, required=True):
        match = re.search(pattern, text, re.MULTILINE)
        if not match:
            if required:
                raise ToolError("cannot read %r from debugfs.ocfs2 -R stats" % pattern,
                                stdout=text)
            return None
        return match.group(1)

    block_size = 1 << int(field(r"Block Size Bits: (\d+)"))
    cluster_size = 1 << int(field(r"Cluster Size Bits: (\d+)"))
    clusters = int(field(r"\bClusters: (\d+)"))
    raw_uuid = field(r"^\s*UUID: ([0-9A-Fa-f]{32})\s*$").lower()
    features = []
    for key in ("Feature Compat", "Feature Incompat", "Feature RO compat"):
        listed = field(r"^\s*%s: \d+ ?(.*)$" % key, required=False)
        features += listed.split() if listed else []
    return {
        "uuid": "-".join((raw_uuid[:8], raw_uuid[8:12], raw_uuid[12:16], raw_uuid[16:20],
                          raw_uuid[20:])),
        "label": (field(r"^\s*Label: ?(.*)$", required=False) or "").rstrip(),
        "node_slots": int(field(r"Max Node Slots: (\d+)")),
        "block_size": block_size,
        "cluster_size": cluster_size,
        "clusters": clusters,
        "size_bytes": clusters * cluster_size,
        # A classic o2cb filesystem (mkfs.ocfs2 without --cluster-stack) has no cluster
        # information on disk: "Cluster stack: classic o2cb" and no "Cluster name:" line.
        "cluster_stack": (field(r"^\s*Cluster stack: (?:classic )?(\S+)", required=False)
                          or "").strip(),
        "cluster_name": (field(r"^\s*Cluster name: (\S+)", required=False) or "").strip(),
        "features": sorted(features),
    }


def is_classic_o2cb(filesystem):
    """Made by plain `mkfs.ocfs2 -L NAME DEV`: it mounts on whichever O2CB cluster is online."""
    return filesystem["cluster_stack"] == "o2cb" and not filesystem["cluster_name"]


def belongs_to_cluster(filesystem, cluster_name, cluster_stack="o2cb"):
    """Whether the cluster may use the filesystem as its own. A classic o2cb filesystem names
    no cluster: it is every O2CB cluster's, the usual one on a cluster built by hand."""
    if is_classic_o2cb(filesystem):
        return cluster_stack == "o2cb"
    return (filesystem["cluster_name"] == cluster_name
            and filesystem["cluster_stack"] == cluster_stack)


def size_to_bytes(text):
    """'4K' -> 4096, '1M' -> 1048576, '512' -> 512, as mkfs.ocfs2 reads -b and -C."""
    match = re.match(r"^(\d+)([KkMm]?)$", str(text))
    if not match:
        raise ToolError("size %r is not understood: give bytes or a number with K or M" % (text,))
    return int(match.group(1)) << {"": 0, "k": 10, "m": 20}[match.group(2).lower()]


def mkfs_argv(device, params):
    argv = ["mkfs.ocfs2"]
    for option, key in (("-L", "label"), ("-N", "node_slots"), ("-b", "block_size"),
                        ("-C", "cluster_size"), ("-T", "fs_type"), ("-J", "journal_options")):
        if params.get(key) not in (None, ""):
            argv += [option, str(params[key])]
    if params.get("features"):
        argv.append("--fs-features=%s" % params["features"])
    if params.get("feature_level"):
        argv.append("--fs-feature-level=%s" % params["feature_level"])
    argv.append("--cluster-stack=%s" % params["cluster_stack"])
    if params.get("cluster_name"):
        argv.append("--cluster-name=%s" % params["cluster_name"])
    return argv + [device]


def describe_mounts(filesystem, mount):
    nodes = list(filesystem.get("mounted_nodes") or [])
    if mount and not nodes:
        nodes = ["this node"]
    return ", ".join(nodes)


def plan_filesystem(device, filesystem, signature, device_bytes, mount, params, usage=None):
    """The steps that bring the device to the requested OCFS2 filesystem. Pure.

    filesystem: parse_debugfs_stats() plus "mounted_nodes", or None when the device holds no
    OCFS2; signature: the blkid probe of the device; mount: this node's mount of the device
    ({"source", "mount_point", "source_exists", "current_path"}) or None; usage: the device
    and what is built on it (BlockDevices.read_usage), checked before mkfs.
    Returns a list of Step (argv, stdin, why).
    """
    if params.get("cluster_name") is not None:
        check_cluster_name(params["cluster_name"])
    slots_problem = node_slots_problem(params.get("node_slots"), None)
    if slots_problem:
        raise ToolError(slots_problem)
    mounted_anywhere = describe_mounts(filesystem or {}, mount)
    if filesystem is not None and is_classic_o2cb(filesystem) and \
            params["cluster_stack"] != "o2cb":
        # Its data are the hand-built cluster's: never a candidate for mkfs, force or not.
        raise ToolError("%s holds a classic o2cb filesystem (label %r, UUID %s), which the %s "
                        "stack cannot mount; refusing to format it, with or without force. Set "
                        "cluster_stack: o2cb to keep it, or convert it yourself (tunefs.ocfs2 "
                        "--update-cluster-stack)." % (device, filesystem["label"],
                                                      filesystem["uuid"], params["cluster_stack"]))
    foreign = filesystem is not None and params.get("cluster_name") and not belongs_to_cluster(
        filesystem, params["cluster_name"], params["cluster_stack"])

    if filesystem is None or foreign:
        if mount is not None or mounted_anywhere:
            raise ToolError("%s is mounted (%s); refusing to format it, with or without force. "
                            "Unmount it everywhere first." % (device, mounted_anywhere or
                                                              mount["mount_point"]))
        existing = None
        if foreign:
            existing = "an OCFS2 filesystem of cluster %s/%s (label %r, UUID %s)" % (
                filesystem["cluster_stack"], filesystem["cluster_name"] or "-",
                filesystem["label"], filesystem["uuid"])
        elif any(signature.get(key) for key in DATA_SIGNATURE_KEYS):
            existing = signature.get("TYPE") or "a %s partition table" % signature["PTTYPE"]
        if existing and not params["force"]:
            raise ToolError("%s already holds %s; refusing to format it. Set force: true to "
                            "overwrite it, or choose an empty device." % (device, existing),
                            signature=signature)
        if params["cluster_stack"] == "o2cb" and not params.get("cluster_name"):
            raise ToolError("cluster_name is required to format %s for the o2cb stack" % device)
        # mkfs.ocfs2 checks only the device it is given: not a partition or an LVM volume on it.
        refuse_in_use(device, usage or [], "format")
        # mkfs.ocfs2 asks before it overwrites a filesystem; with force the answer is yes.
        # Its cluster check (is it mounted on another node?) stays on: no -F, no -x.
        return [Step(mkfs_argv(device, params), stdin="y\n" if existing else "", why="format")]

    steps = []
    for key in ("block_size", "cluster_size"):
        if params.get(key) and size_to_bytes(params[key]) != filesystem[key]:
            raise ToolError("%s of the filesystem on %s is %d, not %s; it is fixed at mkfs time. "
                            "Leave %s unset to keep the filesystem, or reformat it (force: true "
                            "formats only filesystems of another cluster)." % (
                                key, device, filesystem[key], params[key], key))
    offline_changes = []
    if params.get("label") is not None and params["label"] != filesystem["label"]:
        offline_changes.append(("label %r -> %r" % (filesystem["label"], params["label"]),
                                ["tunefs.ocfs2", "-L", params["label"], device]))
    if params.get("node_slots") and params["node_slots"] != filesystem["node_slots"]:
        removal = slot_removal_problem(filesystem["node_slots"], params["node_slots"],
                                       filesystem.get("slot_allocators_used") or {})
        if removal:
            raise ToolError(removal)
        offline_changes.append(("node_slots %d -> %d" % (filesystem["node_slots"],
                                                         params["node_slots"]),
                                ["tunefs.ocfs2", "-N", str(params["node_slots"]), device]))
    if offline_changes and mounted_anywhere:
        raise ToolError("%s needs the filesystem on %s unmounted on every node (tunefs.ocfs2 "
                        "refuses it while mounted); it is mounted on %s. Unmount it everywhere, "
                        "or leave these settings as they are." % (
                            " and ".join(change for change, _argv in offline_changes), device,
                            mounted_anywhere))
    for change, argv in offline_changes:
        steps.append(Step(argv, why=change))

    if params["grow"]:
        steps += plan_grow(device, filesystem, device_bytes, mount)
    return steps


def unmapped_partition_usage(device, table, probes):
    """In-use entries (see refuse_in_use) for OCFS2 filesystems in partitions on disk that this
    node has not mapped. Pure.

    table: parse_sfdisk_json(); probes: {number: blkid probe at the partition's offset, or
    None when it failed}. Another node may mount such a filesystem, and mounted.ocfs2 cannot
    tell from the whole device; a probe that failed counts as such a filesystem.
    """
    usage = []
    for part in table["partitions"]:
        probe = probes.get(part["number"])
        if probe is not None and probe.get("TYPE") != "ocfs2":
            continue
        what = "could not be probed" if probe is None else "holds OCFS2 (label %r, UUID %s)" % (
            probe.get("LABEL", ""), probe.get("UUID", "?"))
        usage.append({"path": "%s partition %d" % (device, part["number"]),
                      "relation": "partition on disk", "mount_points": [], "nodes": [],
                      "problem": "partition %d on disk %s, and this node has not mapped it: "
                                 "which nodes mount it cannot be checked" % (part["number"], what)})
    return usage


def plan_grow(device, filesystem, device_bytes, mount):
    grown_clusters = device_bytes // filesystem["cluster_size"]
    if grown_clusters < filesystem["clusters"]:
        raise ToolError("%s is %d bytes, smaller than its filesystem (%d bytes); shrinking OCFS2 "
                        "is not supported. Check that this node sees the grown device." % (
                            device, device_bytes, filesystem["size_bytes"]))
    if grown_clusters == filesystem["clusters"]:
        return []
    elsewhere = filesystem.get("mounted_nodes") or []
    if mount is None and elsewhere:
        raise ToolError("%s is mounted on %s but not on this node; an online grow runs on a "
                        "node that mounts it. Run it there, or unmount it everywhere to grow it "
                        "offline." % (device, ", ".join(elsewhere)))
    steps = []
    target = device
    if mount is not None:
        # tunefs.ocfs2 finds the mount by the path written in /proc/mounts: that path must
        # exist and lead to this device. A map renamed since the mount is renamed back.
        target = mount["source"]
        if not mount["source_exists"]:
            steps.append(Step(["dmsetup", "rename", os.path.basename(mount["current_path"]),
                               os.path.basename(mount["source"])],
                              why="rename %s back to %s, the name it was mounted under" % (
                                  mount["current_path"], mount["source"])))
    steps.append(Step(["tunefs.ocfs2", "-S", target],
                      why="grow from %d to %d bytes" % (
                          filesystem["size_bytes"], grown_clusters * filesystem["cluster_size"])))
    return steps


def find_mount(entries, device_number, path_device_number, mount_device_number, dm_path):
    """This node's mount of the device, matched by device number, not by name.

    entries: parse_proc_mounts(); path_device_number(path): st_rdev of a device node, None
    when the path is missing; mount_device_number(mount_point): st_dev of a mount point;
    dm_path: the device's current /dev/mapper path (None for a disk).
    """
    for source, mount_point, fstype in entries:
        if not source.startswith("/dev/"):
            continue
        number = path_device_number(source)
        if number == device_number:
            return {"source": source, "mount_point": mount_point, "fstype": fstype,
                    "source_exists": True, "current_path": source}
        if number is None and dm_path and source.startswith("/dev/mapper/") and \
                mount_device_number(mount_point) == device_number:
            return {"source": source, "mount_point": mount_point, "fstype": fstype,
                    "source_exists": False, "current_path": dm_path}
    return None


def rename_problem(mount, filesystem_uuid):
    """The sentence for a mount whose partition map udev would rename, or None. Pure.

    mount: filesystem_info's mount, with map_name (the partition map's name now) and udev_name
    (the one this system's udev rules give it on the LUN map's next change event). A map that
    parted or a plain `kpartx -a` named mpatha1, where Debian's rules say mpatha-part1: the
    multipath resize (or any reload, kpartx, partprobe) renames it, the device unit the mount
    is bound to vanishes, and systemd unmounts the filesystem on that node.
    """
    if not mount or not mount.get("udev_name") or mount.get("map_name") == mount["udev_name"]:
        return None
    source = "UUID=%s" % filesystem_uuid if filesystem_uuid else "UUID=..."
    return ("it mounts %s from the partition map %s, which this system's udev rules name %s: "
            "resizing the multipath map makes udev rename it, and systemd then unmounts %s on "
            "this node. Rename it while it is unmounted, one node at a time with its VMs moved "
            "off: umount %s; dmsetup rename %s %s; make /etc/fstab mount %s by %s; mount %s "
            "(or reboot the node, which names it %s)" % (
                mount["mount_point"], mount["map_name"], mount["udev_name"],
                mount["mount_point"], mount["mount_point"], mount["map_name"],
                mount["udev_name"], mount["mount_point"], source, mount["mount_point"],
                mount["udev_name"]))


def fstab_entries_for(entries, filesystem, device_number, path_device_number):
    """The /etc/fstab entries (parse_fstab) that mount this filesystem: by UUID=, by LABEL=, or
    by a device path that leads to this device (/dev/mapper/mpatha1, as the runbook writes).
    Pure: path_device_number(path) is st_rdev of a device node, None when it is missing."""
    found = []
    for entry in entries:
        source = entry["source"]
        key, _separator, value = source.partition("=")
        if key == "UUID" and value.lower() == filesystem["uuid"].lower():
            found.append(entry)
        elif key == "LABEL" and filesystem.get("label") and value == filesystem["label"]:
            found.append(entry)
        elif source.startswith("/dev/") and path_device_number(source) == device_number:
            found.append(entry)
    return found


class Volume(object):
    """Everything the module reads about the device, in one place."""

    def __init__(self, run, device):
        self.run = run
        self.device = device
        self.block = BlockDevices(run)
        self.sysfs_name = self.block.refuse_multipath_path(device)
        self.device_number = os.stat(os.path.realpath(device)).st_rdev

    def slot_allocators_used(self, first_slot, slots):
        """{debugfs path: used bits} of the allocators of the slots that lowering would
        remove."""
        used = {}
        for path in slot_allocator_paths(first_slot, slots):
            _rc, stat, _err = self.run(["debugfs.ocfs2", "-R", "stat %s" % path, self.device])
            used[path] = parse_bitmap_used(stat)
        return used

    def read(self, with_usage=False):
        """What the device holds; with_usage: also what is built on it and mounted where
        (for planning a format)."""
        # Another node may have written the superblock: read it, not this node's cache.
        self.run(["blockdev", "--flushbufs", self.device])
        signature = self.block.probe_signature(self.device)
        filesystem = None
        if signature.get("TYPE") == "ocfs2":
            _rc, stats, _err = self.run(["debugfs.ocfs2", "-R", "stats", self.device])
            filesystem = parse_debugfs_stats(stats)
            _rc, mounted, mounted_err = self.run(["mounted.ocfs2", "-f", self.device])
            filesystem["mounted_nodes"] = parse_mounted_nodes(mounted, mounted_err, self.device)
        dm_name = self.block.dm_attribute(self.sysfs_name, "name")
        mount = find_mount(parse_proc_mounts(self.run.read_file("/proc/mounts")),
                           self.device_number, path_device_number, mount_device_number,
                           "/dev/mapper/%s" % dm_name if dm_name else None)
        if mount is not None:
            # A partition map that udev renames on the LUN map's next change event: systemd
            # then unmounts it (the mount is bound to the device unit of its old name).
            names = self.block.partition_map_names(self.sysfs_name) or {}
            mount["map_name"] = names.get("map_name")
            mount["udev_name"] = names.get("udev_name")
        usage = None
        if with_usage:
            usage = self.block.read_usage(self.device, self.sysfs_name, signature,
                                          filesystem["mounted_nodes"] if filesystem else None)
            if signature.get("PTTYPE") and len(usage) == 1:
                # Nothing built on the device here, but its partitions may be in use elsewhere.
                table = read_table(
                    self.run, self.device, self.block.logical_sector_bytes(self.sysfs_name))
                if table:
                    usage += unmapped_partition_usage(
                        self.device, table, self.block.probe_partitions_on_disk(self.device,
                                                                                table))
        fstab = []
        if filesystem is not None and os.path.exists("/etc/fstab"):
            fstab = fstab_entries_for(parse_fstab(self.run.read_file("/etc/fstab")), filesystem,
                                      self.device_number, path_device_number)
        return {"signature": signature, "filesystem": filesystem, "mount": mount, "usage": usage,
                "fstab": fstab,
                "device_size_bytes": self.block.size_bytes(self.sysfs_name)}


def read_volume(run, device, check_mode):
    """(Volume, what it holds with its usage) for the filesystem module.

    In check mode a device that does not exist reads as blank, with no Volume: it is the
    partition that the partition step, in check mode too, planned and did not create. Outside
    check mode a missing device fails as before.
    """
    if check_mode and not os.path.exists(device):
        return None, {"signature": {}, "filesystem": None, "mount": None, "usage": [],
                      "device_size_bytes": 0, "absent": True}
    volume = Volume(run, device)
    return volume, volume.read(with_usage=True)


def read_for_plan(run, params, check_mode):
    """(Volume, what the device holds) for the filesystem module: read_volume, and when
    node_slots would lower the slots, the allocators of the slots that would go."""
    volume, before = read_volume(run, params["device"], check_mode)
    filesystem = before["filesystem"]
    if filesystem and params.get("node_slots") and params["node_slots"] < filesystem["node_slots"]:
        filesystem["slot_allocators_used"] = volume.slot_allocators_used(
            params["node_slots"], filesystem["node_slots"])
    return volume, before


def absent_device_warning(before, device):
    """The warning for a device that check mode reads as blank because it does not exist, or
    None."""
    if not before.get("absent"):
        return None
    return ("%s does not exist on this node; check mode plans as if it were the blank partition "
            "that an earlier task, in check mode too, would create. Without check mode this "
            "fails." % device)


def plan_volume(before, params):
    """plan_filesystem for what read_for_plan found."""
    return plan_filesystem(params["device"], before["filesystem"], before["signature"],
                           before["device_size_bytes"], before["mount"], params,
                           usage=before["usage"])


def apply_plan(volume, steps, before):
    """Run the steps, read the device again and check that each step took effect; return
    what the device holds now."""
    for step in steps:
        volume.run.run_step(step)
    after = volume.read()
    check_outcome(volume.device, steps, before, after)
    return after


SUMMARY_KEYS = ("uuid", "label", "node_slots", "size_bytes", "cluster_stack", "cluster_name")


def summary(filesystem):
    """One side of the module's diff."""
    if filesystem is None:
        return {"ocfs2": False}
    return dict(((key, filesystem[key]) for key in SUMMARY_KEYS), ocfs2=True)


def check_outcome(device, steps, before, after):
    """Tools have exited 0 without doing the job: check that each step took effect."""
    filesystem = after["filesystem"]
    for step in steps:
        argv = step.argv
        if argv[0] == "mkfs.ocfs2" and filesystem is None:
            raise ToolError("%s exited 0 but %s holds no OCFS2 filesystem"
                            % (" ".join(argv), device))
        if argv[:2] == ["tunefs.ocfs2", "-S"]:
            expected = after["device_size_bytes"] // filesystem["cluster_size"] * \
                filesystem["cluster_size"]
            if filesystem["size_bytes"] != expected:
                raise ToolError(
                    "%s exited 0 but the filesystem is %d bytes, not %d (it was %d). Check that "
                    "%s exists and is the mount source in /proc/mounts, and that every node sees "
                    "the grown device." % (" ".join(argv), filesystem["size_bytes"], expected,
                                           before["filesystem"]["size_bytes"], argv[-1]))
        if argv[:2] == ["tunefs.ocfs2", "-N"] and filesystem["node_slots"] != int(argv[2]):
            raise ToolError("%s exited 0 but the filesystem has %d node slots" % (
                " ".join(argv), filesystem["node_slots"]))
        if argv[:2] == ["tunefs.ocfs2", "-L"] and filesystem["label"] != argv[2]:
            raise ToolError("%s exited 0 but the label is %r" % (" ".join(argv),
                                                                 filesystem["label"]))


def planned_summary(before, steps):
    """The diff's after side in check mode: what the steps would change."""
    if before["filesystem"] is None or any(step.argv[0] == "mkfs.ocfs2" for step in steps):
        return {"ocfs2": True, "planned": [step.why for step in steps]} if steps \
            else summary(before["filesystem"])
    planned = summary(before["filesystem"])
    for step in steps:
        argv = step.argv
        if argv[:2] == ["tunefs.ocfs2", "-L"]:
            planned["label"] = argv[2]
        elif argv[:2] == ["tunefs.ocfs2", "-N"]:
            planned["node_slots"] = int(argv[2])
        elif argv[:2] == ["tunefs.ocfs2", "-S"]:
            cluster = before["filesystem"]["cluster_size"]
            planned["size_bytes"] = before["device_size_bytes"] // cluster * cluster
    return planned


def filesystem_report(before, after, steps, check_mode):
    """The filesystem module's result besides changed and commands."""
    return dict(
        filesystem=after["filesystem"], device_size_bytes=after["device_size_bytes"],
        mount=after["mount"], signature=after["signature"] if after["filesystem"] is None else {},
        diff=dict(before=summary(before["filesystem"]),
                  after=summary(after["filesystem"]) if not check_mode
                  else planned_summary(before, steps)))
