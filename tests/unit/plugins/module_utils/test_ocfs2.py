"""OCFS2 reading and planning, on output captured in the lab (ocfs2-tools 1.8.7)."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    parse_fstab, parse_proc_mounts)
from ansible_collections.ocfs2.cluster.plugins.module_utils._ocfs2 import (
    find_mount, fstab_entries_for, parse_debugfs_stats, parse_mounted_nodes, plan_filesystem)
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import parse_blkid_probe
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError
from conftest import read_fixture

FIXTURES = "ocfs2-tools-1.8.7/"
DEVICE = "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001"
PARTITION_3G = 3219128320
PARTITION_4G = 4292870144
MOUNTED_HERE = {"source": "/dev/mapper/mpatha-part1", "mount_point": "/srv/vmstore",
                "fstype": "ocfs2", "source_exists": True, "current_path": "/dev/mapper/mpatha-part1"}


def filesystem(name="debugfs_stats_vmstore.txt", mounted=()):
    parsed = parse_debugfs_stats(read_fixture(FIXTURES + name))
    parsed["mounted_nodes"] = list(mounted)
    return parsed


def params(**overrides):
    values = {"cluster_name": "labclu", "cluster_stack": "o2cb",
              "label": None, "node_slots": None, "block_size": None, "cluster_size": None,
              "fs_type": None, "journal_options": None, "features": None, "feature_level": None,
              "grow": False, "force": False}
    values.update(overrides)
    return values


def argvs(steps):
    return [step["argv"] for step in steps]


def test_parse_debugfs_stats_of_the_lab_filesystem():
    parsed = filesystem()
    features = parsed.pop("features")
    assert parsed == {
        "uuid": "83e285a3-5a4e-442b-9bf4-c9c31b806f09", "label": "vmstore", "node_slots": 4,
        "block_size": 4096, "cluster_size": 131072, "clusters": 24560,
        "size_bytes": 24560 * 131072, "cluster_stack": "o2cb", "cluster_name": "labclu",
        "mounted_nodes": []}
    assert {"sparse", "unwritten", "xattr", "append-dio"} <= set(features)


def test_uuid_is_written_as_blkid_writes_it():
    blkid = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_ocfs2_partition.txt"))
    assert filesystem()["uuid"] == blkid["UUID"]


def test_parse_debugfs_stats_after_the_online_grow():
    assert filesystem("debugfs_stats_vmstore_grown.txt")["size_bytes"] == PARTITION_4G


def test_mounted_nodes():
    assert parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_two_nodes.txt")) == [
        "node1", "node2"]
    assert parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_not_mounted.txt")) == []


def test_mkfs_on_a_blank_device_with_every_option():
    steps = plan_filesystem(DEVICE, None, {}, PARTITION_3G, None, params(
        label="vmstore", node_slots=4, fs_type="vmstore", block_size="4K", cluster_size="128K",
        journal_options="size=64M", features="noinline-data", feature_level="max-compat"))
    assert steps == [{"argv": [
        "mkfs.ocfs2", "-L", "vmstore", "-N", "4", "-b", "4K", "-C", "128K", "-T", "vmstore",
        "-J", "size=64M", "--fs-features=noinline-data", "--fs-feature-level=max-compat",
        "--cluster-stack=o2cb", "--cluster-name=labclu", DEVICE], "stdin": "", "why": "format"}]


def test_existing_filesystem_of_this_cluster_is_kept():
    assert plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                           params(label="vmstore", node_slots=4)) == []


def test_device_with_ext4_is_refused_unless_forced():
    ext4 = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_ext4.txt"))
    with pytest.raises(ToolError, match="already holds ext4; refusing to format it. Set force"):
        plan_filesystem(DEVICE, None, ext4, PARTITION_3G, None, params())
    (step,) = plan_filesystem(DEVICE, None, ext4, PARTITION_3G, None, params(force=True))
    assert (step["argv"][0], step["stdin"]) == ("mkfs.ocfs2", "y\n")


def test_whole_device_with_a_partition_table_is_refused():
    gpt = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_gpt.txt"))
    with pytest.raises(ToolError, match="holds a gpt partition table"):
        plan_filesystem(DEVICE, None, gpt, PARTITION_3G, None, params())


def test_filesystem_of_another_cluster_is_refused_unless_forced():
    with pytest.raises(ToolError, match=r"OCFS2 filesystem of cluster o2cb/labclu .*force"):
        plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None, params(cluster_name="other"))
    assert argvs(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                                 params(cluster_name="other", force=True)))[0][0] == "mkfs.ocfs2"


def test_mounted_filesystem_is_never_formatted_even_with_force():
    mounted = filesystem(mounted=["node1", "node2"])
    with pytest.raises(ToolError, match=r"is mounted \(node1, node2\); refusing to format it, "
                                        r"with or without force"):
        plan_filesystem(DEVICE, mounted, {}, PARTITION_3G, MOUNTED_HERE,
                        params(cluster_name="other", force=True))


def test_node_slots_and_label_change_offline():
    assert argvs(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                                 params(node_slots=6, label="vms"))) == [
        ["tunefs.ocfs2", "-L", "vms", DEVICE], ["tunefs.ocfs2", "-N", "6", DEVICE]]


def test_node_slots_refused_while_mounted_on_any_node():
    with pytest.raises(ToolError, match=r"node_slots 4 -> 6 needs .* unmounted on every node.*"
                                        r"mounted on node2"):
        plan_filesystem(DEVICE, filesystem(mounted=["node2"]), {}, PARTITION_3G, None,
                        params(node_slots=6))


def test_block_size_of_an_existing_filesystem_cannot_change():
    with pytest.raises(ToolError, match="block_size .* is 4096, not 1K"):
        plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None, params(block_size="1K"))


def test_online_grow_uses_the_mount_source_path():
    steps = plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G,
                            MOUNTED_HERE, params(grow=True))
    assert argvs(steps) == [["tunefs.ocfs2", "-S", "/dev/mapper/mpatha-part1"]]


def test_online_grow_renames_a_renamed_map_back_first():
    renamed = dict(MOUNTED_HERE, source_exists=False, current_path="/dev/mapper/mpatha1")
    steps = plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G,
                            renamed, params(grow=True))
    assert argvs(steps) == [["dmsetup", "rename", "mpatha1", "mpatha-part1"],
                            ["tunefs.ocfs2", "-S", "/dev/mapper/mpatha-part1"]]


def test_grow_refused_on_a_node_that_does_not_mount_it_while_others_do():
    with pytest.raises(ToolError, match=r"mounted on node1, node2 but not on this node"):
        plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G, None,
                        params(grow=True))


def test_offline_grow_when_no_node_mounts_it():
    assert argvs(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_4G, None,
                                 params(grow=True))) == [["tunefs.ocfs2", "-S", DEVICE]]


def test_grow_is_empty_when_the_filesystem_fills_the_device():
    assert plan_filesystem(DEVICE, filesystem("debugfs_stats_vmstore_grown.txt"), {},
                           PARTITION_4G, MOUNTED_HERE, params(grow=True)) == []


def test_shrink_is_refused():
    with pytest.raises(ToolError, match="shrinking OCFS2 is not supported"):
        plan_filesystem(DEVICE, filesystem("debugfs_stats_vmstore_grown.txt"), {},
                        PARTITION_3G, MOUNTED_HERE, params(grow=True))


def test_bad_cluster_name_is_refused_before_anything():
    with pytest.raises(ToolError, match="1 to 16 alphanumeric characters"):
        plan_filesystem(DEVICE, None, {}, PARTITION_3G, None,
                        params(cluster_name="cluster-with-dashes"))


def test_find_mount_by_device_number_and_a_renamed_map():
    entries = parse_proc_mounts(read_fixture(FIXTURES + "proc_mounts_node1_mounted.txt"))
    numbers = {"/dev/mapper/mpatha-part1": 64769, "/dev/vda": 65024}
    found = find_mount(entries, 64769, numbers.get, lambda point: None, "/dev/mapper/mpatha-part1")
    assert (found["source"], found["mount_point"], found["source_exists"]) == (
        "/dev/mapper/mpatha-part1", "/srv/vmstore", True)
    # Renamed since mount: the source path is gone, the mount point still sits on the device.
    renamed = find_mount(entries, 64769, {"/dev/vda": 65024}.get,
                         {"/srv/vmstore": 64769}.get, "/dev/mapper/mpatha1")
    assert (renamed["source_exists"], renamed["current_path"]) == (False, "/dev/mapper/mpatha1")
    assert find_mount(entries, 1234, numbers.get, lambda point: None, None) is None


# ------------------------------------------------------------------ fstab

# Not captured: the filesystem role's line (ansible.posix.mount, by UUID) and, below it, the
# runbook's hand-written kind, by the partition map's name; and a line of another filesystem.
FSTAB = """# /etc/fstab: static file system information.
UUID=0b7c1e2a-4f7e-4a53-9d55-6f1c1f0f3a11 / ext4 errors=remount-ro 0 1
UUID=83e285a3-5a4e-442b-9bf4-c9c31b806f09 /srv/ocfs2 ocfs2 _netdev,x-systemd.requires=o2cb.service,noatime 0 0
/dev/mapper/mpatha1\t/srv/vm\\040store\tocfs2\t_netdev\t0 0
LABEL=vmstore /mnt/by-label ocfs2 _netdev 0 0
"""


def test_parse_fstab():
    entries = parse_fstab(FSTAB)
    assert [(entry["source"], entry["mount_point"], entry["fstype"]) for entry in entries] == [
        ("UUID=0b7c1e2a-4f7e-4a53-9d55-6f1c1f0f3a11", "/", "ext4"),
        ("UUID=83e285a3-5a4e-442b-9bf4-c9c31b806f09", "/srv/ocfs2", "ocfs2"),
        ("/dev/mapper/mpatha1", "/srv/vm store", "ocfs2"),
        ("LABEL=vmstore", "/mnt/by-label", "ocfs2")]
    assert entries[1]["options"] == ["_netdev", "x-systemd.requires=o2cb.service", "noatime"]


def test_fstab_entries_for_the_filesystem_by_uuid_label_or_device_path():
    numbers = {"/dev/mapper/mpatha1": 64769}
    found = fstab_entries_for(parse_fstab(FSTAB), filesystem(), 64769, numbers.get)
    assert [entry["mount_point"] for entry in found] == ["/srv/ocfs2", "/srv/vm store",
                                                         "/mnt/by-label"]
    assert fstab_entries_for(parse_fstab(FSTAB), filesystem(), 1234, lambda path: None)[0][
        "mount_point"] == "/srv/ocfs2"
    other = dict(filesystem(), uuid="00000000-0000-0000-0000-000000000000", label="other")
    assert fstab_entries_for(parse_fstab(FSTAB), other, 1234, numbers.get) == []
