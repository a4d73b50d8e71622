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
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._block import refuse_in_use
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Step, ToolError, commands_of)

LINUX_FILESYSTEM_GUID = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
ALIGNMENT_BYTES = 1 << 20
# A GPT made by sfdisk has 128 entries of 128 bytes; its backup copy sits behind the last
# usable sector: the entries, then the header in the device's last sector.
GPT_ENTRIES_BYTES = 128 * 128


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


def read_table(run, device, sector_bytes):
    """The device's partition table (parse_sfdisk_json), or None when it has none."""
    # Another node may have written the table: drop this node's cached copy first, or
    # sfdisk reads the old one through the page cache.
    run(["blockdev", "--flushbufs", device])
    rc, stdout, stderr = run(["sfdisk", "--json", device], check=False)
    if rc == 0:
        return parse_sfdisk_json(stdout, sector_bytes)
    if "does not contain a recognized partition table" in stderr:
        return None
    raise ToolError("sfdisk --json %s failed (rc=%d): %s" % (device, rc, stderr.strip()),
                    rc=rc, stderr=stderr)


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


def plan_table(device, table, signature, device_bytes, params, usage=None):
    """What to write on disk: a list of Step, each with the sfdisk script as stdin. Pure.

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
        return [Step(["sfdisk", "--no-reread", "--no-tell-kernel",
                      "--wipe", "always" if params["force"] else "never",
                      "--wipe-partitions", "never", device],
                     stdin=sfdisk_create_script(device_bytes, params["sector_bytes"], name))]

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
    return [Step(["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", device],
                 stdin="start=%d, size=%d\n" % (partition["start_sector"],
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
    """The steps that make the kernel see partition 1 as it is on disk. Pure.

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
        return [Step(argv + ["/dev/mapper/%s" % parent["map_name"]])]
    action = "-u" if kernel_partition is not None else "-a"
    return [Step(["partx", action, "--nr", "1", device])]


def partition_one(table):
    """Partition 1 of a table (parse_sfdisk_json), or None."""
    return table["partitions"][0] if table and table["partitions"] else None


def write_table(block, params, check_mode, commands):
    """The partition module's first phase: read the device and its table, plan the table and
    write it (not in check mode). Returns (parent, table before, table after): after is the
    table on disk now, or in check mode as it would be.

    `params` gets the device's sector_bytes. `commands` (the module's argv lists) gets each
    write before it runs, so that a failure reports it.
    """
    device = params["device"]
    validate_partition_name(params["name"])
    parent = block.describe_parent(device)
    parent["size_bytes"] = block.size_bytes(parent["sysfs_name"])
    params["sector_bytes"] = block.logical_sector_bytes(parent["sysfs_name"])
    before = read_table(block.run, device, params["sector_bytes"])
    signature = block.probe_signature(device) if before is None else {}
    usage = block.read_usage(device, parent["sysfs_name"], signature) \
        if before is None and not params["refresh"] else None
    writes = plan_table(device, before, signature, parent["size_bytes"], params, usage=usage)
    commands += commands_of(writes)
    if check_mode:
        return parent, before, table_after_plan(before, writes, parent["size_bytes"], params)
    for step in writes:
        block.run.run_step(step)
    after = read_table(block.run, device, params["sector_bytes"])
    if writes:
        # The write's close sends udev a change event; let its rules finish first.
        block.run(["udevadm", "settle"], check=False)
    return parent, before, after


def refresh_kernel(block, device, parent, on_disk, check_mode, commands):
    """The partition module's second phase: make the kernel see partition 1 as it is on disk
    (`on_disk`), and check that it does. Returns (the refresh steps, partition 1 as the kernel
    has it after them, or None). `commands` as for write_table."""
    kernel_before = block.kernel_partition(parent)
    delimiter = block.kpartx_delimiter(parent, kernel_before) if parent["kind"] == "dm" \
        else None
    refresh = plan_kernel_refresh(device, parent, kernel_before, on_disk, delimiter)
    commands += commands_of(refresh)
    if check_mode or not refresh:
        return refresh, kernel_before
    for step in refresh:
        block.run.run_step(step)
    block.run(["udevadm", "settle"], check=False)
    kernel_after = block.kernel_partition(parent)
    check_kernel_partition(device, refresh, kernel_after, on_disk)
    return refresh, kernel_after


def check_kernel_partition(device, refresh, kernel_after, on_disk):
    """Raise a ToolError when, after the refresh steps, the kernel does not see partition 1
    at its size on disk. Pure."""
    if kernel_after is None or kernel_after["size_bytes"] != on_disk["size_bytes"]:
        raise ToolError(
            "after %s the kernel sees partition 1 of %s as %s, not %d bytes as on disk. "
            "Check: lsblk %s" % (" ".join(refresh[-1].argv), device,
                                 "missing" if kernel_after is None
                                 else "%d bytes" % kernel_after["size_bytes"],
                                 on_disk["size_bytes"], device))


def summary(table):
    """One side of the partition module's diff."""
    if table is None:
        return {"label": None, "partitions": []}
    return {"label": table["label"],
            "partitions": [{key: part[key] for key in ("number", "name", "start_bytes",
                                                       "size_bytes")}
                           for part in table["partitions"]]}


def dm_partition_path(dm_uuid):
    """The link udev makes for partition 1 of a device-mapper map, by the map's dm uuid
    (multipath-tools' and kpartx's rules): it survives renames of the map (mpatha-part1 or
    mpatha1)."""
    return "/dev/disk/by-id/dm-uuid-part1-%s" % dm_uuid


def multipath_partition_path(wwid):
    """dm_partition_path of a multipath map, whose dm uuid is "mpath-" and its WWID. The roles
    and playbooks name partition 1 with it (the partition_path filter)."""
    return dm_partition_path("mpath-%s" % wwid)


def stable_path(parent, partition):
    """A path to partition 1 that stays when the kernel renames it, or None."""
    if partition is None:
        return None
    if parent["kind"] == "dm":
        return dm_partition_path(parent["dm_uuid"])
    if partition.get("uuid"):
        return "/dev/disk/by-partuuid/%s" % partition["uuid"]
    return None


def partition_report(parent, before, after, refresh, kernel_after, check_mode):
    """The partition module's result besides changed and commands."""
    on_disk = partition_one(after)
    result = dict(device_size_bytes=parent["size_bytes"], partition=on_disk,
                  diff=dict(before=summary(before), after=summary(after)))
    if on_disk is not None:
        result["stable_path"] = stable_path(parent, on_disk)
    if kernel_after is not None:
        result["kernel_name"] = kernel_after["kernel_name"]
        result["kernel_size_bytes"] = (on_disk["size_bytes"] if check_mode and refresh
                                       else kernel_after["size_bytes"])
    return result
