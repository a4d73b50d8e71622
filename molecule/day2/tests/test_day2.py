"""The day-2 playbooks on the lab, checked by behaviour, in file order (each test starts from
the state the one before left): the health report; fsck read-only while mounted, a problem made
on disk, its repair in a planned outage; the node slots; node3 taken out while node1 and node2
write, the cluster run without it, and node3 joining again with its number."""

import json
import pathlib

import pytest
import yaml
from labcheck import (assert_nothing_changed, kernel_mount_count, mounted_nodes, play_recap,
                      run_playbook, start_writer, stop_writer)

MOUNT_POINT = "/srv/ocfs2"
TEST_DIR = MOUNT_POINT + "/day2-test"
# The node numbers before node3 left, for its return.
NUMBERS_BEFORE = {}


def partition_path(lab):
    return "/dev/disk/by-id/dm-uuid-part1-mpath-%s" % lab["luns"][0]["wwid"]


def mounts(nodes):
    """What a planned outage changes: each node's mount of the filesystem (its source) and how
    many times the kernel mounted an OCFS2 filesystem since boot ("ocfs2: Mounting device" in
    its log: an unmount and mount again adds one); None where it is not mounted."""
    found = {}
    for name, node in nodes.items():
        result = node.run("findmnt --noheadings --output SOURCE --mountpoint %s", MOUNT_POINT)
        found[name] = ([result.stdout.strip(), kernel_mount_count(node)] if result.rc == 0
                       else None)
    return found


def slots(node, lab):
    return int(node.check_output("tunefs.ocfs2 -Q '%%N' %s", partition_path(lab)))


def failures(output):
    """The failed tasks' messages (msg: lines and what follows), for the refusals."""
    return output[output.find("fatal:"):]


def assert_failed_before_any_change(result, *phrases):
    assert result.returncode != 0, result.stdout[-3000:]
    text = " ".join(failures(result.stdout).split())
    for phrase in phrases:
        assert phrase in text, (phrase, result.stdout[-3000:])
    recap = play_recap(result.stdout)
    assert recap and not any(counts["changed"] for counts in recap.values()), recap


@pytest.fixture
def user_of(nodes):
    """A process with its working directory in the filesystem on a node, as a VM's would be;
    stopped afterwards."""
    started = []

    def start(name):
        nodes[name].check_output(
            "systemd-run --unit=day2-user --collect --working-directory=%s sleep 3600",
            MOUNT_POINT)
        started.append(name)
    yield start
    for name in started:
        nodes[name].run("systemctl stop day2-user")


# ------------------------------------------------------------------ the health report

@pytest.fixture(scope="module")
def status_file(tmp_path_factory):
    return tmp_path_factory.mktemp("status") / "report.json"


def test_status_reports_a_healthy_cluster_and_writes_the_json(nodes, status_file):
    result = run_playbook("status.yml", "-e", "status_report_file=%s" % status_file)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "online on 3 of 3 nodes (node1, node2, node3)" in result.stdout
    report = json.loads(status_file.read_text())
    assert report["healthy"] and report["problems"] == [], report
    assert sorted(report["nodes"]) == ["node1", "node2", "node3"]


# ------------------------------------------------------------------ fsck

def test_fsck_checks_read_only_while_every_node_stays_mounted(nodes):
    before = mounts(nodes)
    result = run_playbook("fsck.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "no problem found while mounted on node1, node2, node3" in " ".join(
        result.stdout.split())
    assert mounts(nodes) == before


def break_link_count(nodes, lab):
    """A file whose inode says 2 links while one directory entry names it: written on node1,
    every node's cache dropped, the count changed on disk (O_DIRECT), as a bit flip would."""
    node1 = nodes["node1"]
    node1.check_output("mkdir -p %s && echo victim > %s/victim && sync", TEST_DIR, TEST_DIR)
    inode = int(node1.check_output("stat -c %%i %s/victim", TEST_DIR))
    for node in nodes.values():
        node.check_output("sync; echo 3 > /proc/sys/vm/drop_caches")
    # struct ocfs2_dinode: i_links_count, 16 bits at byte 0x2A; an inode number is its block.
    node1.check_output(
        "python3 -c 'import mmap, os, struct, sys; "
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_DIRECT); block = mmap.mmap(-1, 4096); "
        "offset = int(sys.argv[2]) * 4096; os.preadv(fd, [block], offset); "
        "struct.pack_into(\"<H\", block, 0x2A, 2); os.pwritev(fd, [block], offset)' %s %s",
        partition_path(lab), str(inode))
    return inode


def test_fsck_finds_a_problem_on_disk_and_changes_nothing(nodes, lab):
    inode = break_link_count(nodes, lab)
    before = mounts(nodes)
    result = run_playbook("fsck.yml")
    assert_failed_before_any_change(result, "fsck.ocfs2 found problems", "INODE_COUNT",
                                    "fsck_repair=true")
    assert "Inode %d has a link count of 2 on disk" % inode in " ".join(result.stdout.split())
    assert mounts(nodes) == before


def test_fsck_repair_fixes_it_in_a_planned_outage(nodes, lab):
    result = run_playbook("fsck.yml", "-e", "fsck_repair=true")
    assert result.returncode == 0, result.stdout[-3000:]
    text = " ".join(result.stdout.split())
    assert "Outage for a repair with fsck.ocfs2 -y: /srv/ocfs2 unmounted on node1, node2, node3" \
        in text
    assert "1 problem(s) found, 1 fixed, 0 left" in text
    assert all(mount is not None for mount in mounts(nodes).values())
    assert nodes["node2"].check_output("cat %s/victim", TEST_DIR) == "victim"


# ------------------------------------------------------------------ node slots

@pytest.fixture(scope="module")
def more_slots(nodes, lab):
    """The slots the filesystem has when these tests start (4 as site.yml makes it; more when
    the scenario ran before on this lab), and one more."""
    now = slots(nodes["node1"], lab)
    return now, now + 1


def test_slots_refuses_fewer_than_the_hosts(nodes, lab):
    result = run_playbook("slots.yml", "-e", "slots=2")
    assert_failed_before_any_change(result, "slots is 2", "each of the 3 hosts of ocfs2_nodes "
                                    "needs one")


def test_slots_in_check_mode_shows_the_outage_and_refuses_a_process_using_the_filesystem(
        nodes, lab, user_of, more_slots):
    now, wanted = more_slots
    user_of("node2")
    before = mounts(nodes)
    result = run_playbook("slots.yml", "-e", "slots=%d" % wanted, "--check")
    assert "Outage for tunefs.ocfs2 -N %d (node slots %d -> %d)" % (wanted, now, wanted) in " ".join(
        result.stdout.split())
    assert_failed_before_any_change(result, "node2: 1 process(es) use /srv/ocfs2", "sleep",
                                    "Nothing was changed")
    assert mounts(nodes) == before and slots(nodes["node1"], lab) == now


def test_slots_raises_the_slots_in_a_planned_outage_then_has_nothing_to_do(nodes, lab,
                                                                          more_slots):
    _now, wanted = more_slots
    before = mounts(nodes)
    result = run_playbook("slots.yml", "-e", "slots=%d" % wanted)
    assert result.returncode == 0, result.stdout[-3000:]
    after = mounts(nodes)
    assert slots(nodes["node1"], lab) == wanted
    # Mounted again on every node: the same device, one more mount.
    for name in nodes:
        assert after[name] == [before[name][0], before[name][1] + 1], (name, before, after)
    assert_nothing_changed(run_playbook("slots.yml", "-e", "slots=%d" % wanted))
    assert mounts(nodes) == after


# ------------------------------------------------------------------ a node leaves, and joins

def registered(node):
    return node.check_output("ls /sys/kernel/config/cluster/ocfs2lab/node").split()


def cluster_conf_numbers(node):
    text = node.check_output("cat /etc/ocfs2/cluster.conf")
    names = [line.split("=")[1].strip() for line in text.splitlines()
             if line.strip().startswith("name =")][1:]
    numbers = [int(line.split("=")[1]) for line in text.splitlines()
               if line.strip().startswith("number =")]
    return dict(zip(names, numbers))


def test_remove_node_refuses_while_node3_uses_the_filesystem(nodes, user_of):
    user_of("node3")
    before = mounts(nodes)
    result = run_playbook("remove_node.yml", "-e", "remove_node=node3")
    assert_failed_before_any_change(result, "node3: 1 process(es) use /srv/ocfs2", "sleep",
                                    "remove_node_stop_users=true")
    assert mounts(nodes) == before


def test_remove_node_takes_node3_out_while_the_others_keep_writing(nodes, lab, user_of):
    user_of("node3")
    numbers = cluster_conf_numbers(nodes["node1"])
    NUMBERS_BEFORE.update(numbers)
    stayed = dict((name, nodes[name]) for name in ("node1", "node2"))
    before = mounts(stayed)
    for name, node in stayed.items():
        start_writer(node, "fs-probe-remove", "%s/remove-%s" % (TEST_DIR, name))
    result = run_playbook("remove_node.yml", "-e", "remove_node=node3",
                          "-e", "remove_node_stop_users=true")
    writers = dict((name, stop_writer(node, "fs-probe-remove")) for name, node in stayed.items())
    assert result.returncode == 0, result.stdout[-3000:]
    print("writers while node3 left: %s" % json.dumps(writers))
    for name, writer in writers.items():
        assert writer["errors"] == [] and writer["iterations"] > 20, (name, writer)
    assert mounts(stayed) == before
    node3 = nodes["node3"]
    assert node3.run("findmnt %s", MOUNT_POINT).rc == 1
    assert MOUNT_POINT not in node3.check_output("cat /etc/fstab")
    assert node3.check_output("o2cb cluster-status ocfs2lab || true").strip().endswith("offline")
    assert node3.run("systemctl is-enabled --quiet o2cb").rc != 0
    assert node3.file("/etc/ocfs2/cluster.conf.removed").exists
    for node in stayed.values():
        assert cluster_conf_numbers(node) == {"node1": numbers["node1"], "node2": numbers["node2"]}
        # Local heartbeat: still registered until o2cb restarts there.
        assert "node3" in registered(node)
    # Its slot is free: only node1 and node2 hold one.
    assert mounted_nodes(nodes["node1"], MOUNT_POINT) == ["node1", "node2"]


@pytest.fixture(scope="module")
def inventory_without_node3(lab, tmp_path_factory):
    inventory = yaml.safe_load(pathlib.Path(lab["inventory"]).read_text())
    del inventory["all"]["children"]["ocfs2_nodes"]["hosts"]["node3"]
    path = tmp_path_factory.mktemp("inventory") / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory))
    return str(path)


def test_site_without_node3_in_the_inventory_changes_nothing(inventory_without_node3):
    assert_nothing_changed(run_playbook("site.yml", "-i", inventory_without_node3))


def test_slots_refuses_to_remove_a_slot_that_holds_allocations(nodes, lab,
                                                                inventory_without_node3):
    now = slots(nodes["node1"], lab)
    before = mounts(nodes)
    result = run_playbook("slots.yml", "-i", inventory_without_node3, "-e", "slots=2")
    assert_failed_before_any_change(result, "node_slots %d -> 2 would remove slots that hold "
                                    "allocations" % now, "Nothing was changed")
    assert mounts(nodes) == before and slots(nodes["node1"], lab) == now


def test_node3_joins_again_with_its_number(nodes, lab):
    # Its packages and multipath are still there: the steps that bring it back, with the checks
    # every site.yml run makes.
    result = run_playbook("site.yml", "--tags", "cluster,filesystem")
    assert result.returncode == 0, result.stdout[-3000:]
    for node in nodes.values():
        # Still registered on node1 and node2, node3 keeps the number it had.
        assert cluster_conf_numbers(node) == NUMBERS_BEFORE
        assert sorted(registered(node)) == ["node1", "node2", "node3"]
    assert mounted_nodes(nodes["node1"], MOUNT_POINT) == ["node1", "node2", "node3"]
    assert nodes["node3"].check_output("cat %s/victim", TEST_DIR) == "victim"
