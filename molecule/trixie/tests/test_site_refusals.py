"""site.yml on bad input, against the cluster the scenario built: the play stops with a
message that names the variable or the device, and no node's cluster, mounts or disks change.
The cluster is online and mounted, LUN 2 is a scratch disk. Any number of nodes (two in the
trixie scenario)."""

import re

import pytest
from labcheck import map_paths, multipath_map, run_site


@pytest.fixture(scope="module")
def scratch(lab):
    """LUN 2's multipath device, the same path on every node."""
    return "/dev/disk/by-id/dm-uuid-mpath-%s" % lab["luns"][1]["wwid"]


def state(nodes, scratch):
    """What a refused run must leave as it was, on every node."""
    return dict((name, {
        "files": node.check_output(
            "sha256sum /etc/ocfs2/cluster.conf /etc/default/o2cb /etc/fstab "
            "/etc/multipath.conf"),
        "mounts": node.check_output("findmnt --noheadings --types ocfs2 --output SOURCE,TARGET"),
        "cluster": node.check_output("ls /sys/kernel/config/cluster/ocfs2lab/node"),
        "scratch": node.run("blkid -p -o export %s", scratch).stdout,
    }) for name, node in nodes.items())


def assert_refused(nodes, scratch, arguments, message):
    before = state(nodes, scratch)
    result = run_site(*arguments)
    assert result.returncode != 0, result.stdout[-3000:]
    assert re.search(message, result.stdout), result.stdout[-3000:]
    assert state(nodes, scratch) == before


# What the host's own facts decide (its addresses, its name), through site.yml's preflight on
# the lab. The checks that need no host (a cluster name o2cb refuses, the variables' bounds)
# stop site.yml before any host is contacted, which unit tests prove
# (tests/unit/playbooks/test_site_inputs.py); one node number for two hosts is refused by the
# same preflight step as the cases here, from the inventory alone
# (tests/unit/plugins/plugin_utils/test_cluster.py).
@pytest.mark.parametrize("arguments, message", [
    (["-e", "cluster_node_ip=192.168.7.11"],
     r"host node2: cluster_node_ip 192.168.7.11 is not an address of this host"),
    (["-e", "cluster_node_name=client01"],
     r"host node1: its node name is 'client01', but the host calls itself 'node1'"),
], ids=["ip-of-another-host", "node-name-not-hostname"])
def test_bad_cluster_input_stops_the_play_before_any_change(nodes, scratch, arguments, message):
    assert_refused(nodes, scratch, arguments, message)


def test_a_node_that_cannot_reach_the_others_on_the_cluster_port(nodes, lab, scratch):
    # A firewall on the last node dropping what it sends to port 7778 (the running cluster uses
    # 7777); protocol 6 is TCP (the guests have no /etc/protocols).
    addresses = dict((node["name"], node["cluster_ip"]) for node in lab["nodes"])
    *others, last = sorted(addresses)
    nodes[last].check_output("ip rule add ipproto 6 dport 7778 blackhole")
    try:
        assert_refused(nodes, scratch, ["-e", "cluster_port=7778"],
                       r"%s \(%s\) cannot reach %s on the o2net port" % (
                           last, re.escape(addresses[last]), ", ".join(
                               r"%s \(%s:7778\)" % (name, re.escape(addresses[name]))
                               for name in others)))
    finally:
        nodes[last].check_output("ip rule del ipproto 6 dport 7778 blackhole")


def test_a_lun_device_missing_on_some_hosts(nodes, scratch):
    nodes["node1"].check_output("ln -sfn %s /dev/lab-only-on-node1", scratch)
    try:
        assert_refused(nodes, scratch,
                       ["--tags", "filesystem", "-e", "filesystem_device=/dev/lab-only-on-node1"],
                       r"node2: filesystem_device /dev/lab-only-on-node1 does not exist")
    finally:
        nodes["node1"].check_output("rm -f /dev/lab-only-on-node1")


def test_one_path_of_the_multipath_lun_is_refused_naming_the_map(nodes, lab, scratch):
    # One SCSI path of LUN 1 as node1 names it (/dev/sdb or so): writing through it would go
    # behind multipathd's back.
    path = map_paths(multipath_map(nodes["node1"], lab["luns"][0]["wwid"]))[0]["dev"]
    assert_refused(nodes, scratch, ["--tags", "filesystem", "-e", "filesystem_device=/dev/" + path],
                   r"/dev/%s is a path of multipath map \S+ \(WWID \w+, dm-\d+\): multipathd "
                   r"owns it.*/dev/disk/by-id/dm-uuid-mpath-" % path)


def test_a_lun_that_holds_another_filesystem(nodes, scratch):
    nodes["node1"].check_output("mkfs.ext4 -q -F %s", scratch)
    assert_refused(nodes, scratch, ["--tags", "filesystem", "-e", "filesystem_device=" + scratch],
                   r"%s already holds ext4; refusing to partition it\. Set force: true"
                   % re.escape(scratch))


def test_more_hosts_than_node_slots_on_an_existing_filesystem(nodes, scratch):
    # One slot fewer than the hosts.
    slots = len(nodes) - 1
    nodes["node1"].check_output(
        "mkfs.ocfs2 -q -x -F -N %s --cluster-stack=o2cb --cluster-name=ocfs2lab %s", str(slots),
        scratch)
    assert_refused(nodes, scratch,
                   ["--tags", "filesystem", "-e", "filesystem_device=" + scratch,
                    "-e", "filesystem_partitioned=false"],
                   r"the filesystem \(UUID [0-9a-f-]+\) has %d node slots, 0 of them in use "
                   r"\(none\), and %s would mount it too: 1 slot\(s\) short\. "
                   r"Raise the slots first, in a planned outage: ansible-playbook "
                   r"playbooks/slots\.yml -e slots=%d" % (slots, ", ".join(sorted(nodes)),
                                                          len(nodes)))


def test_a_threshold_the_running_cluster_does_not_use(nodes, scratch):
    # The cluster runs with 61 (site.yml's default); a restarted node with 45 would not join.
    assert_refused(nodes, scratch, ["-e", "cluster_heartbeat_threshold=45"],
                   r"cluster_heartbeat_threshold is 45, but the O2CB cluster ocfs2lab runs with "
                   r"61 on %s: o2cb applies the timeouts only when the cluster starts"
                   % ", ".join(sorted(nodes)))


def test_a_kernel_reboot_while_a_vm_has_files_open_on_the_filesystem(nodes, scratch):
    # A process on node2 holding a file open under the mount point, as a VM holds its disk;
    # no host may reboot (the kernel release asked for is not even installed).
    node2 = nodes["node2"]
    node2.check_output("touch /srv/ocfs2/vm-disk.img && systemd-run --unit=lab-vm --collect "
                       "--property=StandardInput=file:/srv/ocfs2/vm-disk.img sleep 600")
    try:
        boot_ids = dict((name, node.check_output("cat /proc/sys/kernel/random/boot_id"))
                        for name, node in nodes.items())
        assert_refused(nodes, scratch,
                       ["--tags", "install", "-e", "install_kernel_release=0.0.0-lab-none"],
                       r"node2 would reboot into kernel 0\.0\.0-lab-none, but 1 file\(s\) are "
                       r"open under /srv/ocfs2 \(VMs or other programs, e\.g\. "
                       r"/srv/ocfs2/vm-disk\.img\)\. Move the VMs off this host first")
        assert boot_ids == dict((name, node.check_output("cat /proc/sys/kernel/random/boot_id"))
                                for name, node in nodes.items())
    finally:
        node2.run("systemctl stop lab-vm")
        node2.run("rm -f /srv/ocfs2/vm-disk.img")


def test_the_filesystem_mounted_elsewhere_is_not_mounted_a_second_time(nodes, scratch):
    assert_refused(nodes, scratch,
                   ["--tags", "filesystem", "-e", "filesystem_mount_point=/srv/elsewhere"],
                   r"the filesystem UUID=\S+ is already at /srv/ocfs2 \([^)]*\) on this "
                   r"host, and filesystem_mount_point is /srv/elsewhere")
