"""Block devices as sysfs, blkid and the udev rules describe them (captured in the lab:
util-linux 2.38.1 and 2.41.5, multipath-tools 0.9.4 and 0.11.1, ocfs2-tools 1.8.7)."""

import os

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils import _block
from ansible_collections.ocfs2.cluster.plugins.module_utils._block import (
    BlockDevices, dm_relation, interpret_blkid_probe, kpartx_map_name, parse_blkid_probe,
    parse_kpartx_delimiter, partition_map_udev_name, refuse_multipath_path, sysfs_size_bytes)
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_points_by_number, parse_proc_mounts)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError
from conftest import read_fixture

DEVICE = "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001"


def test_sysfs_size_is_counted_in_512_byte_sectors():
    # /sys/class/block/dm-0/size of the lab's 3 GiB LUN, whatever its logical block size.
    class SizeRun(object):
        @staticmethod
        def read_file(path):
            return {"/sys/class/block/dm-0/size": "6291456\n"}[path]

    assert sysfs_size_bytes(SizeRun(), "dm-0") == 3 << 30
    assert BlockDevices(SizeRun()).size_bytes("dm-0") == 3 << 30



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
    run = FakeRun()
    monkeypatch.setattr(_block.os.path, "isdir", lambda path: path in run.dirs)
    monkeypatch.setattr(_block.os, "listdir", lambda path: run.dirs[path])
    monkeypatch.setattr(_block.os.path, "exists", lambda path: path in run.files)
    monkeypatch.setattr(_block, "path_device_number",
                        {"/dev/mapper/mpatha-part1": os.makedev(253, 1)}.get)
    monkeypatch.setattr(_block, "mount_device_number", lambda mount_point: None)
    usage = _block.BlockDevices(run).read_usage(DEVICE, "dm-0", parse_blkid_probe(
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
    monkeypatch.setattr(_block, "SYS_CLASS_BLOCK", fake_sysfs(tmp_path))
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
    monkeypatch.setattr(_block, "SYS_CLASS_BLOCK", fake_sysfs(tmp_path))
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
