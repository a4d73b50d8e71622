"""Partition planning on tables captured in the lab (sfdisk 2.38.1, kpartx 0.9.4)."""

import os

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils import _partition
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_points_by_number, parse_proc_mounts)
from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import parse_mounted_nodes
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import (
    BlockDevices, aligned_end_sector, dm_relation, interpret_blkid_probe, kpartx_map_name,
    parse_blkid_probe, parse_kpartx_delimiter, partition_map_udev_name, parse_sfdisk_json, plan_kernel_refresh, plan_table,
    refuse_multipath_path, table_after_plan)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError
from conftest import read_fixture

GIB = 1 << 30
DEVICE = "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001"
MULTIPATH = {"kind": "dm", "map_name": "mpatha", "dm_uuid": "mpath-35000c0ca1ab00001",
             "size_bytes": 3 * GIB}


def table(name="sfdisk_json_one_partition.txt", util_linux="util-linux-2.38.1/"):
    return parse_sfdisk_json(read_fixture(util_linux + name))


def params(**overrides):
    values = {"name": "vmstore", "grow": False, "refresh": False, "force": False,
              "sector_bytes": 512}
    values.update(overrides)
    return values


def test_parse_sfdisk_json_reads_partition_one_in_bytes():
    parsed = table()
    assert (parsed["label"], parsed["sector_bytes"], parsed["last_usable_sector"]) == \
        ("gpt", 512, 6291422)
    assert parsed["partitions"] == [{
        "number": 1, "start_sector": 2048, "size_sectors": 6287360, "start_bytes": 1 << 20,
        "size_bytes": 6287360 * 512, "type": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
        "uuid": "4b2ef114-c294-f947-9162-1f4d9a30cfea", "name": "vmstore"}]


def test_parse_sfdisk_json_after_the_grow_on_debian13():
    grown = table("sfdisk_json_one_partition_grown.txt", "util-linux-2.41.5/")
    assert (grown["label"], grown["sector_bytes"], grown["last_usable_sector"]) == \
        ("gpt", 512, 8388574)
    assert grown["partitions"] == [{
        "number": 1, "start_sector": 2048, "size_sectors": 8384512, "start_bytes": 1 << 20,
        "size_bytes": 8384512 * 512, "type": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
        "uuid": "7f618683-0e9f-4c37-93da-d5b6d1d74226", "name": "ocfs2"}]


def test_the_partition_resize_yml_grew_on_debian13_is_the_grow_plan():
    # Partition 1 ends at the last whole MiB of the 4 GiB LUN: nothing left to grow.
    grown = table("sfdisk_json_one_partition_grown.txt", "util-linux-2.41.5/")
    assert grown["partitions"][0]["size_sectors"] == 8386560 - 2048
    assert plan_table(DEVICE, grown, {}, 4 * GIB, params(name="ocfs2", grow=True)) == []


def test_create_plan_matches_what_sfdisk_made_in_the_lab():
    # The lab's partition was made by this plan; recomputing it gives the same layout.
    ((argv, script),) = plan_table(DEVICE, None, {}, 3 * GIB, params())
    assert argv == ["sfdisk", "--no-reread", "--no-tell-kernel", "--wipe", "never",
                    "--wipe-partitions", "never", DEVICE]
    made = table()["partitions"][0]
    assert script == ('label: gpt\nstart=2048, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4,'
                      ' name="vmstore"\n' % made["size_sectors"])


def test_existing_matching_table_is_left_alone():
    assert plan_table(DEVICE, table(), {}, 3 * GIB, params()) == []


def test_grow_plan_is_empty_when_partition_already_fills_the_device():
    assert plan_table(DEVICE, table(), {}, 3 * GIB, params(grow=True)) == []


def test_grow_after_the_lun_grew_extends_partition_one_to_the_aligned_end():
    grown = table("sfdisk_json_device_grew.txt")
    ((argv, script),) = plan_table(DEVICE, grown, {}, 4 * GIB, params(grow=True))
    assert argv == ["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", DEVICE]
    # 4 GiB: the last usable sector is 8388574, the last whole MiB ends at 8386559; the lab's
    # grown partition came out at 8384512 sectors (4292870144 bytes).
    assert script == "start=2048, size=%d\n" % (8386560 - 2048)
    assert aligned_end_sector(4 * GIB, 512) == 8386559


def test_refresh_never_writes():
    grown = table("sfdisk_json_device_grew.txt")
    assert plan_table(DEVICE, grown, {}, 4 * GIB, params(refresh=True)) == []


def test_check_mode_prediction_equals_the_grow_plan():
    grown = table("sfdisk_json_device_grew.txt")
    writes = plan_table(DEVICE, grown, {}, 4 * GIB, params(grow=True))
    predicted = table_after_plan(grown, writes, 4 * GIB, params(grow=True))["partitions"][0]
    assert (predicted["start_sector"], predicted["size_sectors"], predicted["name"],
            predicted["uuid"]) == (2048, 8386560 - 2048, "vmstore",
                                   "4b2ef114-c294-f947-9162-1f4d9a30cfea")


def test_blank_device_is_refused_for_refresh():
    with pytest.raises(ToolError, match="no partition table to re-read"):
        plan_table(DEVICE, None, {}, 3 * GIB, params(refresh=True))


@pytest.mark.parametrize("util_linux", ["util-linux-2.38.1/", "util-linux-2.41.5/"],
                         ids=["debian12", "debian13"])
def test_device_with_ext4_is_refused_without_force_and_wiped_with_it(util_linux):
    ext4 = parse_blkid_probe(read_fixture(util_linux + "blkid_probe_ext4.txt"))
    with pytest.raises(ToolError, match=r"already holds ext4; refusing .*force: true"):
        plan_table(DEVICE, None, ext4, 3 * GIB, params())
    ((argv, _script),) = plan_table(DEVICE, None, ext4, 3 * GIB, params(force=True))
    assert argv[3:5] == ["--wipe", "always"]


def test_other_partition_name_is_refused():
    with pytest.raises(ToolError, match=r"named 'vmstore', not 'data'.*name: vmstore"):
        plan_table(DEVICE, table(), {}, 3 * GIB, params(name="data"))


def test_non_gpt_and_extra_partitions_are_refused():
    dos = dict(table(), label="dos")
    with pytest.raises(ToolError, match="holds a dos partition table, not GPT"):
        plan_table(DEVICE, dos, {}, 3 * GIB, params())
    two = table()
    two["partitions"].append(dict(two["partitions"][0], number=2))
    with pytest.raises(ToolError, match="holds partitions 1, 2"):
        plan_table(DEVICE, two, {}, 3 * GIB, params(grow=True))


def test_partition_beyond_the_device_this_node_sees_is_refused():
    grown_on_disk = table("sfdisk_json_device_grew.txt")
    grown_on_disk["partitions"][0]["size_sectors"] = 8386560 - 2048
    with pytest.raises(ToolError, match="ends beyond the 3221225472 bytes this node sees"):
        plan_table(DEVICE, grown_on_disk, {}, 3 * GIB, params(refresh=True))


@pytest.mark.parametrize("util_linux, ptuuid", [
    ("util-linux-2.38.1/", "3e9c25e9-d137-204c-817a-f97eb0f9c84c"),
    ("util-linux-2.41.5/", "ad2fa916-e78c-4ddf-8772-3d7995419194"),
], ids=["debian12", "debian13"])
def test_blkid_probe_of_a_partition_table_and_of_nothing(util_linux, ptuuid):
    gpt = parse_blkid_probe(read_fixture(util_linux + "blkid_probe_gpt.txt"))
    assert (gpt["PTTYPE"], gpt["PTUUID"]) == ("gpt", ptuuid)
    assert "TYPE" not in gpt
    assert parse_blkid_probe("") == {}


def test_blkid_probe_of_the_ocfs2_partition_on_debian13():
    ocfs2 = parse_blkid_probe(read_fixture("util-linux-2.41.5/blkid_probe_ocfs2_partition.txt"))
    assert (ocfs2["TYPE"], ocfs2["UUID"], ocfs2["PART_ENTRY_NAME"], ocfs2["PART_ENTRY_NUMBER"],
            ocfs2["PART_ENTRY_OFFSET"], ocfs2["PART_ENTRY_SIZE"]) == (
        "ocfs2", "14544fad-09b4-47e2-a66f-e6c89dd03c45", "ocfs2", "1", "2048", "8384512")
    # No LABEL line: the role made it without a label.
    assert "LABEL" not in ocfs2


# multipath-tools 0.11.1 calls /usr/sbin/kpartx, 0.9.4 /sbin/kpartx; both with -p -part.
@pytest.mark.parametrize("multipath_tools", ["multipath-tools-0.9.4/",
                                             "multipath-tools-0.11.1/"],
                         ids=["debian12", "debian13"])
def test_debian_udev_rule_gives_the_part_delimiter(multipath_tools):
    rules = read_fixture(multipath_tools + "udev_60-kpartx.rules.txt")
    assert parse_kpartx_delimiter(rules) == (True, "-part")


def test_rule_without_delimiter_leaves_kpartx_default_and_comments_do_not_count():
    # Constructed lines, not captured: the shape of a rule that gives no -p, behind a comment.
    rules = '#RUN+="/sbin/kpartx -un -p -part /dev/$name"\nRUN+="/sbin/kpartx -un /dev/$name"\n'
    assert parse_kpartx_delimiter(rules) == (True, None)
    assert parse_kpartx_delimiter("# nothing here\n") == (False, None)


def on_disk(size_bytes):
    return {"start_bytes": 1 << 20, "size_bytes": size_bytes}


def test_kernel_refresh_reloads_the_multipath_partition_map_with_the_system_delimiter():
    assert plan_kernel_refresh(DEVICE, MULTIPATH, {"size_bytes": 2 * GIB}, on_disk(3 * GIB - (2 << 20)),
                               "-part") == [["kpartx", "-u", "-p", "-part", "/dev/mapper/mpatha"]]
    assert plan_kernel_refresh(DEVICE, MULTIPATH, None, on_disk(GIB), None) == [
        ["kpartx", "-u", "/dev/mapper/mpatha"]]


def test_kernel_refresh_is_empty_when_the_kernel_already_agrees():
    assert plan_kernel_refresh(DEVICE, MULTIPATH, {"size_bytes": GIB}, on_disk(GIB), "-part") == []


def test_kernel_refresh_for_a_disk_adds_or_updates_with_partx():
    disk = {"kind": "disk", "size_bytes": 3 * GIB}
    assert plan_kernel_refresh("/dev/sdc", disk, None, on_disk(GIB), None) == [
        ["partx", "-a", "--nr", "1", "/dev/sdc"]]
    assert plan_kernel_refresh("/dev/sdc", disk, {"size_bytes": GIB // 2, "start_bytes": 1 << 20},
                               on_disk(GIB), None) == [["partx", "-u", "--nr", "1", "/dev/sdc"]]


def test_blkid_exit_2_is_blank_only_when_nothing_went_wrong():
    assert interpret_blkid_probe(DEVICE, 2, "", "", None) == {}
    assert interpret_blkid_probe(DEVICE, 0, read_fixture(
        "util-linux-2.38.1/blkid_probe_gpt.txt"), "", None)["PTTYPE"] == "gpt"


def test_blkid_exit_2_with_an_error_on_stderr_is_a_failed_probe():
    """Captured: blkid -p as a user who cannot open the device exits 2 with no output."""
    stderr = read_fixture("util-linux-2.38.1/blkid_probe_permission_denied.stderr.txt")
    with pytest.raises(ToolError, match=r"blkid -p could not probe %s \(rc=2\): blkid: error: "
                                        r".*Permission denied; refusing to take it for a blank "
                                        r"device" % DEVICE):
        interpret_blkid_probe(DEVICE, 2, "", stderr, None)


def test_blkid_exit_2_on_a_device_that_cannot_be_read_is_a_failed_probe():
    """blkid -p exits 2 silently when reading the device fails (util-linux misc-utils/blkid.c,
    lowprobe_device: a probe error ends as BLKID_EXIT_NOTFOUND); the module reads the device
    itself to tell. The read error here is constructed."""
    with pytest.raises(ToolError, match=r"blkid -p could not probe %s \(rc=2\): reading it "
                                        r"failed: \[Errno 5\] Input/output error" % DEVICE):
        interpret_blkid_probe(DEVICE, 2, "", "", "[Errno 5] Input/output error")


def test_device_read_error_reads_both_ends(tmp_path):
    image = tmp_path / "lun.img"
    image.write_bytes(b"\0" * (3 << 20))
    assert Runner.device_read_error(str(image)) is None
    assert "No such file" in Runner.device_read_error(str(tmp_path / "missing.img"))


def test_sfdisk_without_sectorsize_uses_the_logical_block_size_from_sysfs():
    """util-linux before 2.35 (RHEL 8: 2.32) prints no "sectorsize". The fixture is derived
    from util-linux-2.38.1/sfdisk_json_one_partition.txt for a LUN with 4096-byte logical
    blocks (see its header), not captured."""
    text = read_fixture("util-linux-2.32.1/sfdisk_json_4k_no_sectorsize.txt")
    parsed = parse_sfdisk_json(text, 4096)
    assert parsed["sector_bytes"] == 4096
    assert (parsed["partitions"][0]["start_bytes"], parsed["partitions"][0]["size_bytes"]) == (
        1 << 20, 785920 * 4096)
    # The table this module writes on that LUN is the one in the fixture: nothing to change.
    assert plan_table(DEVICE, parsed, {}, 3 * GIB, params(sector_bytes=4096)) == []
    assert plan_table(DEVICE, parsed, {}, 3 * GIB, params(sector_bytes=4096, grow=True)) == []


def test_sfdisk_sectorsize_wins_over_the_given_size():
    assert parse_sfdisk_json(read_fixture("util-linux-2.38.1/sfdisk_json_one_partition.txt"),
                             4096)["sector_bytes"] == 512


def test_a_map_smaller_than_the_gpt_on_disk_says_so_and_names_resize_yml():
    """Another node grew the LUN to 4 GiB and rewrote the GPT; this node's map is still 3 GiB,
    and sfdisk sees only the protective MBR (fixture derived, see its header)."""
    protective = table("sfdisk_json_protective_mbr_only.txt")
    for refresh in (False, True):
        with pytest.raises(ToolError, match=r"this node's map of %s \(3221225472 bytes\) is "
                                            r"smaller than the partition table on disk \(written "
                                            r"for 4294967296 bytes\).*playbooks/resize.yml"
                                            % DEVICE):
            plan_table(DEVICE, protective, {}, 3 * GIB, params(refresh=refresh))


def test_a_protective_mbr_that_fits_is_a_gpt_sfdisk_cannot_read():
    protective = table("sfdisk_json_protective_mbr_only.txt")
    with pytest.raises(ToolError, match=r"holds a GPT that sfdisk cannot read here.*refusing "
                                        r"to change it"):
        plan_table(DEVICE, protective, {}, 4 * GIB, params())


# ------------------------------------------------------------------ force never skips in-use checks

def member(path, relation="device", mount_points=(), nodes=()):
    return {"path": path, "relation": relation, "mount_points": list(mount_points),
            "nodes": list(nodes)}


def test_forced_wipe_is_refused_while_a_whole_device_filesystem_is_mounted_on_any_node():
    """sfdisk --wipe always with --no-reread never checks whether the device is in use: OCFS2
    on the whole LUN, mounted on node1 and node2 (mounted.ocfs2 -f, captured)."""
    ocfs2 = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_ocfs2_partition.txt"))
    nodes = parse_mounted_nodes(read_fixture("ocfs2-tools-1.8.7/mounted_f_two_nodes.txt"))
    with pytest.raises(ToolError, match=r"%s is in use \(mounted on node1, node2\); refusing to "
                                        r"partition it, with or without force" % DEVICE):
        plan_table(DEVICE, None, ocfs2, 3 * GIB, params(force=True),
                   usage=[member(DEVICE, nodes=nodes)])
    with pytest.raises(ToolError, match=r"mounted here at /srv/vmstore"):
        plan_table(DEVICE, None, ocfs2, 3 * GIB, params(force=True),
                   usage=[member(DEVICE, mount_points=["/srv/vmstore"])])


def test_forced_wipe_is_refused_while_anything_is_built_on_the_device():
    usage = [member(DEVICE), member("/dev/mapper/vg0-lv0", "LVM volume")]
    with pytest.raises(ToolError, match=r"is in use \(LVM volume /dev/mapper/vg0-lv0 is built on "
                                        r"it\); refusing to partition it.*vgchange -an"):
        plan_table(DEVICE, None, {"TYPE": "LVM2_member"}, 3 * GIB, params(force=True),
                   usage=usage)


def test_an_unused_device_is_partitioned_as_before():
    ((argv, _script),) = plan_table(DEVICE, None, {"TYPE": "ext4"}, 3 * GIB, params(force=True),
                                    usage=[member(DEVICE)])
    assert argv[3:5] == ["--wipe", "always"]


def test_holders_are_named_by_what_they_are():
    assert dm_relation("part1-mpath-35000c0ca1ab00001") == "partition map"
    assert dm_relation("LVM-kxG3sdRdDbw5UuWkmr1ZZMM2DEKVgknn") == "LVM volume"
    assert dm_relation("mpath-35000c0ca1ab00001") == "multipath map"
    assert dm_relation(None) == "device-mapper device"


@pytest.mark.parametrize("ocfs2_tools, mount_point", [
    ("ocfs2-tools-1.8.7/", "/srv/vmstore"), ("ocfs2-tools-1.8.8/", "/srv/ocfs2")],
    ids=["debian12", "debian13"])
def test_mounts_are_matched_by_device_number(ocfs2_tools, mount_point):
    entries = parse_proc_mounts(read_fixture(ocfs2_tools + "proc_mounts_node1_mounted.txt"))
    numbers = {"/dev/mapper/mpatha-part1": 64769, "/dev/vda": 65024}
    mounted = mount_points_by_number(entries, numbers.get, lambda point: None)
    assert mounted == {64769: [mount_point], 65024: ["/"]}


class FakeRun(object):
    """Files and tool output of a node whose LUN dm-0 has partition map dm-1 mounted at
    /srv/vmstore (sysfs layout as on the lab's node1; tool output from the fixtures)."""

    files = {
        "/sys/class/block/dm-0/dev": "253:0\n",
        "/sys/class/block/dm-1/dev": "253:1\n",
        "/sys/class/block/dm-1/dm/name": "mpatha-part1\n",
        "/sys/class/block/dm-1/dm/uuid": "part1-mpath-35000c0ca1ab00001\n",
        "/proc/mounts": read_fixture("ocfs2-tools-1.8.7/proc_mounts_node1_mounted.txt"),
    }
    dirs = {"/sys/class/block/dm-0": ["dm", "holders", "queue"],
            "/sys/class/block/dm-0/holders": ["dm-1"],
            "/sys/class/block/dm-1": ["dm", "holders"], "/sys/class/block/dm-1/holders": []}
    outputs = {
        "blkid": (0, read_fixture("util-linux-2.38.1/blkid_probe_ocfs2_partition.txt"), ""),
        "mounted.ocfs2": (0, read_fixture("ocfs2-tools-1.8.7/mounted_f_two_nodes.txt"), ""),
    }

    def read_file(self, path):
        return self.files[path]

    def __call__(self, argv, check=True, data=None):
        return self.outputs[argv[0]]


def test_read_usage_finds_the_mounted_partition_map_on_the_lun(monkeypatch):
    import ansible_collections.ocfs2.cluster.plugins.module_utils._partition as partition
    run = FakeRun()
    monkeypatch.setattr(partition.os.path, "isdir", lambda path: path in run.dirs)
    monkeypatch.setattr(partition.os, "listdir", lambda path: run.dirs[path])
    monkeypatch.setattr(partition.os.path, "exists", lambda path: path in run.files)
    monkeypatch.setattr(partition, "path_device_number",
                        {"/dev/mapper/mpatha-part1": os.makedev(253, 1)}.get)
    monkeypatch.setattr(partition, "mount_device_number", lambda mount_point: None)
    usage = partition.BlockDevices(run).read_usage(DEVICE, "dm-0", parse_blkid_probe(
        read_fixture("util-linux-2.38.1/blkid_probe_gpt.txt")))
    assert usage == [
        {"path": DEVICE, "relation": "device", "mount_points": [], "nodes": []},
        {"path": "/dev/mapper/mpatha-part1", "relation": "partition map",
         "mount_points": ["/srv/vmstore"], "nodes": ["node1", "node2"]}]


# ------------------------------------------------------------------ a path of a multipath map

WWID = "35000c0ca1ab00001"


def test_a_path_of_a_multipath_map_is_refused_naming_the_maps_stable_path():
    # /sys/class/block/sdb/holders/dm-0, whose dm/uuid is mpath-WWID: sdb is one path of mpatha.
    with pytest.raises(ToolError, match=r"^/dev/sdb is a path of multipath map mpatha \(WWID "
                                        r"35000c0ca1ab00001, dm-0\).*Name the map instead.*"
                                        r"/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001 "
                                        r"\(for the filesystem role, filesystem_device"):
        refuse_multipath_path("/dev/sdb", [{"kernel_name": "dm-0", "name": "mpatha",
                                            "uuid": "mpath-" + WWID}])


def test_a_map_a_partition_map_or_a_plain_disk_is_not_a_path():
    refuse_multipath_path("/dev/disk/by-id/dm-uuid-mpath-" + WWID,
                          [{"kernel_name": "dm-1", "name": "mpatha-part1",
                            "uuid": "part1-mpath-" + WWID}])
    refuse_multipath_path("/dev/vdb", [])
    refuse_multipath_path("/dev/sdc", [{"kernel_name": "dm-3", "name": "vg-lv",
                                        "uuid": "LVM-abc"}])


def fake_sysfs(tmp_path):
    """sda: a path of mpatha (dm-0) with a stale partition sda1; vdb: a plain disk."""
    block = tmp_path / "class" / "block"
    devices = tmp_path / "devices"
    for name in ("sda", "sda/sda1", "vdb", "dm-0/dm", "dm-0/holders"):
        (devices / name).mkdir(parents=True)
    (devices / "sda" / "holders").mkdir()
    (devices / "sda" / "holders" / "dm-0").symlink_to(devices / "dm-0")
    (devices / "sda" / "sda1" / "partition").write_text("1\n")
    (devices / "dm-0" / "dm" / "uuid").write_text("mpath-%s\n" % WWID)
    (devices / "dm-0" / "dm" / "name").write_text("mpatha\n")
    block.mkdir(parents=True)
    for name, target in (("sda", "sda"), ("sda1", "sda/sda1"), ("vdb", "vdb"), ("dm-0", "dm-0")):
        (block / name).symlink_to(devices / target)
    return str(block)


class FileRunner(object):
    @staticmethod
    def read_file(path):
        with open(path) as handle:
            return handle.read()


def test_holders_read_from_sysfs_refuse_a_path_and_its_partition(tmp_path, monkeypatch):
    monkeypatch.setattr(_partition, "SYS_CLASS_BLOCK", fake_sysfs(tmp_path))
    block = BlockDevices(FileRunner())
    assert block.holders("sda") == [{"kernel_name": "dm-0", "name": "mpatha",
                                     "uuid": "mpath-" + WWID}]
    assert block.holders("sda1") == block.holders("sda")
    assert block.holders("vdb") == []
    monkeypatch.setattr(BlockDevices, "sysfs_name", staticmethod(
        lambda device: device.rsplit("/", 1)[-1]))
    for device in ("/dev/sda", "/dev/sda1"):
        with pytest.raises(ToolError, match="%s is a path of multipath map mpatha" % device):
            block.describe_parent(device)
    assert block.describe_parent("/dev/vdb") == {"kind": "disk", "sysfs_name": "vdb"}


def test_the_filesystem_modules_refuse_a_path_of_a_multipath_map(tmp_path, monkeypatch):
    # ocfs2.cluster.filesystem and filesystem_info read the device through Volume.
    from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import Volume
    monkeypatch.setattr(_partition, "SYS_CLASS_BLOCK", fake_sysfs(tmp_path))
    monkeypatch.setattr(BlockDevices, "sysfs_name", staticmethod(
        lambda device: device.rsplit("/", 1)[-1]))
    with pytest.raises(ToolError, match="^/dev/sda is a path of multipath map mpatha"):
        Volume(FileRunner(), "/dev/sda")


# ------------------------------------------------------------------ the name udev gives a partition map

def test_kpartx_names_partitions_with_the_rules_delimiter_or_its_default():
    assert kpartx_map_name("mpatha", 1, "-part") == "mpatha-part1"
    assert kpartx_map_name("mpatha", 1, None) == "mpatha1"
    # kpartx's default puts a "p" after a name that ends in a digit (a WWID-named map).
    assert kpartx_map_name("35000c0ca1ab00001", 1, None) == "35000c0ca1ab00001p1"
    assert kpartx_map_name("35000c0ca1ab00001", 2, "-part") == "35000c0ca1ab00001-part2"


def test_the_udev_name_of_a_map_named_the_runbooks_way():
    _found, delimiter = parse_kpartx_delimiter(read_fixture(
        "multipath-tools-0.9.4/udev_60-kpartx.rules.txt"))
    uuid = "part1-mpath-35000c0ca1ab00001"
    assert partition_map_udev_name(uuid, "mpatha1", "mpatha", True, delimiter) == "mpatha-part1"
    assert partition_map_udev_name(uuid, "mpatha-part1", "mpatha", True, delimiter) == \
        "mpatha-part1"
    # Rules without kpartx rename nothing; a map that is no multipath partition has no such name.
    assert partition_map_udev_name(uuid, "mpatha1", "mpatha", False, None) is None
    assert partition_map_udev_name("LVM-abc", "vg-lv", None, True, delimiter) is None
