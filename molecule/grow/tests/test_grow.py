"""A cluster built by hand, adopted by site.yml and grown by resize.yml on the lab, checked
by behaviour. The side effect built it the runbook's way and wrote data with its checksum.
Then, in file order: the LUN grows on the SAN; resize.yml and site.yml refuse the map names udev
would rename, and the per-node rename they print is done; site.yml refuses the partition's
name, then adopts the cluster while a writer on every node writes, and changes nothing when run
again; resize.yml grows the filesystem online while the writers write, and again as a control
that grows nothing; then the refusals and check mode (with the LUN grown again, so there is
work they must not do), a run killed after the partition step and run again, the offline mode,
a filesystem on the whole multipath device of LUN 2, and fsck.yml's read-only check with
every node mounted."""

import pathlib
import re
import time

import pytest
from labcheck import (DEFAULT, GIB, assert_nothing_changed, block_size_bytes, grow_lun,
                      kill_playbook_at, lun_size, map_path, map_paths, mounted_size,
                      multipath_map, on_every_node, play_recap, run_playbook, start_writer,
                      stop_writer, task_results)

MOUNT_POINT = "/srv/ocfs2"
TEST_DIR = MOUNT_POINT + "/grow-test"
# What a partition and a filesystem may lack of the LUN: the GPT's 1 MiB before the partition
# and 33 sectors after it, and the filesystem's last incomplete 128 KiB cluster.
SLACK_BYTES = 2 << 20


def lun(lab):
    return lab["luns"][0]


def partition_path(lab):
    return "/dev/disk/by-id/dm-uuid-part1-mpath-%s" % lun(lab)["wwid"]


def sizes(nodes, lab):
    """What each node's kernel sees: map, partition, and the mounted filesystem (None when
    it is not mounted)."""
    return dict((name, {
        "map": block_size_bytes(node, map_path(lab)),
        "partition": block_size_bytes(node, partition_path(lab)),
        "filesystem": mounted_size(node, MOUNT_POINT),
    }) for name, node in nodes.items())


def assert_grown_everywhere(nodes, lab, size):
    seen = sizes(nodes, lab)
    for name, sizes_of_node in seen.items():
        assert sizes_of_node["map"] == size, (name, seen)
        assert size - SLACK_BYTES <= sizes_of_node["filesystem"] <= sizes_of_node["partition"], (
            name, seen)
    assert len(set(node["filesystem"] for node in seen.values())) == 1, seen


def assert_manifests_verify_on_another_node(nodes, directories):
    names = sorted(nodes)
    for index, (writer, directory) in enumerate(sorted(directories.items())):
        reader = nodes[names[(names.index(writer) + 1) % len(names)]]
        result = reader.run("cd %s && sha256sum --check --quiet manifest.sha256", directory)
        assert result.rc == 0, (writer, directory, result.stdout[-2000:], result.stderr[-2000:])


def assert_recap(output, changed):
    recap = play_recap(output)
    assert recap, output[-3000:]
    for host, counts in recap.items():
        assert counts["failed"] == 0 and counts["unreachable"] == 0, (host, output[-3000:])
        if changed is not None:
            assert (counts["changed"] > 0) == changed or host == "localhost", (host, recap)


# ------------------------------------------------------------------ a cluster built by hand

# What the operator's inventory says of the hand-built cluster (the side effect built it).
RUNBOOK_VARS = ["-e", "@" + str(pathlib.Path(__file__).resolve().parent.parent
                                / "vars" / "runbook-cluster.yml")]
# The commands that show what site.yml or resize.yml could change on a node: the registered
# nodes, the mount (source and device number), the filesystem's UUID, the files they write.
STATE_COMMAND = (
    "for node in /sys/kernel/config/cluster/*/node/*; do "
    "echo registered $(basename $node) $(cat $node/num); done; "
    "findmnt --noheadings --output SOURCE,MAJ:MIN %s; blkid -s UUID -o value %s; "
    "sha256sum /etc/ocfs2/cluster.conf /etc/default/o2cb /etc/fstab /etc/multipath.conf")


def run(playbook, *arguments, **options):
    """A playbook run with the operator's inventory for this cluster (RUNBOOK_VARS)."""
    return run_playbook(playbook, *(RUNBOOK_VARS + list(arguments)), **options)


def node_state(node, lab):
    return node.check_output(STATE_COMMAND, MOUNT_POINT, partition_path(lab))


def mounted_filesystem(state):
    """The mount's source and device number, and the filesystem's UUID, from node_state."""
    return [line for line in state.splitlines()
            if not line.startswith("registered") and " /etc/" not in line]


def registered_numbers(state):
    return dict(re.findall(r"^registered (\S+) (\d+)$", state, re.MULTILINE))


def cluster_conf_numbers(node):
    """{node name: number} of the nodes in /etc/ocfs2/cluster.conf."""
    stanzas = node.check_output("cat /etc/ocfs2/cluster.conf").split("node:")[1:]
    return dict((re.search(r"name = (\S+)", stanza).group(1),
                 re.search(r"number = (\d+)", stanza).group(1)) for stanza in stanzas)


def states(nodes, lab):
    return dict((name, node_state(node, lab)) for name, node in nodes.items())


def partition_map_names(node, lab):
    """The partition map's name as a plain `kpartx -a` gives it (mpatha1), and as this
    system's udev rules give it (mpatha-part1)."""
    parent = node.check_output("dmsetup info --columns --noheadings -o name %s",
                               map_path(lab)).strip()
    return parent + "1", parent + "-part1"


@pytest.fixture(scope="module")
def grown_by_the_san(nodes, lab):
    """The LUN grown by 1 GiB before the cluster is adopted: the refusals have work they must
    not do, and resize.yml grows it after the adoption."""
    return grow_lun()


def test_resize_and_site_refuse_the_runbooks_map_names_before_any_change(nodes, lab,
                                                                        grown_by_the_san):
    numbers = dict((name, str(3 + 2 * index)) for index, name in enumerate(sorted(nodes)))
    before = states(nodes, lab)
    remedies = []
    for name, node in nodes.items():
        # The cluster as the runbook left it: its own node numbers, registered, and the
        # partition mounted from the name a plain `kpartx -a` gives it.
        assert registered_numbers(before[name]) == numbers, (name, before[name])
        assert cluster_conf_numbers(node) == numbers, name
        runbook_name, system_name = partition_map_names(node, lab)
        assert mounted_filesystem(before[name])[0].startswith("/dev/mapper/%s " % runbook_name), (
            name, before[name])
        # The [ERROR] line Ansible prints for the failed assert, unwrapped.
        remedies.append(
            r"%s: it mounts /srv/ocfs2 from the partition map %s, which this system's udev "
            r"rules name %s: resizing the multipath map makes udev rename it, and systemd "
            r"then unmounts /srv/ocfs2 on this node\. Rename it while it is unmounted.*"
            r"dmsetup rename %s %s" % (name, runbook_name, system_name, runbook_name,
                                       system_name))
    for playbook in ["resize.yml", "site.yml"]:
        result = run(playbook)
        assert result.returncode != 0, (playbook, result.stdout[-3000:])
        for remedy in remedies:
            assert re.search(remedy, result.stdout), (playbook, remedy, result.stdout[-3000:])
        assert states(nodes, lab) == before, playbook


@pytest.fixture(scope="module")
def renamed_as_the_refusal_says(nodes, lab, grown_by_the_san):
    """The remedy the refusal prints: unmount, rename the map, fstab by UUID, mount. An
    operator does one node at a time to keep its VMs running on the others; the test setup
    does all three at once."""
    uuid = nodes["node1"].check_output("blkid -s UUID -o value %s", partition_path(lab)).strip()

    def rename(_name, node):
        runbook_name, system_name = partition_map_names(node, lab)
        node.check_output("umount %s && dmsetup rename %s %s", MOUNT_POINT, runbook_name,
                          system_name)
        node.check_output("sed -i 's|^/dev/mapper/%s |UUID=%s |' /etc/fstab && "
                          "systemctl daemon-reload && mount %s", runbook_name, uuid, MOUNT_POINT)
    on_every_node(nodes, rename)
    return uuid


def test_site_refuses_the_runbooks_partition_name_before_any_change(nodes, lab,
                                                                   renamed_as_the_refusal_says):
    before = states(nodes, lab)
    # The operator's inventory without the partition's name.
    for playbook, arguments, variable in [
            ("site.yml", ["-e", "cluster_heartbeat_threshold=31"], "filesystem_partition_name"),
            ("resize.yml", [], "resize_partition_name")]:
        result = run_playbook(playbook, *arguments)
        assert result.returncode != 0, (playbook, result.stdout[-3000:])
        assert re.search(r"node1: partition 1 of %s is named 'primary', not 'ocfs2'; refusing "
                         r"to change it\..*%s.*Nothing was changed\."
                         % (re.escape(map_path(lab)), variable), result.stdout), (
            playbook, result.stdout[-3000:])
        assert all(counts["changed"] == 0 for counts in play_recap(result.stdout).values()), (
            playbook, result.stdout[-3000:])
        assert states(nodes, lab) == before, playbook


def test_site_adopts_the_cluster_without_unmount_renumbering_or_mkfs(nodes, lab,
                                                                    renamed_as_the_refusal_says):
    uuid = renamed_as_the_refusal_says
    before = states(nodes, lab)
    since = dict((name, node.check_output("date +%s").strip()) for name, node in nodes.items())
    for name, node in nodes.items():
        start_writer(node, "fs-probe-adopt", "%s/adopt-%s" % (TEST_DIR, name))
    result = run("site.yml")
    writers = dict((name, stop_writer(node, "fs-probe-adopt")) for name, node in nodes.items())
    assert result.returncode == 0, result.stdout[-3000:]
    for name, node in nodes.items():
        after = node_state(node, lab)
        assert registered_numbers(after) == registered_numbers(before[name]), (name, after)
        assert cluster_conf_numbers(node) == registered_numbers(before[name]), name
        # The same device mounted all along (source and device number), the same filesystem.
        assert mounted_filesystem(after) == mounted_filesystem(before[name]), (name, after)
        assert writers[name]["errors"] == [] and writers[name]["iterations"] > 50, (
            name, writers[name])
        unmounts = node.check_output(
            "journalctl --since @%s --no-pager --output cat | "
            "grep -E 'Unmounting|srv-ocfs2.mount: Deactivated' || true", since[name])
        assert unmounts == "", (name, unmounts)
        assert node.check_output("findmnt --fstab --noheadings --output SOURCE %s",
                                 MOUNT_POINT).strip() == "UUID=" + uuid, name
    assert_manifests_verify_on_another_node(
        nodes, dict((name, "%s/adopt-%s" % (TEST_DIR, name)) for name in nodes))


def test_site_run_again_on_the_adopted_cluster_changes_nothing(nodes):
    assert_nothing_changed(run("site.yml"))


# ------------------------------------------------------------------ online, as users run it

def resize_with_writers(nodes, name):
    """resize.yml with Ansible's default strategy while a writer on every node writes, reads
    back and checksums a file every 200 ms: the run and each node's writer summary."""
    for node_name, node in nodes.items():
        start_writer(node, name, "%s/%s-%s" % (TEST_DIR, name, node_name))
    result = run("resize.yml", strategy=DEFAULT)
    writers = dict((node_name, stop_writer(node, name)) for node_name, node in nodes.items())
    return result, writers


@pytest.fixture(scope="module")
def online_grow(nodes, grown_by_the_san):
    return resize_with_writers(nodes, "online")


@pytest.fixture(scope="module")
def control_run(nodes, online_grow):
    """The same run again, with nothing to grow."""
    return resize_with_writers(nodes, "control")


def test_online_every_node_sees_the_grown_lun_and_filesystem_while_mounted(nodes, lab,
                                                                          online_grow):
    result, _writers = online_grow
    assert result.returncode == 0, result.stdout[-3000:]
    assert_grown_everywhere(nodes, lab, lun_size())


def test_online_writers_saw_no_io_error_and_their_data_reads_back(nodes, online_grow):
    _result, writers = online_grow
    for name, writer in writers.items():
        assert writer["errors"] == [], (name, writer["errors"][:5])
        assert writer["iterations"] > 50, (name, writer)
    assert_manifests_verify_on_another_node(
        nodes, dict((name, "%s/online-%s" % (TEST_DIR, name)) for name in nodes))


def test_resize_yml_again_changes_nothing_and_the_grow_stalled_no_longer_than_it(
        online_grow, control_run):
    result, control = control_run
    assert_nothing_changed(result)
    _result, grow = online_grow
    for name in sorted(grow):
        print("%s: longest interval between two completed writes: %.2f s growing, %.2f s in "
              "the control run" % (name, grow[name]["longest_gap_s"],
                                   control[name]["longest_gap_s"]))
        assert control[name]["errors"] == [], (name, control[name]["errors"][:5])
    for name in grow:
        assert grow[name]["longest_gap_s"] <= control[name]["longest_gap_s"] + 0.5, (
            name, grow[name], control[name])


def test_data_written_before_the_resize_is_intact_on_every_node(nodes):
    for name, node in nodes.items():
        result = node.run("cd %s && sha256sum --check --quiet before.sha256", TEST_DIR)
        assert result.rc == 0, (name, result.stdout, result.stderr)


# ------------------------------------------------------------------ refusals

@pytest.fixture(scope="module")
def grown_again(nodes, lab):
    """The LUN grown by another GiB: resize.yml has work to do, which a refusal must not do."""
    return grow_lun()


def assert_refused(nodes, lab, arguments, message):
    before = sizes(nodes, lab)
    result = run("resize.yml", *arguments)
    assert result.returncode != 0, result.stdout[-3000:]
    assert re.search(message, result.stdout), result.stdout[-3000:]
    assert sizes(nodes, lab) == before
    return result


def test_a_node_that_cannot_see_the_lun_stops_the_play_before_any_change(nodes, lab, grown_again):
    nodes["node1"].check_output("ln -sfn %s /dev/lab-only-on-node1", map_path(lab))
    try:
        assert_refused(nodes, lab, ["-e", "resize_device=/dev/lab-only-on-node1"],
                       r"(?s)fatal: \[node2\].*multipath map /dev/lab-only-on-node1 does not "
                       r"exist on this node")
    finally:
        nodes["node1"].check_output("rm -f /dev/lab-only-on-node1")


def test_a_shrink_request_and_a_failed_path_stop_the_play_before_any_change(nodes, lab,
                                                                             grown_again):
    # One run for both: every node's checks report in the same task. The path is one of this
    # LUN's on node2 (with two LUNs, sdb may belong to the other).
    node2 = nodes["node2"]
    multipath = multipath_map(node2, lun(lab)["wwid"])
    path = map_paths(multipath)[-1]["dev"]
    node2.check_output("multipathd fail path %s", path)
    try:
        assert_refused(nodes, lab, ["-e", "resize_size=1G"],
                       r"(?s)(?=.*node1: resize_size 1G \(1073741824 bytes\) is smaller than the "
                       r"filesystem \(\d+ bytes\): OCFS2 cannot shrink\. Nothing was changed\.)"
                       r"(?=.*node2: path %s of map %s is not active \(dm failed, checker "
                       r"\w+\): restore it before resizing)" % (path, multipath["name"]))
    finally:
        node2.check_output("multipathd reinstate path %s", path)
    deadline = time.time() + 60
    while not re.search(r"\b%s\b.*\bactive\b.*\bready\b" % path,
                        node2.check_output("multipathd show paths")):
        assert time.time() < deadline, "path %s of node2 did not come back" % path
        time.sleep(2)


def test_a_node_that_does_not_answer_stops_the_play_before_any_change(nodes, lab, grown_again,
                                                                     tmp_path):
    # The last node on a port nothing listens on: SSH is refused, as for a host that is down.
    last = sorted(nodes)[-1]
    down = tmp_path / "last-node-down.yml"
    down.write_text("all:\n  hosts:\n    %s:\n      ansible_port: 1\n" % last)
    result = assert_refused(nodes, lab, ["-i", lab["inventory"], "-i", str(down)],
                            r"fatal: \[%s\]: UNREACHABLE!(?s:.*)%s did not answer \(or "
                            r"failed, above\): every node must see the new size before the "
                            r"filesystem grows\." % (last, last))
    assert "Rescan every path" not in result.stdout, result.stdout[-3000:]


# ------------------------------------------------------------------ check mode

def test_check_mode_prints_the_plan_and_changes_nothing(nodes, lab, grown_again):
    before = sizes(nodes, lab)
    result = run("resize.yml", "--check", "--diff")
    assert result.returncode == 0, result.stdout[-3000:]
    # The plan as the debug task prints it, whatever the line wrapping.
    printed = " ".join(result.stdout.split())
    names = sorted(nodes)
    for step in ["every path of every node reports %.2f GiB (%d bytes)" % (grown_again / GIB,
                                                                         grown_again),
                 "1. %s, in parallel: rescan every path and resize the map to %.2f GiB."
                 % (", ".join(names), grown_again / GIB),
                 "2. %s: grow partition 1 to the end of the LUN; %s: re-read it"
                 % (names[0], ", ".join(names[1:])),
                 "3. %s: tunefs.ocfs2 -S grows the filesystem from" % names[0]]:
        assert step in printed, (step, result.stdout[-5000:])
    assert task_results(result.stdout, "Rescan every path and resize the LUN's multipath map, "
                        "on every node") == dict.fromkeys(nodes, "changed"), result.stdout[-5000:]
    assert sizes(nodes, lab) == before


# ------------------------------------------------------------------ interrupted, run again

def test_a_run_killed_after_the_partition_step_finishes_when_run_again(nodes, lab, grown_again):
    kill_playbook_at("resize.yml",
                     "TASK [ocfs2.cluster.resize : Make every node's kernel see the grown partition",
                     *RUNBOOK_VARS)
    interrupted = sizes(nodes, lab)
    assert all(node["map"] == grown_again for node in interrupted.values()), interrupted
    assert all(node["filesystem"] < grown_again - GIB for node in interrupted.values()), (
        "the filesystem grew before the kill", interrupted)
    result = run("resize.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert_recap(result.stdout, changed=None)
    assert_grown_everywhere(nodes, lab, grown_again)


# ------------------------------------------------------------------ offline mode

def test_offline_mode_grows_with_the_other_nodes_unmounted_then_mounts_them_again(nodes, lab):
    size = grow_lun()
    start_writer(nodes["node1"], "fs-probe-offline", TEST_DIR + "/offline-node1")
    result = run("resize.yml", "-e", "resize_mode=offline")
    writer = stop_writer(nodes["node1"], "fs-probe-offline")
    assert result.returncode == 0, result.stdout[-3000:]
    first = sorted(nodes)[0]
    unmounted = task_results(result.stdout, "Unmount the filesystem on every node but the first")
    assert unmounted == dict((name, "skipping" if name == first else "changed")
                             for name in nodes), result.stdout[-5000:]
    assert_grown_everywhere(nodes, lab, size)
    assert writer["errors"] == [], writer["errors"][:5]
    assert_manifests_verify_on_another_node(nodes, {"node1": TEST_DIR + "/offline-node1"})


def test_offline_mode_with_nothing_to_grow_changes_nothing(nodes, lab):
    result = run("resize.yml", "-e", "resize_mode=offline")
    assert result.returncode == 0, result.stdout[-3000:]
    assert_recap(result.stdout, changed=False)
    assert "Nothing to grow" in result.stdout


# ------------------------------------------------------------------ the whole multipath device

WHOLE_MOUNT_POINT = "/srv/ocfs2-whole"


@pytest.fixture
def whole_device_filesystem(nodes, lab):
    """OCFS2 on LUN 2's multipath device itself, no partition table, mounted on every node;
    unmounted afterwards."""
    device = "/dev/disk/by-id/dm-uuid-mpath-%s" % lab["luns"][1]["wwid"]
    # Whatever the cluster scenario's refusals left there (mkfs.ocfs2 would ask before
    # overwriting it).
    nodes["node1"].check_output("wipefs --all --quiet %s", device)
    nodes["node1"].check_output("mkfs.ocfs2 -q -N 3 -L lab-whole --cluster-stack=o2cb "
                                "--cluster-name=ocfs2lab %s", device)
    try:
        on_every_node(nodes, lambda _name, node: node.check_output(
            "mkdir -p %s && mount -t ocfs2 %s %s", WHOLE_MOUNT_POINT, device, WHOLE_MOUNT_POINT))
        yield device
    finally:
        on_every_node(nodes, lambda _name, node: node.run("umount %s", WHOLE_MOUNT_POINT))


def test_a_filesystem_on_the_whole_multipath_device_grows_online(nodes, whole_device_filesystem):
    device = whole_device_filesystem
    size = grow_lun(1)
    result = run("resize.yml", "-e", "resize_device=" + device,
                 "-e", "resize_partitioned=false",
                 "-e", "resize_mount_point=" + WHOLE_MOUNT_POINT,
                 "-e", "resize_filesystem_label=lab-whole")
    assert result.returncode == 0, result.stdout[-3000:]
    assert set(task_results(result.stdout, "Grow the partition to the end of the LUN, on the "
                            "first node").values()) == {"skipping"}, result.stdout[-5000:]
    seen = dict((name, (block_size_bytes(node, device), mounted_size(node, WHOLE_MOUNT_POINT)))
                for name, node in nodes.items())
    for name, (device_size, filesystem_size) in seen.items():
        assert filesystem_size is not None, (name, "not mounted", seen)
        assert device_size == size and size - SLACK_BYTES <= filesystem_size <= size, (name, seen)
    assert len(set(seen.values())) == 1, seen
    # The grown filesystem is shared: what one node writes, the next reads.
    writer, reader = sorted(nodes)[-2:]
    nodes[writer].check_output("head -c 8M /dev/urandom > %s/shared && cd %s && "
                               "sha256sum shared > shared.sha256", WHOLE_MOUNT_POINT,
                               WHOLE_MOUNT_POINT)
    result = nodes[reader].run("cd %s && sha256sum --check --quiet shared.sha256",
                               WHOLE_MOUNT_POINT)
    assert result.rc == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ the filesystem is sound

def test_fsck_finds_the_grown_filesystem_sound_while_every_node_keeps_it_mounted(nodes):
    # playbooks/fsck.yml's read-only check (fsck.ocfs2 -f -n on a mounted filesystem; nothing
    # writes now, so nothing it could find would be spurious).
    result = run("fsck.yml")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "no problem found while mounted on" in " ".join(result.stdout.split())
