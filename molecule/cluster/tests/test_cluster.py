"""What site.yml leaves on the lab, checked by behaviour: a second run that changes nothing,
one cluster of every node (three on the Debian 12 lab, two in the trixie scenario, which runs
these checks too), one filesystem that every node mounts, data shared between the
nodes, and settings that survive a package reconfigure. (A node that comes back by itself
after a reboot: the upgrade scenario.)"""

import hashlib
import time

from labcheck import assert_nothing_changed, mounted_nodes, run_site

MOUNT_POINT = "/srv/ocfs2"
CLUSTER = "ocfs2lab"


def test_site_yml_again_changes_nothing(nodes):
    # Molecule's idempotence step.
    assert_nothing_changed(run_site())


def test_cluster_conf_is_byte_identical_on_every_node(nodes):
    digests = dict((name, hashlib.sha256(node.file("/etc/ocfs2/cluster.conf").content).hexdigest())
                   for name, node in nodes.items())
    assert len(set(digests.values())) == 1, digests


def test_o2cb_is_online_with_every_node_everywhere(nodes):
    for name, node in nodes.items():
        status = node.check_output("o2cb cluster-status %s", CLUSTER)
        assert "Cluster '%s' is online" % CLUSTER in status
        registered = node.check_output("ls /sys/kernel/config/cluster/%s/node", CLUSTER).split()
        assert sorted(registered) == sorted(nodes), (name, registered)


def test_every_node_mounts_one_filesystem_by_uuid_from_fstab(nodes):
    uuids = {}
    for name, node in nodes.items():
        mount = node.mount_point(MOUNT_POINT)
        assert mount.exists and mount.filesystem == "ocfs2", name
        source = node.check_output("findmnt --noheadings --output SOURCE %s", MOUNT_POINT)
        uuids[name] = node.check_output("blkid -o value -s UUID %s", source)
        fstab = [line.split() for line in node.file("/etc/fstab").content_string.splitlines()
                 if " ocfs2 " in line]
        assert [entry[:3] for entry in fstab] == [
            ["UUID=" + uuids[name], MOUNT_POINT, "ocfs2"]], (name, fstab)
        assert "_netdev" in fstab[0][3].split(","), (name, fstab)
    assert len(set(uuids.values())) == 1, uuids


def test_a_file_written_on_each_node_is_read_on_the_others(nodes):
    stamp = "%d" % time.time()
    for name, node in nodes.items():
        node.check_output("echo %s-%s > %s/from-%s", name, stamp, MOUNT_POINT, name)
    for reader_name, reader in nodes.items():
        for writer_name in nodes:
            content = reader.check_output("cat %s/from-%s", MOUNT_POINT, writer_name)
            assert content == "%s-%s" % (writer_name, stamp), (reader_name, writer_name)


def test_mounted_ocfs2_lists_every_node(nodes):
    assert mounted_nodes(nodes["node1"], MOUNT_POINT) == sorted(nodes)


def test_o2cb_settings_survive_a_package_reconfigure(nodes):
    node = nodes["node2"]
    before = node.file("/etc/default/o2cb").content_string
    assert "O2CB_HEARTBEAT_THRESHOLD=61" in before and "O2CB_ENABLED=true" in before
    node.check_output("dpkg-reconfigure --frontend noninteractive ocfs2-tools")
    assert node.file("/etc/default/o2cb").content_string == before
