# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block devices as the kernel and the disk describe them: sysfs (sizes, holders,
device-mapper names), blkid probes, kpartx's partition map names, and what is built on a
device and mounted where. The partition and the filesystem helpers both read devices here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shlex

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_device_number, mount_points_by_number, parse_mounted_nodes, parse_proc_mounts,
    path_device_number)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

SECTOR_BYTES_SYSFS = 512
SYS_CLASS_BLOCK = "/sys/class/block"
UDEV_RULE_DIRS = ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d",
                  "/lib/udev/rules.d")


def sysfs_size_bytes(run, sysfs_name):
    """The size of a block device (dm-0, sdb) in bytes, as the kernel sees it now: sysfs counts
    in 512-byte sectors, whatever the device's logical block size."""
    return int(run.read_file("%s/%s/size" % (SYS_CLASS_BLOCK, sysfs_name))) * SECTOR_BYTES_SYSFS


def parse_blkid_probe(stdout):
    """Parse `blkid -p -o export DEVICE` (rc 2 and no output: nothing found).

    Expects lines like: PTTYPE=gpt  or  TYPE=ext4  USAGE=filesystem
    """
    fields = {}
    for line in stdout.splitlines():
        key, separator, value = line.partition("=")
        if separator:
            fields[key] = value
    return fields


def interpret_blkid_probe(device, rc, stdout, stderr, read_error):
    """What `blkid -p -o export DEVICE` found ({} for nothing), or a ToolError. Pure.

    blkid exits 2 both when it found nothing and when it could not look: an open error goes
    to stderr ("blkid: error: DEV: Permission denied"), a read error while probing nowhere.
    So rc 2 means blank only with an empty stderr and when this module could read the device
    itself (read_error None, see Runner.device_read_error).
    """
    if rc == 0:
        return parse_blkid_probe(stdout)
    if rc == 2:
        problem = stderr.strip() or (read_error and "reading it failed: %s" % read_error)
        if not problem:
            return {}
        raise ToolError("blkid -p could not probe %s (rc=2): %s; refusing to take it for a blank "
                        "device. Check that this node can read it (lsblk, multipath -ll, dmesg)."
                        % (device, problem), rc=rc, stderr=stderr)
    raise ToolError("blkid -p %s failed (rc=%d): %s" % (device, rc, stderr.strip()),
                    rc=rc, stderr=stderr)


def parse_kpartx_delimiter(rules_text):
    """The partition-name delimiter the system's udev rules give kpartx.

    Debian: RUN+="/sbin/kpartx -un -p -part /dev/$name" -> "-part" (mpatha-part1).
    RHEL: RUN+="/sbin/kpartx -un /dev/$name" -> None: kpartx's default (mpatha1).
    Returns (found, delimiter).
    """
    for line in rules_text.splitlines():
        line = line.strip()
        if line.startswith("#") or "kpartx" not in line or "RUN" not in line:
            continue
        match = re.search(r'RUN\+?="([^"]*kpartx[^"]*)"', line)
        if not match:
            continue
        words = shlex.split(match.group(1))
        if not any(word.startswith("-") and ("a" in word or "u" in word) for word in words[1:]):
            continue
        if "-p" in words:
            return True, words[words.index("-p") + 1]
        return True, None
    return False, None


def kpartx_map_name(parent_name, number, delimiter):
    """The name kpartx gives partition `number` of map `parent_name`. Pure.

    `delimiter` is what the udev rule passes with -p ("-part" on Debian: mpatha-part1); with
    None, kpartx's own default: "p" only after a name that ends in a digit (mpatha1, but
    3600a0b80001p1).
    """
    if delimiter is None:
        delimiter = "p" if parent_name[-1:].isdigit() else ""
    return "%s%s%d" % (parent_name, delimiter, number)


def partition_map_udev_name(dm_uuid, map_name, parent_name, rules_found, delimiter):
    """The name this system's udev rules give a multipath partition map on the parent map's next
    change event (a multipathd resize or reload, kpartx, partprobe), or None when its rules run
    no kpartx or the device is no such map. Pure.

    dm_uuid: "part1-mpath-WWID"; map_name: its current name ("mpatha1", as parted or a plain
    `kpartx -a` name it); parent_name: the multipath map's name ("mpatha").
    """
    match = re.match(r"part(\d+)-mpath-", dm_uuid or "")
    if not match or not rules_found or not parent_name or not map_name:
        return None
    return kpartx_map_name(parent_name, int(match.group(1)), delimiter)


def refuse_multipath_path(device, holders):
    """Refuse a device that is a path (a slave) of a multipath map, naming the map. Pure.

    `holders`: the device-mapper devices that hold the device, or the disk the device is a
    partition of, as sysfs lists them (/sys/class/block/sdb/holders/dm-0), each
    {"kernel_name": "dm-0", "name": "mpatha", "uuid": "mpath-35000c0ca1ab00001"}. A map's
    device-mapper uuid is "mpath-" and its WWID; kpartx's partition maps are "part1-mpath-...".
    """
    for holder in holders:
        uuid = holder.get("uuid") or ""
        if uuid.startswith("mpath-"):
            wwid = uuid[len("mpath-"):]
            raise ToolError(
                "%s is a path of multipath map %s (WWID %s, %s): multipathd owns it, and a "
                "write through one path goes behind its back. Name the map instead, by the path "
                "that is the same on every host: /dev/disk/by-id/dm-uuid-mpath-%s (for the "
                "filesystem role, filesystem_device; for resize.yml, resize_device)."
                % (device, holder.get("name") or holder["kernel_name"], wwid,
                   holder["kernel_name"], wwid), device=device, map=holder.get("name"), wwid=wwid)


def dm_relation(dm_uuid):
    """What a device-mapper device built on another one is, from its dm uuid."""
    for prefix, relation in (("part", "partition map"), ("LVM-", "LVM volume"),
                             ("mpath-", "multipath map"), ("CRYPT-", "dm-crypt device")):
        if dm_uuid and dm_uuid.startswith(prefix):
            return relation
    return "device-mapper device"


def refuse_in_use(device, usage, action):
    """Raise a ToolError when a destructive write to `device` must not go ahead. Pure.

    usage: BlockDevices.read_usage(), the device first, then what is built on it, each with
    "path", "relation", "mount_points" (here) and "nodes" (mounted.ocfs2 -f). The device's
    own mounts stop it; anything built on it stops it, mounted or not: a wipe or mkfs under
    a partition map or an LVM volume destroys what they hold.
    """
    problems = []
    for member in usage:
        where = []
        if member["mount_points"]:
            where.append("mounted here at %s" % ", ".join(member["mount_points"]))
        if member["nodes"]:
            where.append("mounted on %s" % ", ".join(member["nodes"]))
        if member.get("problem"):
            problems.append(member["problem"])
        elif member["relation"] == "device":
            problems += where
        else:
            problems.append("%s %s is built on it%s" % (
                member["relation"], member["path"], ": " + ", ".join(where) if where else ""))
    if problems:
        raise ToolError(
            "%s is in use (%s); refusing to %s it, with or without force. Unmount it on every "
            "node and remove what is built on it (kpartx -d for partition maps, vgchange -an "
            "for LVM volumes) first; nothing was changed." % (device, "; ".join(problems), action),
            in_use=usage)


class BlockDevices(object):
    """Reads what the kernel and the disk say about a device; runs the writes."""

    def __init__(self, run):
        self.run = run

    @staticmethod
    def sysfs_name(device):
        """The kernel name (dm-0, sdb) of a device path, following /dev/mapper and by-id links."""
        real = os.path.realpath(device)
        if not real.startswith("/dev/") or not os.path.exists(real):
            raise ToolError("device %s does not exist on this node. Check the LUN's path "
                            "(multipath -ll, lsblk)." % device)
        return os.path.basename(real)

    def device_number(self, sysfs_name):
        major, minor = self.run.read_file("/sys/class/block/%s/dev" % sysfs_name).split(":")
        return os.makedev(int(major), int(minor))

    def built_on(self, sysfs_name):
        """What is built on the device, recursively: a disk's partitions (under it in sysfs)
        and its holders (kpartx partition maps, LVM volumes, a multipath map on a path)."""
        base = "/sys/class/block/%s" % sysfs_name
        found = []
        for entry in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            if os.path.exists("%s/%s/partition" % (base, entry)):
                found.append({"sysfs_name": entry, "path": "/dev/%s" % entry,
                              "relation": "partition"})
        holders = base + "/holders"
        for holder in sorted(os.listdir(holders)) if os.path.isdir(holders) else []:
            name = self.dm_attribute(holder, "name")
            found.append({"sysfs_name": holder,
                          "path": "/dev/mapper/%s" % name if name else "/dev/%s" % holder,
                          "relation": dm_relation(self.dm_attribute(holder, "uuid"))
                          if name else "holder"})
        for item in list(found):
            found += self.built_on(item["sysfs_name"])
        return found

    def read_usage(self, device, sysfs_name, signature, nodes=None):
        """The device and what is built on it, with where each is mounted: here (by device
        number in /proc/mounts) and on any node (mounted.ocfs2 -f, for OCFS2). `nodes`: the
        device's own mounted.ocfs2 nodes when already read."""
        mounted_here = mount_points_by_number(
            parse_proc_mounts(self.run.read_file("/proc/mounts")), path_device_number,
            mount_device_number)
        usage = []
        members = [{"sysfs_name": sysfs_name, "path": device, "relation": "device"}]
        for member in members + self.built_on(sysfs_name):
            if member["relation"] == "device":
                member_nodes = nodes
                if nodes is None and signature.get("TYPE") == "ocfs2":
                    member_nodes = self.mounted_nodes(member["path"])
            else:
                # Built on the device: refused whatever it holds; its mounts only tell more.
                try:
                    member_nodes = self.mounted_nodes(member["path"]) if self.probe_signature(
                        member["path"]).get("TYPE") == "ocfs2" else None
                except ToolError:
                    member_nodes = None
            usage.append({"path": member["path"], "relation": member["relation"],
                          "mount_points": mounted_here.get(
                              self.device_number(member["sysfs_name"]), []),
                          "nodes": list(member_nodes or [])})
        return usage

    def probe_partitions_on_disk(self, device, table):
        """{partition number: blkid probe at the partition's offset, None when it failed}."""
        probes = {}
        for part in table["partitions"]:
            rc, stdout, stderr = self.run(["blkid", "-p", "-o", "export",
                                           "-O", str(part["start_bytes"]),
                                           "-S", str(part["size_bytes"]), device], check=False)
            try:
                probes[part["number"]] = interpret_blkid_probe(device, rc, stdout, stderr, None)
            except ToolError:
                probes[part["number"]] = None
        return probes

    def mounted_nodes(self, device):
        _rc, stdout, stderr = self.run(["mounted.ocfs2", "-f", device])
        return parse_mounted_nodes(stdout, stderr, device)

    def size_bytes(self, sysfs_name):
        return sysfs_size_bytes(self.run, sysfs_name)

    def logical_sector_bytes(self, sysfs_name):
        return int(self.run.read_file("/sys/class/block/%s/queue/logical_block_size" % sysfs_name))

    def dm_attribute(self, sysfs_name, attribute):
        path = "%s/%s/dm/%s" % (SYS_CLASS_BLOCK, sysfs_name, attribute)
        if not os.path.exists(path):
            return None
        return self.run.read_file(path).strip()

    def holders(self, sysfs_name):
        """The device-mapper devices holding this device, and, for a partition (sdb1), its
        disk: [{"kernel_name": "dm-0", "name": "mpatha", "uuid": "mpath-WWID"}]."""
        names = [sysfs_name]
        if os.path.exists("%s/%s/partition" % (SYS_CLASS_BLOCK, sysfs_name)):
            # /sys/class/block/sdb1 -> .../block/sdb/sdb1
            names.append(os.path.basename(os.path.dirname(
                os.path.realpath("%s/%s" % (SYS_CLASS_BLOCK, sysfs_name)))))
        found = []
        for name in names:
            directory = "%s/%s/holders" % (SYS_CLASS_BLOCK, name)
            for holder in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
                found.append({"kernel_name": holder, "name": self.dm_attribute(holder, "name"),
                              "uuid": self.dm_attribute(holder, "uuid")})
        return found

    def refuse_multipath_path(self, device):
        """The kernel name of the device, after refusing a path of a multipath map."""
        name = self.sysfs_name(device)
        refuse_multipath_path(device, self.holders(name))
        return name

    def describe_parent(self, device):
        name = self.refuse_multipath_path(device)
        if self.dm_attribute(name, "uuid") is not None:
            uuid = self.dm_attribute(name, "uuid")
            if not uuid.startswith("mpath-"):
                raise ToolError("%s is a device-mapper device of another kind (uuid %s); give "
                                "the multipath map or a disk" % (device, uuid))
            return {"kind": "dm", "sysfs_name": name, "map_name": self.dm_attribute(name, "name"),
                    "dm_uuid": uuid, "wwid": uuid[len("mpath-"):]}
        if os.path.exists("/sys/class/block/%s/partition" % name):
            raise ToolError("%s is a partition; give the whole device (the multipath map or the "
                            "disk)" % device)
        return {"kind": "disk", "sysfs_name": name}

    def kernel_partition(self, parent):
        """Partition 1 as the kernel has it now, with its current name, or None."""
        if parent["kind"] == "dm":
            wanted = "part1-" + parent["dm_uuid"]
            holders = "/sys/class/block/%s/holders" % parent["sysfs_name"]
            for holder in sorted(os.listdir(holders)) if os.path.isdir(holders) else []:
                if self.dm_attribute(holder, "uuid") == wanted:
                    return {"sysfs_name": holder, "size_bytes": self.size_bytes(holder),
                            "kernel_name": "/dev/mapper/%s" % self.dm_attribute(holder, "name")}
            return None
        disk = parent["sysfs_name"]
        for entry in sorted(os.listdir("/sys/class/block/%s" % disk)):
            base = "/sys/class/block/%s/%s" % (disk, entry)
            if os.path.exists(base + "/partition") and \
                    self.run.read_file(base + "/partition").strip() == "1":
                start = int(self.run.read_file(base + "/start")) * SECTOR_BYTES_SYSFS
                return {"sysfs_name": entry, "size_bytes": self.size_bytes(entry),
                        "start_bytes": start, "kernel_name": "/dev/%s" % entry}
        return None

    def udev_kpartx_delimiter(self):
        """(found, delimiter) of the kpartx call in this system's udev rules."""
        for directory in UDEV_RULE_DIRS:
            if not os.path.isdir(directory):
                continue
            for rule in sorted(os.listdir(directory)):
                if rule.endswith(".rules"):
                    found, delimiter = parse_kpartx_delimiter(
                        self.run.read_file(os.path.join(directory, rule)))
                    if found:
                        return found, delimiter
        return False, None

    def partition_map_names(self, sysfs_name):
        """{"map_name", "udev_name"} of a multipath partition map (dm-N), else None: its name
        now and the one the udev rules will give it (partition_map_udev_name)."""
        dm_uuid = self.dm_attribute(sysfs_name, "uuid")
        if not dm_uuid or not re.match(r"part\d+-mpath-", dm_uuid):
            return None
        slaves = "%s/%s/slaves" % (SYS_CLASS_BLOCK, sysfs_name)
        parents = sorted(os.listdir(slaves)) if os.path.isdir(slaves) else []
        parent_name = self.dm_attribute(parents[0], "name") if len(parents) == 1 else None
        map_name = self.dm_attribute(sysfs_name, "name")
        found, delimiter = self.udev_kpartx_delimiter()
        return {"map_name": map_name,
                "udev_name": partition_map_udev_name(dm_uuid, map_name, parent_name, found,
                                                     delimiter)}

    def kpartx_delimiter(self, parent, kernel_partition):
        """The delimiter of this system's partition map names: from the map that exists, else
        from the udev rules that create such maps at boot."""
        if kernel_partition is not None:
            current = kernel_partition["kernel_name"][len("/dev/mapper/"):]
            middle = current[len(parent["map_name"]):-1]
            if current.startswith(parent["map_name"]) and current.endswith("1"):
                return middle if middle else None
        return self.udev_kpartx_delimiter()[1]

    def probe_signature(self, device):
        rc, stdout, stderr = self.run(["blkid", "-p", "-o", "export", device], check=False)
        read_error = self.run.device_read_error(device) if rc == 2 else None
        return interpret_blkid_probe(device, rc, stdout, stderr, read_error)
