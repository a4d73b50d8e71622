"""OCFS2 reading and planning, on output captured in the lab (ocfs2-tools 1.8.7 on Debian 12,
1.8.8 on Debian 13)."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._block import parse_blkid_probe
from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import (
    absent_device_warning, belongs_to_cluster, check_outcome, filesystem_report, find_mount,
    fstab_entries_for, is_classic_o2cb, node_slots_problem, parse_bitmap_used,
    parse_debugfs_stats, parse_mounted_nodes, plan_filesystem, planned_summary, read_volume,
    slot_allocator_paths, slot_removal_problem, slot_shortage, summary, unmapped_partition_usage)
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    parse_fstab, parse_proc_mounts)
from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import parse_sfdisk_json
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Step, ToolError, commands_of)
from conftest import read_fixture

FIXTURES = "ocfs2-tools-1.8.7/"
DEBIAN13 = "ocfs2-tools-1.8.8/"
DEVICE = "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001"
PARTITION_3G = 3219128320
PARTITION_4G = 4292870144
# blkid's output of Debian 12 and Debian 13.
ON_BOTH_UTIL_LINUX = pytest.mark.parametrize(
    "util_linux", ["util-linux-2.38.1/", "util-linux-2.41.5/"], ids=["debian12", "debian13"])
MOUNTED_HERE = {"source": "/dev/mapper/mpatha-part1", "mount_point": "/srv/vmstore",
                "fstype": "ocfs2", "source_exists": True, "current_path": "/dev/mapper/mpatha-part1"}


def filesystem(name="debugfs_stats_vmstore.txt", mounted=(), ocfs2_tools=FIXTURES):
    parsed = parse_debugfs_stats(read_fixture(ocfs2_tools + name))
    parsed["mounted_nodes"] = list(mounted)
    return parsed


def params(**overrides):
    values = {"cluster_name": "labclu", "cluster_stack": "o2cb",
              "label": None, "node_slots": None, "block_size": None, "cluster_size": None,
              "fs_type": None, "journal_options": None, "features": None, "feature_level": None,
              "grow": False, "force": False}
    values.update(overrides)
    return values


@pytest.mark.parametrize("ocfs2_tools, name, uuid, label, cluster_size, clusters, cluster_name", [
    # The lab's filesystem formatted by hand (Debian 12).
    (FIXTURES, "debugfs_stats_vmstore.txt", "83e285a3-5a4e-442b-9bf4-c9c31b806f09", "vmstore",
     131072, 24560, "labclu"),
    # site.yml's filesystem after the grow (Debian 13): no label, 4 KiB clusters.
    (DEBIAN13, "debugfs_stats_vmstore_grown.txt", "14544fad-09b4-47e2-a66f-e6c89dd03c45", "",
     4096, 1048064, "ocfs2lab"),
])
def test_parse_debugfs_stats_of_the_lab_filesystems(ocfs2_tools, name, uuid, label, cluster_size,
                                                    clusters, cluster_name):
    parsed = filesystem(name, ocfs2_tools=ocfs2_tools)
    features = parsed.pop("features")
    assert parsed == {
        "uuid": uuid, "label": label, "node_slots": 4, "block_size": 4096,
        "cluster_size": cluster_size, "clusters": clusters, "size_bytes": clusters * cluster_size,
        "cluster_stack": "o2cb", "cluster_name": cluster_name, "mounted_nodes": []}
    assert {"sparse", "unwritten", "xattr", "append-dio"} <= set(features)


def test_the_debian13_lab_filesystem_lists_every_feature_sorted():
    features = filesystem("debugfs_stats_vmstore_grown.txt", ocfs2_tools=DEBIAN13)["features"]
    assert features == ["append-dio", "backup-super", "clusterinfo", "discontig-bg",
                        "extended-slotmap", "indexed-dirs", "inline-data", "refcount", "sparse",
                        "strict-journal-super", "unwritten", "xattr"]


@pytest.mark.parametrize("stats, blkid", [
    (FIXTURES + "debugfs_stats_vmstore.txt", "util-linux-2.38.1/blkid_probe_ocfs2_partition.txt"),
    (DEBIAN13 + "debugfs_stats_vmstore_grown.txt",
     "util-linux-2.41.5/blkid_probe_ocfs2_partition.txt"),
], ids=["debian12", "debian13"])
def test_uuid_is_written_as_blkid_writes_it(stats, blkid):
    assert parse_debugfs_stats(read_fixture(stats))["uuid"] == parse_blkid_probe(
        read_fixture(blkid))["UUID"]


# Both labs grew a 3 GiB LUN to 4 GiB: the same partition, in 128 KiB or 4 KiB clusters.
@pytest.mark.parametrize("ocfs2_tools", [FIXTURES, DEBIAN13], ids=["debian12", "debian13"])
def test_parse_debugfs_stats_after_the_online_grow(ocfs2_tools):
    assert filesystem("debugfs_stats_vmstore_grown.txt",
                      ocfs2_tools=ocfs2_tools)["size_bytes"] == PARTITION_4G


@pytest.mark.parametrize("fixture, nodes", [
    (FIXTURES + "mounted_f_two_nodes.txt", ["node1", "node2"]),
    (DEBIAN13 + "mounted_f_three_nodes.txt", ["node1", "node2", "node3"]),
], ids=["debian12", "debian13"])
def test_mounted_nodes(fixture, nodes):
    assert parse_mounted_nodes(read_fixture(fixture)) == nodes


def test_mounted_nodes_of_a_filesystem_mounted_nowhere():
    assert parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_not_mounted.txt")) == []


def test_mkfs_on_a_blank_device_with_every_option():
    steps = plan_filesystem(DEVICE, None, {}, PARTITION_3G, None, params(
        label="vmstore", node_slots=4, fs_type="vmstore", block_size="4K", cluster_size="128K",
        journal_options="size=64M", features="noinline-data", feature_level="max-compat"))
    assert steps == [Step([
        "mkfs.ocfs2", "-L", "vmstore", "-N", "4", "-b", "4K", "-C", "128K", "-T", "vmstore",
        "-J", "size=64M", "--fs-features=noinline-data", "--fs-feature-level=max-compat",
        "--cluster-stack=o2cb", "--cluster-name=labclu", DEVICE], stdin="", why="format")]


def test_existing_filesystem_of_this_cluster_is_kept():
    assert plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                           params(label="vmstore", node_slots=4)) == []


@ON_BOTH_UTIL_LINUX
def test_device_with_ext4_is_refused_unless_forced(util_linux):
    ext4 = parse_blkid_probe(read_fixture(util_linux + "blkid_probe_ext4.txt"))
    with pytest.raises(ToolError, match="already holds ext4; refusing to format it. Set force"):
        plan_filesystem(DEVICE, None, ext4, PARTITION_3G, None, params())
    (step,) = plan_filesystem(DEVICE, None, ext4, PARTITION_3G, None, params(force=True))
    assert (step.argv[0], step.stdin) == ("mkfs.ocfs2", "y\n")


@ON_BOTH_UTIL_LINUX
def test_whole_device_with_a_partition_table_is_refused(util_linux):
    gpt = parse_blkid_probe(read_fixture(util_linux + "blkid_probe_gpt.txt"))
    with pytest.raises(ToolError, match="holds a gpt partition table"):
        plan_filesystem(DEVICE, None, gpt, PARTITION_3G, None, params())


def test_filesystem_of_another_cluster_is_refused_unless_forced():
    with pytest.raises(ToolError, match=r"OCFS2 filesystem of cluster o2cb/labclu .*force"):
        plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None, params(cluster_name="other"))
    assert commands_of(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                                 params(cluster_name="other", force=True)))[0][0] == "mkfs.ocfs2"


def test_mounted_filesystem_is_never_formatted_even_with_force():
    mounted = filesystem(mounted=["node1", "node2"])
    with pytest.raises(ToolError, match=r"is mounted \(node1, node2\); refusing to format it, "
                                        r"with or without force"):
        plan_filesystem(DEVICE, mounted, {}, PARTITION_3G, MOUNTED_HERE,
                        params(cluster_name="other", force=True))


def test_node_slots_and_label_change_offline():
    assert commands_of(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None,
                                 params(node_slots=6, label="vms"))) == [
        ["tunefs.ocfs2", "-L", "vms", DEVICE], ["tunefs.ocfs2", "-N", "6", DEVICE]]


def test_node_slots_refused_while_mounted_on_any_node():
    with pytest.raises(ToolError, match=r"node_slots 4 -> 6 needs .* unmounted on every node.*"
                                        r"mounted on node2"):
        plan_filesystem(DEVICE, filesystem(mounted=["node2"]), {}, PARTITION_3G, None,
                        params(node_slots=6))


def test_node_slots_above_what_ocfs2_allows_are_refused_as_out_of_range_not_as_mounted():
    # filesystem_node_slots: 300 used to be refused only because the filesystem was mounted.
    with pytest.raises(ToolError, match=r"^node_slots is 300, out of range: OCFS2 has 1 to 255 "
                                        r"node slots"):
        plan_filesystem(DEVICE, filesystem(mounted=["node2"]), {}, PARTITION_3G, None,
                        params(node_slots=300))


def test_node_slots_out_of_range_are_refused_before_a_format():
    with pytest.raises(ToolError, match="node_slots is 256, out of range"):
        plan_filesystem(DEVICE, None, {}, PARTITION_3G, None, params(node_slots=256))


@pytest.mark.parametrize("slots, hosts, message", [
    (None, 3, None), (8, 3, None), (255, 255, None), ("8", 3, None),
    (300, 3, "filesystem_node_slots is 300, out of range: OCFS2 has 1 to 255 node slots"),
    (0, 3, "filesystem_node_slots is 0, out of range"),
    (2, 3, "filesystem_node_slots is 2, and ocfs2_nodes has 3 hosts: each mounting node needs "
           "a slot. Set it to at least 3"),
    ("many", 3, "filesystem_node_slots is 'many', not a whole number"),
])
def test_node_slots_problem_names_the_variable(slots, hosts, message):
    assert node_slots_problem(slots, hosts, "filesystem_node_slots", "ocfs2_nodes") == message \
        or message and node_slots_problem(slots, hosts, "filesystem_node_slots",
                                          "ocfs2_nodes").startswith(message)


def test_block_size_of_an_existing_filesystem_cannot_change():
    with pytest.raises(ToolError, match="block_size .* is 4096, not 1K"):
        plan_filesystem(DEVICE, filesystem(), {}, PARTITION_3G, None, params(block_size="1K"))


def test_online_grow_uses_the_mount_source_path():
    steps = plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G,
                            MOUNTED_HERE, params(grow=True))
    assert commands_of(steps) == [["tunefs.ocfs2", "-S", "/dev/mapper/mpatha-part1"]]


def test_online_grow_renames_a_renamed_map_back_first():
    renamed = dict(MOUNTED_HERE, source_exists=False, current_path="/dev/mapper/mpatha1")
    steps = plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G,
                            renamed, params(grow=True))
    assert commands_of(steps) == [["dmsetup", "rename", "mpatha1", "mpatha-part1"],
                            ["tunefs.ocfs2", "-S", "/dev/mapper/mpatha-part1"]]


def test_grow_refused_on_a_node_that_does_not_mount_it_while_others_do():
    with pytest.raises(ToolError, match=r"mounted on node1, node2 but not on this node"):
        plan_filesystem(DEVICE, filesystem(mounted=["node1", "node2"]), {}, PARTITION_4G, None,
                        params(grow=True))


def test_offline_grow_when_no_node_mounts_it():
    assert commands_of(plan_filesystem(DEVICE, filesystem(), {}, PARTITION_4G, None,
                                 params(grow=True))) == [["tunefs.ocfs2", "-S", DEVICE]]


@pytest.mark.parametrize("ocfs2_tools, cluster_name", [
    (FIXTURES, "labclu"), (DEBIAN13, "ocfs2lab")], ids=["debian12", "debian13"])
def test_grow_is_empty_when_the_filesystem_fills_the_device(ocfs2_tools, cluster_name):
    grown = filesystem("debugfs_stats_vmstore_grown.txt", ocfs2_tools=ocfs2_tools)
    assert plan_filesystem(DEVICE, grown, {}, PARTITION_4G, MOUNTED_HERE,
                           params(cluster_name=cluster_name, grow=True)) == []


def test_shrink_is_refused():
    with pytest.raises(ToolError, match="shrinking OCFS2 is not supported"):
        plan_filesystem(DEVICE, filesystem("debugfs_stats_vmstore_grown.txt"), {},
                        PARTITION_3G, MOUNTED_HERE, params(grow=True))


def test_bad_cluster_name_is_refused_before_anything():
    with pytest.raises(ToolError, match="1 to 16 alphanumeric characters"):
        plan_filesystem(DEVICE, None, {}, PARTITION_3G, None,
                        params(cluster_name="cluster-with-dashes"))


@pytest.mark.parametrize("ocfs2_tools, mount_point", [
    (FIXTURES, "/srv/vmstore"), (DEBIAN13, "/srv/ocfs2")], ids=["debian12", "debian13"])
def test_find_mount_by_device_number_and_a_renamed_map(ocfs2_tools, mount_point):
    entries = parse_proc_mounts(read_fixture(ocfs2_tools + "proc_mounts_node1_mounted.txt"))
    numbers = {"/dev/mapper/mpatha-part1": 64769, "/dev/vda": 65024}
    found = find_mount(entries, 64769, numbers.get, lambda point: None, "/dev/mapper/mpatha-part1")
    assert (found["source"], found["mount_point"], found["source_exists"]) == (
        "/dev/mapper/mpatha-part1", mount_point, True)
    # Renamed since mount: the source path is gone, the mount point still sits on the device.
    renamed = find_mount(entries, 64769, {"/dev/vda": 65024}.get,
                         {mount_point: 64769}.get, "/dev/mapper/mpatha1")
    assert (renamed["source_exists"], renamed["current_path"]) == (False, "/dev/mapper/mpatha1")
    assert find_mount(entries, 1234, numbers.get, lambda point: None, None) is None


# ------------------------------------------------------------------ classic o2cb filesystems

def classic(mounted=()):
    """`mkfs.ocfs2 -L vmstore` without --cluster-stack, as a hand-built cluster makes it."""
    return filesystem("debugfs_stats_classic_o2cb.txt", mounted)


def test_parse_debugfs_stats_of_a_classic_o2cb_filesystem():
    parsed = classic()
    assert (parsed["cluster_stack"], parsed["cluster_name"], parsed["label"],
            parsed["size_bytes"]) == ("o2cb", "", "vmstore", PARTITION_3G)
    assert is_classic_o2cb(parsed) and not is_classic_o2cb(filesystem())


def test_classic_o2cb_filesystem_belongs_to_any_o2cb_cluster():
    assert belongs_to_cluster(classic(), "labclu", "o2cb")
    assert not belongs_to_cluster(classic(), "labclu", "pcmk")
    assert not belongs_to_cluster(filesystem(), "other", "o2cb")


def test_classic_o2cb_filesystem_is_adopted():
    assert plan_filesystem(DEVICE, classic(), {}, PARTITION_3G, None,
                           params(label="vmstore", node_slots=4)) == []


def test_classic_o2cb_filesystem_is_never_formatted_even_with_force():
    assert plan_filesystem(DEVICE, classic(), {}, PARTITION_3G, None, params(force=True)) == []
    with pytest.raises(ToolError, match=r"classic o2cb filesystem \(label 'vmstore', UUID "
                                        r"d2da8b35-.*\), which the pcmk stack cannot mount; refusing to "
                                        r"format it, with or without "
                                        r"force.*cluster_stack: o2cb"):
        plan_filesystem(DEVICE, classic(), {}, PARTITION_3G, None,
                        params(cluster_stack="pcmk", force=True))


def test_classic_o2cb_filesystem_grows_and_tunes_like_any_other():
    assert commands_of(plan_filesystem(DEVICE, classic(), {}, PARTITION_4G, None,
                                 params(grow=True, node_slots=6))) == [
        ["tunefs.ocfs2", "-N", "6", DEVICE], ["tunefs.ocfs2", "-S", DEVICE]]


def test_mounted_nodes_of_a_classic_filesystem():
    assert parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_classic_not_mounted.txt")) == []


# ------------------------------------------------------------------ failures are not "nothing"

def test_mounted_nodes_refuses_a_row_without_nodes():
    """mounted.ocfs2 -f exits 0 and prints the row without nodes when it cannot read the slot
    map (captured: the slot_map inode's signature overwritten on a copy of the classic image)."""
    stdout = read_fixture(FIXTURES + "mounted_f_slot_map_unreadable.txt")
    stderr = read_fixture(FIXTURES + "mounted_f_slot_map_unreadable.stderr.txt")
    with pytest.raises(ToolError, match=r"mounted.ocfs2 -f /dev/x could not tell which nodes "
                                        r"mount it \(Unknown: Bad magic number in inode\); "
                                        r"refusing to take that as mounted nowhere"):
        parse_mounted_nodes(stdout, stderr, "/dev/x")


def test_mounted_nodes_refuses_output_without_a_row():
    with pytest.raises(ToolError, match=r"mounted.ocfs2 -f /dev/x found no OCFS2 filesystem"):
        parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_no_ocfs2.txt"), "", "/dev/x")


@pytest.mark.parametrize("ocfs2_tools, headers", [(FIXTURES, 4), (DEBIAN13, 1)],
                         ids=["debian12", "debian13"])
def test_mounted_nodes_never_takes_a_repeated_header_for_a_node(ocfs2_tools, headers):
    """Given a path that does not exist, mounted.ocfs2 -f prints its header and no row (1.8.7
    four times, 1.8.8 once); its "Nodes" column is no node name."""
    stdout = read_fixture(ocfs2_tools + "mounted_f_missing_device.txt")
    assert stdout.count("Device   Stack  Cluster  F  Nodes") == headers
    with pytest.raises(ToolError, match=r"mounted.ocfs2 -f /dev/x found no OCFS2 filesystem"):
        parse_mounted_nodes(stdout, "", "/dev/x")


# ------------------------------------------------------------------ force never skips in-use checks

WHOLE = "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001"


def test_force_never_formats_a_device_whose_partition_is_mounted():
    """filesystem_partitioned: false and force on a LUN whose partition 1 holds the mounted
    filesystem: blkid sees only the GPT on the whole device (captured), mkfs.ocfs2 checks only
    the device it is given."""
    gpt = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_gpt.txt"))
    nodes = parse_mounted_nodes(read_fixture(FIXTURES + "mounted_f_two_nodes.txt"))
    usage = [{"path": WHOLE, "relation": "device", "mount_points": [], "nodes": []},
             {"path": "/dev/mapper/mpatha-part1", "relation": "partition map",
              "mount_points": ["/srv/vmstore"], "nodes": nodes}]
    with pytest.raises(ToolError, match=r"%s is in use \(partition map /dev/mapper/mpatha-part1 "
                                        r"is built on it: mounted here at /srv/vmstore, mounted "
                                        r"on node1, node2\); refusing to format it, with or "
                                        r"without force" % WHOLE):
        plan_filesystem(WHOLE, None, gpt, 3 << 30, None, params(force=True), usage=usage)
    # Without force the signature refusal comes first, as before.
    with pytest.raises(ToolError, match="holds a gpt partition table; refusing to format it"):
        plan_filesystem(WHOLE, None, gpt, 3 << 30, None, params(), usage=usage)


def test_an_unused_device_is_formatted_as_before():
    unused = [{"path": DEVICE, "relation": "device", "mount_points": [], "nodes": []}]
    assert commands_of(plan_filesystem(DEVICE, None, {}, PARTITION_3G, None, params(),
                                 usage=unused))[0][0] == "mkfs.ocfs2"


# ------------------------------------------------------------------ check mode on a blank LUN

def test_check_mode_plans_mkfs_on_a_partition_that_does_not_exist_yet(tmp_path):
    """In check mode on a blank LUN the partition step returns the stable path partition 1
    will have; it does not exist yet, and the filesystem step used to fail on it."""
    missing = str(tmp_path / "dm-uuid-part1-mpath-35000c0ca1ab00001")
    volume, before = read_volume(None, missing, check_mode=True)
    assert volume is None
    assert (before["filesystem"], before["signature"], before["mount"]) == (None, {}, None)
    steps = plan_filesystem(missing, before["filesystem"], before["signature"],
                            before["device_size_bytes"], before["mount"], params(),
                            usage=before["usage"])
    assert commands_of(steps) == [["mkfs.ocfs2", "--cluster-stack=o2cb", "--cluster-name=labclu",
                             missing]]


def test_a_missing_device_still_fails_outside_check_mode(tmp_path):
    with pytest.raises(ToolError, match="does not exist on this node"):
        read_volume(None, str(tmp_path / "missing"), check_mode=False)


def test_force_never_formats_over_an_ocfs2_partition_this_node_has_not_mapped():
    """Another node partitioned and formatted the LUN; this node never re-read the table, so
    nothing is built on the device here and blkid sees only the table. The partition's
    filesystem is probed at its offset (captured: blkid -p -O -S on an image whose partition 1
    holds OCFS2); its mounts cannot be checked from here."""
    table = parse_sfdisk_json(read_fixture("util-linux-2.38.1/sfdisk_json_one_partition.txt"))
    probes = {1: parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_offset_ocfs2.txt"))}
    on_disk = unmapped_partition_usage(WHOLE, table, probes)
    gpt = parse_blkid_probe(read_fixture("util-linux-2.38.1/blkid_probe_gpt.txt"))
    usage = [{"path": WHOLE, "relation": "device", "mount_points": [], "nodes": []}] + on_disk
    with pytest.raises(ToolError, match=r"%s is in use \(partition 1 on disk holds OCFS2 "
                                        r"\(label 'inner', UUID 187c4c93-.*\), and this node has "
                                        r"not mapped it: which nodes mount it cannot be checked\); "
                                        r"refusing to format it, with or without force" % WHOLE):
        plan_filesystem(WHOLE, None, gpt, 3 << 30, None, params(force=True), usage=usage)
    # A partition that holds something else, or nothing, is force's to overwrite.
    assert unmapped_partition_usage(WHOLE, table, {1: {"TYPE": "ext4"}}) == []
    assert unmapped_partition_usage(WHOLE, table, {1: {}}) == []


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


# ------------------------------------------------------------------ node slots

def test_hosts_beyond_the_node_slots_are_named_with_the_slots_playbook():
    filesystem = {"uuid": "f3f99241", "node_slots": 3,
                  "mounted_nodes": ["node2", "node1", "node3"]}
    problem = slot_shortage(filesystem, ["node1", "NODE2", "node3", "node4", "node5"])
    assert problem == (
        "the filesystem (UUID f3f99241) has 3 node slots, 3 of them in use (node2, node1, "
        "node3), and node4, node5 would mount it too: 2 slot(s) short. Raise the slots first, "
        "in a planned outage: ansible-playbook playbooks/slots.yml -e slots=5 (it unmounts the "
        "filesystem on every node for tunefs.ocfs2 -N)")


def test_hosts_that_mount_it_already_or_fit_need_no_slot_more():
    filesystem = {"uuid": "f3f99241", "node_slots": 4, "mounted_nodes": ["node1", "node2"]}
    assert slot_shortage(filesystem, ["node1", "node2", "node3"]) is None
    assert slot_shortage(dict(filesystem, node_slots=2), ["node1", "node2"]) is None


def test_the_allocators_used_bits_come_from_debugfs_stat():
    used = read_fixture("ocfs2-tools-1.8.7/debugfs_stat_inode_alloc_used.txt")
    empty = read_fixture("ocfs2-tools-1.8.7/debugfs_stat_inode_alloc_empty.txt")
    assert (parse_bitmap_used(used), parse_bitmap_used(empty)) == (252, 0)
    assert slot_allocator_paths(2, 4) == ["//inode_alloc:0002", "//extent_alloc:0002",
                                          "//inode_alloc:0003", "//extent_alloc:0003"]


def test_the_allocators_of_the_debian13_lab_three_nodes_used_slots_0_to_2():
    used = dict(("//inode_alloc:%04d" % slot, parse_bitmap_used(read_fixture(
        DEBIAN13 + "debugfs_stat_inode_alloc_%04d.txt" % slot))) for slot in range(4))
    assert used == {"//inode_alloc:0000": 4, "//inode_alloc:0001": 3,
                    "//inode_alloc:0002": 3, "//inode_alloc:0003": 0}

    def going(first_slot):
        # The slots that would go; only their inode allocators were captured.
        return dict((path, used[path]) for path in slot_allocator_paths(first_slot, 4)
                    if path in used)

    assert slot_removal_problem(4, 3, going(3)) is None
    assert slot_removal_problem(4, 2, going(2)) == (
        "node_slots 4 -> 2 would remove slots that hold allocations (inode_alloc:0002: 3 used): "
        "tunefs.ocfs2 has to move them to other slots and can fail midway. Lower the slots only "
        "to 3 or more (the slots from 3 up never allocated anything).")


def test_lowering_over_a_slot_that_holds_allocations_is_refused():
    used = {"//inode_alloc:0002": 252, "//extent_alloc:0002": 2, "//inode_alloc:0003": 0,
            "//extent_alloc:0003": 0}
    assert slot_removal_problem(4, 2, used) == (
        "node_slots 4 -> 2 would remove slots that hold allocations (extent_alloc:0002: 2 used, "
        "inode_alloc:0002: 252 used): tunefs.ocfs2 has to move them to other slots and can fail "
        "midway. Lower the slots only to 3 or more (the slots from 3 up never allocated "
        "anything).")


def test_lowering_over_slots_that_never_allocated_and_raising_are_allowed():
    assert slot_removal_problem(4, 3, {"//inode_alloc:0003": 0, "//extent_alloc:0003": 0}) is None
    assert slot_removal_problem(4, 8, {}) is None


def test_the_plan_refuses_lowering_over_allocations_before_the_mounted_check():
    found = dict(filesystem(mounted=["node1"]), slot_allocators_used={"//inode_alloc:0001": 5})
    with pytest.raises(ToolError, match="would remove slots that hold allocations"):
        plan_filesystem(DEVICE, found, {}, PARTITION_4G, None, params(node_slots=1))


# ------------------------------------------------------------------ outcome checks and the diff

SUMMARY = {"uuid": "83e285a3-5a4e-442b-9bf4-c9c31b806f09", "label": "vmstore", "node_slots": 4,
           "size_bytes": PARTITION_3G, "cluster_stack": "o2cb", "cluster_name": "labclu"}


def state(device_bytes=PARTITION_3G, **changes):
    """What read_volume returns, as plain dicts: a filesystem with 128 KiB clusters."""
    found = dict(SUMMARY, cluster_size=131072, block_size=4096, mounted_nodes=[])
    found.update(changes)
    return {"filesystem": found, "device_size_bytes": device_bytes, "mount": None,
            "signature": {"TYPE": "ocfs2"}, "usage": None}


def test_the_outcome_of_steps_that_took_effect_passes():
    grow = [Step(["tunefs.ocfs2", "-S", DEVICE]), Step(["tunefs.ocfs2", "-N", "8", DEVICE]),
            Step(["tunefs.ocfs2", "-L", "vms", DEVICE])]
    after = state(PARTITION_4G, size_bytes=PARTITION_4G // 131072 * 131072, node_slots=8,
                  label="vms")
    check_outcome(DEVICE, grow, state(), after)
    check_outcome(DEVICE, [Step(["mkfs.ocfs2", DEVICE], stdin="")], {"filesystem": None}, after)


def test_a_grow_that_exited_0_without_growing_is_a_failure():
    with pytest.raises(ToolError, match=r"^tunefs.ocfs2 -S /dev/mapper/mpatha-part1 exited 0 but "
                                        r"the filesystem is 3219128320 bytes, not 4292870144 \(it "
                                        r"was 3219128320\)\. Check that /dev/mapper/mpatha-part1 "
                                        r"exists"):
        check_outcome(DEVICE, [Step(["tunefs.ocfs2", "-S", "/dev/mapper/mpatha-part1"])],
                      state(), state(PARTITION_4G))


def test_mkfs_slots_and_label_that_did_not_take_are_failures():
    with pytest.raises(ToolError, match="^mkfs.ocfs2 %s exited 0 but %s holds no OCFS2" % (
            DEVICE, DEVICE)):
        check_outcome(DEVICE, [Step(["mkfs.ocfs2", DEVICE])], {"filesystem": None},
                      {"filesystem": None, "device_size_bytes": PARTITION_3G})
    with pytest.raises(ToolError, match="exited 0 but the filesystem has 4 node slots"):
        check_outcome(DEVICE, [Step(["tunefs.ocfs2", "-N", "8", DEVICE])], state(), state())
    with pytest.raises(ToolError, match="exited 0 but the label is 'vmstore'"):
        check_outcome(DEVICE, [Step(["tunefs.ocfs2", "-L", "vms", DEVICE])], state(), state())


def test_check_mode_diff_shows_what_tunefs_would_change():
    steps = [Step(["tunefs.ocfs2", "-L", "vms", DEVICE]),
             Step(["tunefs.ocfs2", "-N", "8", DEVICE]), Step(["tunefs.ocfs2", "-S", DEVICE])]
    assert planned_summary(state(PARTITION_4G), steps) == dict(
        SUMMARY, ocfs2=True, label="vms", node_slots=8,
        size_bytes=PARTITION_4G // 131072 * 131072)
    assert planned_summary(state(), []) == dict(SUMMARY, ocfs2=True)


def test_check_mode_diff_of_a_format_lists_why_each_step_runs():
    before = {"filesystem": None, "device_size_bytes": PARTITION_3G}
    assert planned_summary(before, [Step(["mkfs.ocfs2", DEVICE], stdin="", why="format")]) == {
        "ocfs2": True, "planned": ["format"]}
    assert planned_summary(before, []) == summary(None) == {"ocfs2": False}


def test_the_report_after_a_change_and_in_check_mode():
    before, after = state(), state(label="vms")
    steps = [Step(["tunefs.ocfs2", "-L", "vms", DEVICE], why="label")]
    report = filesystem_report(before, after, steps, check_mode=False)
    assert (report["filesystem"], report["signature"], report["diff"]) == (
        after["filesystem"], {}, {"before": dict(SUMMARY, ocfs2=True),
                                  "after": dict(SUMMARY, ocfs2=True, label="vms")})
    blank = {"filesystem": None, "device_size_bytes": PARTITION_3G, "mount": None,
             "signature": {"PTTYPE": "gpt"}}
    report = filesystem_report(blank, blank, [Step(["mkfs.ocfs2", DEVICE], why="format")],
                               check_mode=True)
    assert (report["signature"], report["diff"]["after"]) == (
        {"PTTYPE": "gpt"}, {"ocfs2": True, "planned": ["format"]})


def test_only_a_device_check_mode_read_as_absent_is_warned_about(tmp_path):
    missing = str(tmp_path / "missing")
    _volume, before = read_volume(None, missing, check_mode=True)
    assert absent_device_warning(before, missing) == (
        "%s does not exist on this node; check mode plans as if it were the blank partition "
        "that an earlier task, in check mode too, would create. Without check mode this fails."
        % missing)
    assert absent_device_warning(state(), DEVICE) is None
