"""resize.yml's checks and plan, on nodes as the lab's info modules describe them."""

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.filter.resize import resize_problems
from ansible_collections.ocfs2.cluster.plugins.module_utils._multipath import parse_maps_json
from ansible_collections.ocfs2.cluster.plugins.plugin_utils._resize import (
    disagreements, node_problems, nothing_to_grow, parse_size, plan)
from conftest import read_fixture

GIB = 1 << 30
MIB = 1 << 20
TARGET = "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001"
# The 3 GiB lab LUN as site.yml leaves it: partition 1 from 1 MiB to 33 sectors before the end,
# the filesystem filling it in 128 KiB clusters (filesystem_info on node1).
PARTITION_BYTES = 3 * GIB - MIB - 33 * 512
FILESYSTEM = {
    "uuid": "4e20acb9-9f5d-4b55-a8fb-0e6a1a8ff9a2", "label": None, "node_slots": 4,
    "block_size": 4096, "cluster_size": 131072,
    "size_bytes": PARTITION_BYTES // 131072 * 131072,
    "cluster_stack": "o2cb", "cluster_name": "ocfs2lab", "features": [],
    "mounted_nodes": ["node1", "node2", "node3"]}
SETTINGS = {"cluster_name": "ocfs2lab", "mount_point": "/srv/ocfs2", "mode": "online",
            "first": "node1", "target": TARGET, "partitioned": True, "size": None,
            "filesystem_uuid": None, "filesystem_label": None}


def lab_node(name="node1", lun=4 * GIB, map_size=3 * GIB):
    (multipath,) = parse_maps_json(read_fixture(
        "multipath-tools-0.9.4/show_maps_json_one_map.txt"))
    multipath["size_bytes"] = map_size
    for path in multipath["paths"]:
        path.update(size_bytes=map_size, lun_size_bytes=lun)
    return {"name": name, "o2cb_online": True, "map": multipath,
            "filesystem": copy.deepcopy(FILESYSTEM),
            "mount": {"source": "/dev/mapper/mpatha-part1", "mount_point": "/srv/ocfs2",
                      "fstype": "ocfs2"},
            "device_size_bytes": PARTITION_BYTES}


def settings(**changes):
    result = dict(SETTINGS)
    result.update(changes)
    return result


def test_a_healthy_node_after_the_lun_grew_has_no_problem():
    assert node_problems(lab_node(), SETTINGS) == []


def test_a_node_whose_cluster_is_offline():
    node = lab_node()
    node["o2cb_online"] = False
    assert node_problems(node, SETTINGS) == [
        "the O2CB cluster ocfs2lab is not online (start it: systemctl start o2cb, or run "
        "site.yml)"]


def lab_node_with_map(fixture, lun):
    """lab_node() whose map of 3 GiB is the one of a captured multipathd fixture, its paths
    reporting `lun` bytes."""
    (multipath,) = parse_maps_json(read_fixture("multipath-tools-0.9.4/" + fixture))
    node = lab_node()
    for path in multipath["paths"]:
        path.update(size_bytes=3 * GIB, lun_size_bytes=lun)
    node["map"] = dict(multipath, size_bytes=3 * GIB)
    return node


def test_a_failed_path_names_the_path_and_its_states():
    node = lab_node_with_map("show_maps_json_failed_path.txt", lun=3 * GIB)
    (problem,) = node_problems(node, SETTINGS)
    failed = [path for path in node["map"]["paths"] if path["dm_state"] != "active"][0]
    assert problem.startswith("path %s of map mpatha is not active (dm failed, checker "
                              % failed["device"])
    assert "restore it before resizing" in problem


def test_a_standby_ghost_path_does_not_stop_the_resize():
    """An active/passive array's standby path (checker state ghost, dm active; the fixture is
    derived from the captured one, see test_multipath) reports its size like any path."""
    node = lab_node_with_map("show_maps_json_ghost_path.txt", lun=4 * GIB)
    assert node_problems(node, SETTINGS) == []


def test_paths_that_report_different_sizes():
    node = lab_node()
    node["map"]["paths"][1]["lun_size_bytes"] = 3 * GIB
    assert node_problems(node, SETTINGS) == [
        "the paths of map mpatha report different LUN sizes (sda %d, sdb %d): wait until the "
        "storage presents the new size on every path" % (4 * GIB, 3 * GIB)]


def test_a_path_that_does_not_answer():
    node = lab_node()
    node["map"]["paths"][0].update(lun_size_bytes=None,
                                   lun_size_error="cannot open /dev/sda: No such device")
    assert node_problems(node, SETTINGS) == [
        "path sda does not report its size: cannot open /dev/sda: No such device"]


def test_no_filesystem_on_the_target():
    node = lab_node()
    node["filesystem"] = None
    assert node_problems(node, SETTINGS) == [
        "%s holds no OCFS2 filesystem (check resize_device and resize_partitioned)" % TARGET]


def test_another_cluster_and_another_uuid():
    node = lab_node()
    node["filesystem"]["cluster_name"] = "other"
    problems = node_problems(node, settings(filesystem_uuid="0C6F2B41-0000-0000-0000-000000000000"))
    assert problems == [
        "the filesystem on %s belongs to cluster other, not ocfs2lab" % TARGET,
        "%s holds filesystem %s, not resize_filesystem_uuid 0C6F2B41-0000-0000-0000-000000000000"
        % (TARGET, FILESYSTEM["uuid"])]


def test_the_uuid_matches_whatever_its_case():
    assert node_problems(lab_node(), settings(filesystem_uuid=FILESYSTEM["uuid"].upper())) == []


def test_the_label_must_match_when_given():
    unlabelled = lab_node()
    assert node_problems(unlabelled, settings(filesystem_label="vmstore")) == [
        "%s holds the filesystem labelled (no label), not resize_filesystem_label vmstore"
        % TARGET]
    labelled = lab_node()
    labelled["filesystem"]["label"] = "vmstore"
    assert node_problems(labelled, settings(filesystem_label="vmstore")) == []
    assert node_problems(labelled, settings(filesystem_label="vmstore2")) == [
        "%s holds the filesystem labelled vmstore, not resize_filesystem_label vmstore2"
        % TARGET]


def test_online_every_node_must_mount_it_at_the_mount_point():
    node = lab_node("node2")
    node["mount"] = None
    assert node_problems(node, SETTINGS) == [
        "the filesystem is not mounted at resize_mount_point /srv/ocfs2: mount it first (mount "
        "/srv/ocfs2), or finish an interrupted offline resize with resize_mode=offline"]
    node["mount"] = {"source": "/dev/mapper/mpatha-part1", "mount_point": "/mnt", "fstype": "ocfs2"}
    assert "(it is mounted at /mnt)" in node_problems(node, SETTINGS)[0]


def test_offline_only_the_first_node_must_mount_it():
    other = lab_node("node2")
    other["mount"] = None
    assert node_problems(other, settings(mode="offline")) == []
    first = lab_node("node1")
    first["mount"] = None
    assert node_problems(first, settings(mode="offline")) == [
        "the filesystem is not mounted at resize_mount_point /srv/ocfs2: the first node grows "
        "it while mounted, and /etc/fstab has no ocfs2 entry for this filesystem at /srv/ocfs2 "
        "to mount it from: mount it there first, or run site.yml, which writes that entry"]
    first["mount"] = {"source": "/dev/mapper/mpatha-part1", "mount_point": "/mnt",
                      "fstype": "ocfs2"}
    assert node_problems(first, settings(mode="offline")) == [
        "the filesystem is not mounted at resize_mount_point /srv/ocfs2 (it is mounted at /mnt): "
        "the first node grows it while mounted: mount it there first"]


# The filesystem role's fstab line, as filesystem_info returns it.
FSTAB_ENTRY = {"source": "UUID=" + FILESYSTEM["uuid"], "mount_point": "/srv/ocfs2",
               "fstype": "ocfs2", "options": ["_netdev", "noatime"]}


def interrupted_offline_run():
    """Every node unmounted by an interrupted offline resize; each has its fstab entry."""
    nodes = three_nodes()
    for node in nodes:
        node.update(mount=None, fstab=[dict(FSTAB_ENTRY)])
        node["filesystem"]["mounted_nodes"] = []
    return nodes


def test_offline_after_an_interrupted_run_the_first_node_mounts_from_fstab():
    nodes = interrupted_offline_run()
    assert [node_problems(node, settings(mode="offline")) for node in nodes] == [[], [], []]
    lines = plan(nodes, settings(mode="offline"))
    assert lines[0].endswith("mounted on no node. Mode: offline.")
    assert lines[1:3] == [
        "First, node1 mounts /srv/ocfs2 as its /etc/fstab says: an interrupted offline resize "
        "left it unmounted.",
        "1. node1, node2, node3, in parallel: rescan every path and resize the map to 4.00 GiB."]


def test_offline_the_first_nodes_fstab_entry_must_be_ocfs2_at_the_mount_point():
    for wrong in ({"mount_point": "/srv/other"}, {"fstype": "auto"}):
        nodes = interrupted_offline_run()
        nodes[0]["fstab"][0].update(wrong)
        assert node_problems(nodes[0], settings(mode="offline"))[0].startswith(
            "the filesystem is not mounted at resize_mount_point /srv/ocfs2: the first node "
            "grows it while mounted, and /etc/fstab has no ocfs2 entry")


def test_online_an_unmounted_node_is_still_refused_whatever_its_fstab():
    nodes = interrupted_offline_run()
    assert node_problems(nodes[1], SETTINGS)[0].startswith(
        "the filesystem is not mounted at resize_mount_point /srv/ocfs2: mount it first")


def test_a_lun_smaller_than_the_filesystem_is_refused():
    node = lab_node(lun=2 * GIB, map_size=3 * GIB)
    assert node_problems(node, SETTINGS) == [
        "the LUN reports %d bytes, less than the filesystem's %d: OCFS2 cannot shrink; check "
        "the LUN on the storage" % (2 * GIB, FILESYSTEM["size_bytes"])]


def test_a_shrink_request_is_refused():
    assert node_problems(lab_node(), settings(size="2G")) == [
        "resize_size 2G (%d bytes) is smaller than the filesystem (%d bytes): OCFS2 cannot "
        "shrink" % (2 * GIB, FILESYSTEM["size_bytes"])]


def test_a_size_the_lun_does_not_reach_is_refused():
    assert node_problems(lab_node(lun=4 * GIB), settings(size="5G")) == [
        "the LUN reports %d bytes, less than resize_size 5G (%d bytes): grow the LUN on the "
        "storage first" % (4 * GIB, 5 * GIB)]


def test_a_size_the_lun_reaches_passes():
    assert node_problems(lab_node(lun=4 * GIB), settings(size=str(4 * GIB))) == []
    assert node_problems(lab_node(lun=4 * GIB), settings(size="4GiB")) == []


@pytest.mark.parametrize("text, expected", [
    (4294967296, 4 * GIB), ("4294967296", 4 * GIB), ("5G", 5 * GIB), ("500GiB", 500 * GIB),
    ("2 TB", 2 << 40), ("512m", 512 * MIB)])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


def test_parse_size_refuses_what_it_does_not_understand():
    with pytest.raises(ValueError, match="resize_size '5 gigs' is not a size"):
        parse_size("5 gigs")


def test_the_filter_names_a_size_it_does_not_understand():
    # An inventory mistake: the controller's error, not a module's ToolError.
    with pytest.raises(AnsibleFilterError, match="^resize_size '5 gigs' is not a size"):
        resize_problems(lab_node(), dict(SETTINGS, size="5 gigs"))


def test_a_path_the_multipath_module_found_unhealthy_stops_the_resize():
    # The module decides a path's health (path_is_healthy); the checks read its verdict.
    node = lab_node()
    node["map"]["paths"][1]["healthy"] = False
    (problem,) = node_problems(node, SETTINGS)
    assert problem.startswith("path sdb of map mpatha is not active (dm active, checker ready)")


def test_nodes_that_agree():
    assert disagreements([lab_node("node1"), lab_node("node2"), lab_node("node3")]) == []


def test_a_host_outside_the_play_that_mounts_the_filesystem_is_named():
    # mounted.ocfs2 -f on every node lists node4, which is not in the play.
    nodes = [lab_node(name) for name in ("node1", "node2", "node3")]
    for node in nodes:
        node["filesystem"]["mounted_nodes"] = ["node1", "node2", "node3", "node4"]
    assert disagreements(nodes) == [
        "the filesystem is mounted on node4, outside this play (mounted.ocfs2 -f): every host "
        "that mounts it must see the new size before it grows. Add it to the inventory group "
        "resize_group and run resize.yml on it too, or unmount the filesystem there first; a "
        "node that crashed keeps its slot until another node mounts the filesystem and "
        "recovers it"]


def test_hosts_of_the_play_are_known_by_their_o2cb_name_or_number():
    # Inventory names that are not the O2CB names; mounted.ocfs2 prints a number for a node
    # the reading node's configfs does not know (mounted.c, print_nodes).
    nodes = [lab_node(name) for name in ("host-a.example", "host-b.example")]
    for number, node in enumerate(nodes, 1):
        node["o2cb_node"] = {"name": "Node%d" % number, "number": number}
        node["filesystem"]["mounted_nodes"] = ["node1", "2"]
    assert disagreements(nodes) == []
    nodes[0]["filesystem"]["mounted_nodes"] = ["node1", "2", "7"]
    (problem,) = disagreements(nodes)
    assert problem.startswith("the filesystem is mounted on 7, outside this play")


def test_nodes_that_see_another_lun_and_another_size():
    node2 = lab_node("node2", lun=5 * GIB)
    node3 = lab_node("node3")
    node3["map"]["wwid"] = "36001405000000000000000000000000f"
    node3["filesystem"] = None
    assert disagreements([lab_node("node1"), node2, node3]) == [
        "the nodes disagree on the LUN WWID (node1 35000c0ca1ab00001, node2 35000c0ca1ab00001, "
        "node3 36001405000000000000000000000000f): resize_device must name the same LUN on "
        "every node",
        "the nodes disagree on the filesystem UUID (node1 %s, node2 %s, node3 None): "
        "resize_device must name the same LUN on every node" % (FILESYSTEM["uuid"],
                                                                FILESYSTEM["uuid"]),
        "the nodes disagree on the LUN size (node1 %d, node2 %d, node3 %d): wait until the "
        "storage presents the new size to every node" % (4 * GIB, 5 * GIB, 4 * GIB)]


def three_nodes(**kwargs):
    return [lab_node(name, **kwargs) for name in ("node1", "node2", "node3")]


def test_plan_online():
    lines = plan(three_nodes(), SETTINGS)
    assert lines[0] == (
        "LUN 35000c0ca1ab00001: every path of every node reports 4.00 GiB (4294967296 bytes); "
        "maps: node1 3.00 GiB, node2 3.00 GiB, node3 3.00 GiB. Filesystem %s: 2.99 GiB on %s "
        "(2.99 GiB), mounted on node1, node2, node3. Mode: online." % (FILESYSTEM["uuid"], TARGET))
    assert lines[1:] == [
        "1. node1, node2, node3, in parallel: rescan every path and resize the map to 4.00 GiB.",
        "2. node1: grow partition 1 to the end of the LUN; node2, node3: re-read it, and every "
        "kernel must see its new size.",
        "3. node1: tunefs.ocfs2 -S grows the filesystem from 2.99 GiB to fill the partition, "
        "while node1, node2, node3 mount it.",
        "Then every node checks that its mounted filesystem shows the new size."]


def test_plan_offline_on_the_whole_device():
    lines = plan(three_nodes(), settings(mode="offline", partitioned=False,
                                         target="/dev/mapper/mpatha"))
    assert lines[1:] == [
        "1. node1, node2, node3, in parallel: rescan every path and resize the map to 4.00 GiB.",
        "2. node2, node3: unmount /srv/ocfs2.",
        "3. node1: tunefs.ocfs2 -S grows the filesystem from 2.99 GiB to fill the LUN, while "
        "node1 mounts it.",
        "4. node2, node3, one at a time: mount /srv/ocfs2 again.",
        "Then every node checks that its mounted filesystem shows the new size."]


def test_plan_when_everything_already_grew():
    nodes = three_nodes(lun=3 * GIB, map_size=3 * GIB)
    assert nothing_to_grow(nodes[0], SETTINGS)
    assert plan(nodes, SETTINGS)[1:] == ["Nothing to grow: every step will find its work done."]


def test_a_map_already_grown_with_the_partition_still_to_grow_is_work_left():
    # Interrupted after the maps grew: the kernel knows the new size, the partition does not.
    assert not nothing_to_grow(lab_node(lun=4 * GIB, map_size=4 * GIB), SETTINGS)


def test_a_filesystem_smaller_than_its_grown_partition_is_work_left():
    node = lab_node(lun=4 * GIB, map_size=4 * GIB)
    node["device_size_bytes"] = 4 * GIB - MIB - 33 * 512
    assert not nothing_to_grow(node, SETTINGS)
    node["filesystem"]["size_bytes"] = node["device_size_bytes"] // 131072 * 131072
    assert nothing_to_grow(node, SETTINGS)


def test_a_classic_o2cb_filesystem_belongs_to_the_cluster():
    """A filesystem made with plain `mkfs.ocfs2 -L NAME DEV` has no cluster name on disk
    (fixture debugfs_stats_classic_o2cb.txt); filesystem_info returns it with an empty name."""
    node = lab_node()
    node["filesystem"]["cluster_name"] = ""
    assert node_problems(node, SETTINGS) == []


# ------------------------------------------------------------------ a map udev would rename

def test_a_partition_map_named_the_runbooks_way_stops_the_resize_with_the_remedy():
    """A hand-built node: the map named mpatha1 (parted, plain kpartx -a) where Debian's rules
    say mpatha-part1. The resize's change event renames it and systemd unmounts the node."""
    node = lab_node()
    node["mount"].update(source="/dev/mapper/mpatha1", map_name="mpatha1",
                         udev_name="mpatha-part1")
    assert node_problems(node, SETTINGS) == [
        "it mounts /srv/ocfs2 from the partition map mpatha1, which this system's udev rules "
        "name mpatha-part1: resizing the multipath map makes udev rename it, and systemd then "
        "unmounts /srv/ocfs2 on this node. Rename it while it is unmounted, one node at a time "
        "with its VMs moved off: umount /srv/ocfs2; dmsetup rename mpatha1 mpatha-part1; make "
        "/etc/fstab mount /srv/ocfs2 by UUID=4e20acb9-9f5d-4b55-a8fb-0e6a1a8ff9a2; mount "
        "/srv/ocfs2 (or reboot the node, which names it mpatha-part1)"]
    assert node_problems(node, settings(mode="offline"))[0].startswith(
        "it mounts /srv/ocfs2 from the partition map mpatha1")


def test_a_partition_map_with_the_systems_own_name_passes():
    node = lab_node()
    node["mount"].update(map_name="mpatha-part1", udev_name="mpatha-part1")
    assert node_problems(node, SETTINGS) == []
    # No kpartx in the udev rules, or not a multipath partition map: nothing renames it.
    node["mount"].update(map_name="mpatha1", udev_name=None)
    assert node_problems(node, SETTINGS) == []
