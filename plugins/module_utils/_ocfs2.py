# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An OCFS2 filesystem on a shared device: read it, and plan mkfs.ocfs2 / tunefs.ocfs2."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    parse_fstab, parse_proc_mounts)
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import check_cluster_name
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import BlockDevices
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

# What a blkid probe reports for data that must not be overwritten without force.
DATA_SIGNATURE_KEYS = ("TYPE", "PTTYPE")


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
        "cluster_stack": (field(r"^\s*Cluster stack: (\S+)", required=False) or "").strip(),
        "cluster_name": (field(r"^\s*Cluster name: (\S+)", required=False) or "").strip(),
        "features": sorted(features),
    }


def parse_mounted_nodes(text):
    """The nodes that have the device mounted, from `mounted.ocfs2 -f DEVICE`.

    Expects:
        Device                    Stack  Cluster  F  Nodes
        /dev/mapper/mpatha-part1  o2cb   labclu      node1, node2
    ("Not mounted" in the Nodes column when no node has it).
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or "Nodes" not in lines[0]:
        return []
    column = lines[0].index("Nodes")
    nodes = lines[1][column:].strip()
    if not nodes or nodes == "Not mounted":
        return []
    return [node.strip() for node in nodes.split(",") if node.strip()]


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


def plan_filesystem(device, filesystem, signature, device_bytes, mount, params):
    """The steps that bring the device to the requested OCFS2 filesystem. Pure.

    filesystem: parse_debugfs_stats() plus "mounted_nodes", or None when the device holds no
    OCFS2; signature: the blkid probe of the device; mount: this node's mount of the device
    ({"source", "mount_point", "source_exists", "current_path"}) or None.
    Returns a list of steps {"argv": [...], "stdin": str or None, "why": str}.
    """
    if params.get("cluster_name") is not None:
        check_cluster_name(params["cluster_name"])
    mounted_anywhere = describe_mounts(filesystem or {}, mount)
    foreign = filesystem is not None and params.get("cluster_name") and (
        filesystem["cluster_name"] != params["cluster_name"]
        or filesystem["cluster_stack"] != params["cluster_stack"])

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
        # mkfs.ocfs2 asks before it overwrites a filesystem; with force the answer is yes.
        # Its cluster check (is it mounted on another node?) stays on: no -F, no -x.
        return [{"argv": mkfs_argv(device, params), "stdin": "y\n" if existing else "",
                 "why": "format"}]

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
        steps.append({"argv": argv, "stdin": None, "why": change})

    if params["grow"]:
        steps += plan_grow(device, filesystem, device_bytes, mount)
    return steps


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
            steps.append({"argv": ["dmsetup", "rename", os.path.basename(mount["current_path"]),
                                   os.path.basename(mount["source"])],
                          "stdin": None,
                          "why": "rename %s back to %s, the name it was mounted under" % (
                              mount["current_path"], mount["source"])})
    steps.append({"argv": ["tunefs.ocfs2", "-S", target], "stdin": None,
                  "why": "grow from %d to %d bytes" % (
                      filesystem["size_bytes"], grown_clusters * filesystem["cluster_size"])})
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


def path_device_number(path):
    try:
        return os.stat(path).st_rdev
    except OSError:
        return None


def mount_device_number(mount_point):
    try:
        return os.stat(mount_point).st_dev
    except OSError:
        return None


class Volume(object):
    """Everything the module reads about the device, in one place."""

    def __init__(self, run, device):
        self.run = run
        self.device = device
        self.block = BlockDevices(run)
        self.sysfs_name = self.block.refuse_multipath_path(device)
        self.device_number = os.stat(os.path.realpath(device)).st_rdev

    def read(self):
        # Another node may have written the superblock: read it, not this node's cache.
        self.run(["blockdev", "--flushbufs", self.device])
        signature = self.block.probe_signature(self.device)
        filesystem = None
        if signature.get("TYPE") == "ocfs2":
            _rc, stats, _err = self.run(["debugfs.ocfs2", "-R", "stats", self.device])
            filesystem = parse_debugfs_stats(stats)
            _rc, mounted, _err = self.run(["mounted.ocfs2", "-f", self.device])
            filesystem["mounted_nodes"] = parse_mounted_nodes(mounted)
        dm_name = self.block.dm_attribute(self.sysfs_name, "name")
        mount = find_mount(parse_proc_mounts(self.run.read_file("/proc/mounts")),
                           self.device_number, path_device_number, mount_device_number,
                           "/dev/mapper/%s" % dm_name if dm_name else None)
        fstab = []
        if filesystem is not None and os.path.exists("/etc/fstab"):
            fstab = fstab_entries_for(parse_fstab(self.run.read_file("/etc/fstab")), filesystem,
                                      self.device_number, path_device_number)
        return {"signature": signature, "filesystem": filesystem, "mount": mount, "fstab": fstab,
                "device_size_bytes": self.block.size_bytes(self.sysfs_name)}
