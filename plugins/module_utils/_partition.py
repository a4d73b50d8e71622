# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One GPT partition spanning a shared LUN: read, plan, and make the kernel see it.

The table is written with sfdisk, told neither to re-read nor to tell the kernel: libparted
(parted, community.general.parted) creates device-mapper partition maps itself under its own
names, which renames a multipath partition map under a mounted filesystem. The kernel's view
is updated afterwards the way the system's udev rules do it (kpartx with their delimiter), or
with partx for a plain disk.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shlex

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_device_number, mount_points_by_number, parse_mounted_nodes, parse_proc_mounts,
    path_device_number)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

LINUX_FILESYSTEM_GUID = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
ALIGNMENT_BYTES = 1 << 20
# A GPT made by sfdisk has 128 entries of 128 bytes; its backup copy sits behind the last
# usable sector: the entries, then the header in the device's last sector.
GPT_ENTRIES_BYTES = 128 * 128
SECTOR_BYTES_SYSFS = 512
SYS_CLASS_BLOCK = "/sys/class/block"
UDEV_RULE_DIRS = ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d",
                  "/lib/udev/rules.d")


def parse_sfdisk_json(text, sector_bytes=None):
    """Parse `sfdisk --json DEVICE`; sector_bytes: the device's logical block size (sysfs).

    Expects: {"partitiontable": {"label": "gpt", "id": "B5D5...", "device": "/dev/mapper/mpatha",
    "unit": "sectors", "firstlba": 2048, "lastlba": 6291422, "sectorsize": 512, "partitions":
    [{"node": "/dev/mapper/mpatha1", "start": 2048, "size": 6287360, "type": "0FC6...",
    "uuid": "8E37...", "name": "ocfs2"}]}}
    util-linux before 2.35 prints no "sectorsize": its sectors are the logical blocks, 4096
    bytes on a 4K-native LUN, so 512 would make every size 8 times too small.
    """
    table = json.loads(text)["partitiontable"]
    if "sectorsize" in table:
        sector = int(table["sectorsize"])
    elif sector_bytes:
        sector = int(sector_bytes)
    else:
        raise ToolError("sfdisk --json gives no sectorsize (util-linux before 2.35) and the "
                        "device's logical block size is unknown", stdout=text)
    partitions = []
    for entry in table.get("partitions", []):
        number = int(re.search(r"(\d+)$", entry["node"]).group(1))
        partitions.append({
            "number": number,
            "start_sector": int(entry["start"]),
            "size_sectors": int(entry["size"]),
            "start_bytes": int(entry["start"]) * sector,
            "size_bytes": int(entry["size"]) * sector,
            "type": entry.get("type", "").upper(),
            "uuid": entry.get("uuid", "").lower(),
            "name": entry.get("name", ""),
        })
    return {"label": table["label"], "sector_bytes": sector,
            "last_usable_sector": int(table.get("lastlba", 0)), "partitions": partitions}


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


def max_last_usable_sector(device_bytes, sector_bytes):
    total_sectors = device_bytes // sector_bytes
    entries_sectors = -(-GPT_ENTRIES_BYTES // sector_bytes)
    return total_sectors - 1 - entries_sectors - 1


def aligned_start_sector(sector_bytes):
    return ALIGNMENT_BYTES // sector_bytes


def aligned_end_sector(device_bytes, sector_bytes):
    """The last sector partition 1 may use: the end of the last whole MiB of usable space,
    as sfdisk itself aligns the end of a new partition."""
    grain = ALIGNMENT_BYTES // sector_bytes
    return (max_last_usable_sector(device_bytes, sector_bytes) + 1) // grain * grain - 1


def sfdisk_create_script(device_bytes, sector_bytes, name):
    start = aligned_start_sector(sector_bytes)
    return 'label: gpt\nstart=%d, size=%d, type=%s, name="%s"\n' % (
        start, aligned_end_sector(device_bytes, sector_bytes) - start + 1, LINUX_FILESYSTEM_GUID,
        name)


def validate_partition_name(name):
    if not name or len(name) > 36 or not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ToolError("partition name %r is not allowed: use 1 to 36 letters, digits, '.', "
                        "'_' or '-'" % (name,))


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


def plan_table(device, table, signature, device_bytes, params, usage=None):
    """What to write on disk: a list of (argv, stdin) pairs. Pure.

    `table` is parse_sfdisk_json's result or None when there is no partition table;
    `signature` is parse_blkid_probe's result; `usage` is BlockDevices.read_usage()'s, read
    when there is no table: a new table is written only on a device nothing uses.
    """
    name = params["name"]
    if table is None:
        if signature.get("TYPE") or signature.get("PTTYPE"):
            what = signature.get("TYPE") or ("a %s partition table" % signature["PTTYPE"])
            if not params["force"]:
                raise ToolError(
                    "%s already holds %s; refusing to partition it. Set force: true to "
                    "overwrite it, or choose an empty LUN." % (device, what), signature=signature)
        if params["refresh"]:
            raise ToolError("%s has no partition table to re-read: create it on one node first "
                            "(this module without refresh: true)" % device)
        # sfdisk checks that the device is unused only when it re-reads the table, which
        # --no-reread turns off: check it here, force or not.
        refuse_in_use(device, usage or [], "partition")
        # Whole-device signatures go only with force. Signatures inside the new partition
        # stay: an OCFS2 filesystem whose table was lost shows up again, and mkfs guards it.
        return [(["sfdisk", "--no-reread", "--no-tell-kernel",
                  "--wipe", "always" if params["force"] else "never",
                  "--wipe-partitions", "never", device],
                 sfdisk_create_script(device_bytes, params["sector_bytes"], name))]

    if table["label"] != "gpt":
        refuse_other_label(device, table, device_bytes)
    if len(table["partitions"]) != 1 or table["partitions"][0]["number"] != 1:
        raise ToolError("%s holds partitions %s; this module manages exactly one partition, "
                        "number 1, spanning the device; refusing to change the table." % (
                            device, ", ".join(str(part["number"]) for part in table["partitions"])
                            or "none"))
    partition = table["partitions"][0]
    if partition["name"] != name:
        raise ToolError("partition 1 of %s is named %r, not %r; refusing to change it. Set name: "
                        "%s if it is the one you mean."
                        % (device, partition["name"], name, partition["name"]))
    end_sector = partition["start_sector"] + partition["size_sectors"] - 1
    if end_sector > max_last_usable_sector(device_bytes, table["sector_bytes"]):
        raise ToolError("partition 1 of %s ends beyond the %d bytes this node sees: the device "
                        "shrank, or this node has not seen it grow yet (ocfs2.cluster.multipath "
                        "with state: resized); refusing to change the table" % (device, device_bytes))
    target_end = aligned_end_sector(device_bytes, table["sector_bytes"])
    if params["refresh"] or not params["grow"] or end_sector >= target_end:
        return []
    # One write moves the GPT backup header to the new end and extends partition 1; its start,
    # name and unique id stay.
    return [(["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", device],
             "start=%d, size=%d\n" % (partition["start_sector"],
                                      target_end - partition["start_sector"] + 1))]


def refuse_other_label(device, table, device_bytes):
    """Why a table that is not GPT is left alone, as a ToolError.

    A GPT whose headers lie beyond the device this node sees (another node grew the LUN and
    rewrote the table) is invalid to sfdisk here: it shows only the protective MBR, a "dos"
    table with one partition of type ee, which spans the grown LUN.
    """
    protective = [part for part in table["partitions"] if part["type"] == "EE"]
    if table["label"] == "dos" and len(table["partitions"]) == 1 and protective:
        written_for = (protective[0]["start_sector"] + protective[0]["size_sectors"]) * \
            table["sector_bytes"]
        if written_for > device_bytes:
            raise ToolError(
                "this node's map of %s (%d bytes) is smaller than the partition table on disk "
                "(written for %d bytes): another node grew the LUN and rewrote the GPT, and "
                "sfdisk here sees only its protective MBR. Grow this node's map first: run "
                "playbooks/resize.yml, which resizes the map on every node before it touches "
                "the partition (or ocfs2.cluster.multipath with state: resized on this node); "
                "nothing was changed." % (device, device_bytes, written_for))
        raise ToolError(
            "%s holds a GPT that sfdisk cannot read here (it sees only the protective MBR); "
            "refusing to change it. If another node grew the LUN, this node's map may be smaller "
            "than the partition table on disk: run playbooks/resize.yml. Otherwise check the "
            "table with sfdisk --verify %s." % (device, device))
    raise ToolError("%s holds a %s partition table, not GPT; refusing to change it. Convert "
                    "or wipe it yourself if it holds nothing." % (device, table["label"]))


def table_after_plan(table, writes, device_bytes, params):
    """The table as it will be once `writes` (plan_table's result) ran. Pure; for check mode."""
    if not writes:
        return table
    sector = params["sector_bytes"]
    if table:
        partition = dict(table["partitions"][0])
    else:
        partition = {"number": 1, "name": params["name"], "uuid": "", "type": LINUX_FILESYSTEM_GUID,
                     "start_sector": aligned_start_sector(sector)}
    last = max_last_usable_sector(device_bytes, sector)
    size = aligned_end_sector(device_bytes, sector) - partition["start_sector"] + 1
    partition.update(size_sectors=size, start_bytes=partition["start_sector"] * sector,
                     size_bytes=size * sector)
    return {"label": "gpt", "sector_bytes": sector, "last_usable_sector": last,
            "partitions": [partition]}


def plan_kernel_refresh(device, parent, kernel_partition, on_disk_partition, delimiter):
    """The commands that make the kernel see partition 1 as it is on disk. Pure.

    `parent` describes the device: {"kind": "dm"|"disk", "map_name": ...}; `kernel_partition` is
    what the kernel has now ({"start_bytes", "size_bytes"} or None).
    """
    if on_disk_partition is None:
        return []
    if on_disk_partition["start_bytes"] + on_disk_partition["size_bytes"] > parent["size_bytes"]:
        raise ToolError(
            "partition 1 on %s ends at byte %d, beyond the %d bytes this node sees; grow the "
            "device on this node first (ocfs2.cluster.multipath with state: resized)" % (
                device, on_disk_partition["start_bytes"] + on_disk_partition["size_bytes"],
                parent["size_bytes"]))
    if kernel_partition is not None and (
            kernel_partition["size_bytes"] == on_disk_partition["size_bytes"]
            and kernel_partition.get("start_bytes") in (None, on_disk_partition["start_bytes"])):
        return []
    if parent["kind"] == "dm":
        argv = ["kpartx", "-u"]
        if delimiter is not None:
            argv += ["-p", delimiter]
        return [argv + ["/dev/mapper/%s" % parent["map_name"]]]
    action = "-u" if kernel_partition is not None else "-a"
    return [["partx", action, "--nr", "1", device]]


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
        return int(self.run.read_file("/sys/class/block/%s/size" % sysfs_name)) * SECTOR_BYTES_SYSFS

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

    def read_table(self, device, sector_bytes):
        # Another node may have written the table: drop this node's cached copy first, or
        # sfdisk reads the old one through the page cache.
        self.run(["blockdev", "--flushbufs", device])
        rc, stdout, stderr = self.run(["sfdisk", "--json", device], check=False)
        if rc == 0:
            return parse_sfdisk_json(stdout, sector_bytes)
        if "does not contain a recognized partition table" in stderr:
            return None
        raise ToolError("sfdisk --json %s failed (rc=%d): %s" % (device, rc, stderr.strip()),
                        rc=rc, stderr=stderr)

    def probe_signature(self, device):
        rc, stdout, stderr = self.run(["blkid", "-p", "-o", "export", device], check=False)
        read_error = self.run.device_read_error(device) if rc == 2 else None
        return interpret_blkid_probe(device, rc, stdout, stderr, read_error)
