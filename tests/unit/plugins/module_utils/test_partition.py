"""Partition planning on tables captured in the lab (sfdisk 2.38.1, kpartx 0.9.4)."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._block import parse_blkid_probe
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import parse_mounted_nodes
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import (
    aligned_end_sector, check_kernel_partition, multipath_partition_path, parse_sfdisk_json,
    partition_one, partition_report, plan_kernel_refresh, plan_table, refresh_kernel, stable_path,
    summary, table_after_plan, write_table)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, Step, ToolError
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
    (step,) = plan_table(DEVICE, None, {}, 3 * GIB, params())
    assert step.argv == ["sfdisk", "--no-reread", "--no-tell-kernel", "--wipe", "never",
                    "--wipe-partitions", "never", DEVICE]
    made = table()["partitions"][0]
    assert step.stdin == ('label: gpt\nstart=2048, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4,'
                      ' name="vmstore"\n' % made["size_sectors"])


def test_existing_matching_table_is_left_alone():
    assert plan_table(DEVICE, table(), {}, 3 * GIB, params()) == []


def test_grow_plan_is_empty_when_partition_already_fills_the_device():
    assert plan_table(DEVICE, table(), {}, 3 * GIB, params(grow=True)) == []


def test_grow_after_the_lun_grew_extends_partition_one_to_the_aligned_end():
    grown = table("sfdisk_json_device_grew.txt")
    (step,) = plan_table(DEVICE, grown, {}, 4 * GIB, params(grow=True))
    assert step.argv == ["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", DEVICE]
    # 4 GiB: the last usable sector is 8388574, the last whole MiB ends at 8386559; the lab's
    # grown partition came out at 8384512 sectors (4292870144 bytes).
    assert step.stdin == "start=2048, size=%d\n" % (8386560 - 2048)
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
    (step,) = plan_table(DEVICE, None, ext4, 3 * GIB, params(force=True))
    assert step.argv[3:5] == ["--wipe", "always"]


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


def on_disk(size_bytes):
    return {"start_bytes": 1 << 20, "size_bytes": size_bytes}


def test_kernel_refresh_reloads_the_multipath_partition_map_with_the_system_delimiter():
    assert plan_kernel_refresh(DEVICE, MULTIPATH, {"size_bytes": 2 * GIB},
                               on_disk(3 * GIB - (2 << 20)), "-part") == [
        Step(["kpartx", "-u", "-p", "-part", "/dev/mapper/mpatha"])]
    assert plan_kernel_refresh(DEVICE, MULTIPATH, None, on_disk(GIB), None) == [
        Step(["kpartx", "-u", "/dev/mapper/mpatha"])]


def test_kernel_refresh_is_empty_when_the_kernel_already_agrees():
    assert plan_kernel_refresh(DEVICE, MULTIPATH, {"size_bytes": GIB}, on_disk(GIB), "-part") == []


def test_kernel_refresh_for_a_disk_adds_or_updates_with_partx():
    disk = {"kind": "disk", "size_bytes": 3 * GIB}
    assert plan_kernel_refresh("/dev/sdc", disk, None, on_disk(GIB), None) == [
        Step(["partx", "-a", "--nr", "1", "/dev/sdc"])]
    assert plan_kernel_refresh("/dev/sdc", disk, {"size_bytes": GIB // 2, "start_bytes": 1 << 20},
                               on_disk(GIB), None) == [
        Step(["partx", "-u", "--nr", "1", "/dev/sdc"])]


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
    (step,) = plan_table(DEVICE, None, {"TYPE": "ext4"}, 3 * GIB, params(force=True),
                         usage=[member(DEVICE)])
    assert step.argv[3:5] == ["--wipe", "always"]


# ------------------------------------------------------------------ the module's two phases

GROWN_SIZE = (8386560 - 2048) * 512
PARTITION_MAP = "/dev/mapper/mpatha-part1"


class FakeModule(object):
    """Records what Runner asks run_command to run; answers sfdisk --json from `tables` in turn."""

    def __init__(self, tables):
        self.tables = list(tables)
        self.ran = []

    @staticmethod
    def get_bin_path(name, required=False):
        return name

    def run_command(self, command, data=None, **_options):
        self.ran.append((command, data))
        if command[:2] == ["sfdisk", "--json"]:
            return 0, self.tables.pop(0), ""
        return 0, "", ""


class FakeBlock(object):
    """BlockDevices of the lab's node1 after the LUN grew to 4 GiB; its sysfs answers are
    constructed, its tools run through a real Runner."""

    def __init__(self, module, kernel_sizes):
        self.run = Runner(module)
        self.kernel_sizes = list(kernel_sizes)

    @staticmethod
    def describe_parent(device):
        return {"kind": "dm", "sysfs_name": "dm-0", "map_name": "mpatha",
                "dm_uuid": "mpath-35000c0ca1ab00001", "wwid": "35000c0ca1ab00001"}

    @staticmethod
    def size_bytes(sysfs_name):
        return 4 * GIB

    @staticmethod
    def logical_sector_bytes(sysfs_name):
        return 512

    def kernel_partition(self, parent):
        return {"sysfs_name": "dm-1", "size_bytes": self.kernel_sizes.pop(0),
                "kernel_name": PARTITION_MAP}

    @staticmethod
    def kpartx_delimiter(parent, kernel_partition):
        return "-part"


def grow(check_mode):
    before = read_fixture("util-linux-2.38.1/sfdisk_json_device_grew.txt")
    # Derived: the same table once sfdisk -N 1 grew partition 1 to the end of the 4 GiB LUN.
    after = before.replace('"size": 6287360', '"size": %d' % (GROWN_SIZE // 512))
    module = FakeModule([before, after])
    block = FakeBlock(module, [6287360 * 512, GROWN_SIZE])
    commands = []
    parent, table_before, table_after = write_table(
        block, dict(params(grow=True), device=DEVICE), check_mode, commands)
    refresh, kernel_after = refresh_kernel(block, DEVICE, parent, partition_one(table_after),
                                           check_mode, commands)
    return module.ran, commands, partition_report(parent, table_before, table_after, refresh,
                                                  kernel_after, check_mode)


def test_a_grow_writes_the_table_then_reloads_the_partition_map_and_checks_it():
    ran, commands, report = grow(check_mode=False)
    flush_and_read = [(["blockdev", "--flushbufs", DEVICE], None),
                      (["sfdisk", "--json", DEVICE], None)]
    assert ran == flush_and_read + [
        (["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", DEVICE],
         "start=2048, size=%d\n" % (GROWN_SIZE // 512))] + flush_and_read + [
        (["udevadm", "settle"], None),
        (["kpartx", "-u", "-p", "-part", "/dev/mapper/mpatha"], None),
        (["udevadm", "settle"], None)]
    assert commands == [["sfdisk", "--no-reread", "--no-tell-kernel", "-N", "1", DEVICE],
                        ["kpartx", "-u", "-p", "-part", "/dev/mapper/mpatha"]]
    assert (report["partition"]["size_bytes"], report["kernel_size_bytes"],
            report["kernel_name"], report["stable_path"], report["device_size_bytes"]) == (
        GROWN_SIZE, GROWN_SIZE, PARTITION_MAP,
        "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001", 4 * GIB)
    assert report["diff"]["before"]["partitions"][0]["size_bytes"] == 6287360 * 512
    assert report["diff"]["after"]["partitions"][0]["size_bytes"] == GROWN_SIZE


def test_a_grow_in_check_mode_only_reads_and_plans_the_same_commands():
    ran, commands, report = grow(check_mode=True)
    assert ran == [(["blockdev", "--flushbufs", DEVICE], None),
                   (["sfdisk", "--json", DEVICE], None)]
    assert commands == grow(check_mode=False)[1]
    # The kernel still has the old size; the result says what it would see.
    assert (report["partition"]["size_bytes"], report["kernel_size_bytes"]) == (
        GROWN_SIZE, GROWN_SIZE)


def test_a_kernel_that_does_not_see_the_partition_on_disk_after_the_refresh_is_a_failure():
    refresh = [Step(["kpartx", "-u", "-p", "-part", "/dev/mapper/mpatha"])]
    with pytest.raises(ToolError, match=r"^after kpartx -u -p -part /dev/mapper/mpatha the kernel "
                                        r"sees partition 1 of %s as 1073741824 bytes, not "
                                        r"2147483648 bytes as on disk\. Check: lsblk " % DEVICE) \
            as failure:
        check_kernel_partition(DEVICE, refresh, {"size_bytes": GIB}, on_disk(2 * GIB))
    # The module adds the commands run to fail_json itself; a second `commands` field in the
    # error's details made fail_json crash with a TypeError instead of failing.
    assert "commands" not in failure.value.details
    with pytest.raises(ToolError, match="as missing, not"):
        check_kernel_partition(DEVICE, refresh, None, on_disk(GIB))
    check_kernel_partition(DEVICE, refresh, {"size_bytes": GIB}, on_disk(GIB))


def test_summary_and_stable_path_of_the_lab_table():
    lab = table()
    assert summary(lab) == {"label": "gpt", "partitions": [
        {"number": 1, "name": "vmstore", "start_bytes": 1 << 20, "size_bytes": 6287360 * 512}]}
    assert summary(None) == {"label": None, "partitions": []}
    assert partition_one(lab) == lab["partitions"][0]
    assert partition_one(None) is None
    assert stable_path(MULTIPATH, partition_one(lab)) == \
        "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001"
    assert stable_path({"kind": "disk"}, partition_one(lab)) == \
        "/dev/disk/by-partuuid/4b2ef114-c294-f947-9162-1f4d9a30cfea"
    assert stable_path({"kind": "disk"}, {"uuid": ""}) is None
    assert stable_path(MULTIPATH, None) is None


def test_the_report_of_a_device_without_partition_1_names_no_path():
    report = partition_report(dict(MULTIPATH), None, None, [], None, check_mode=False)
    assert report == {"device_size_bytes": 3 * GIB, "partition": None,
                      "diff": {"before": summary(None), "after": summary(None)}}


def test_partition_1_of_a_map_by_its_device_mapper_uuid_as_roles_name_it():
    # The roles' partition_path filter and stable_path name the same link.
    wwid = "36001405a1b2c3d4e5f60000000000001"
    assert multipath_partition_path(wwid) == stable_path(
        {"kind": "dm", "dm_uuid": "mpath-" + wwid}, {"number": 1}) == (
        "/dev/disk/by-id/dm-uuid-part1-mpath-36001405a1b2c3d4e5f60000000000001")
