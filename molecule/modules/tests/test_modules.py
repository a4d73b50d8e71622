"""What the modules scenario leaves behind, checked on every node: one OCFS2 filesystem,
grown online, mounted on the first two nodes at the same size, with the data intact."""

from labcheck import block_size_bytes

MOUNT_POINT = "/srv/vmstore"


def lun_partition(host):
    wwid = host.ansible.get_variables()["lab_luns"][0]["wwid"]
    return "/dev/disk/by-id/dm-uuid-part1-mpath-%s" % wwid


def mounting_nodes(host):
    return host.ansible.get_variables()["groups"]["ocfs2_nodes"][:2]


def test_every_node_reads_one_filesystem_uuid_and_size(host):
    probe = host.check_output("blkid -p -o export %s", lun_partition(host))
    assert "TYPE=ocfs2" in probe.splitlines()
    stats = host.check_output("debugfs.ocfs2 -R stats %s", lun_partition(host))
    assert "Cluster name: ocfs2lab" in stats


def test_mounting_nodes_see_the_grown_size(host):
    me = host.backend.get_hostname()
    mounted = host.mount_point(MOUNT_POINT)
    if me not in mounting_nodes(host):
        assert not mounted.exists
        return
    assert mounted.exists and mounted.filesystem == "ocfs2"
    size = int(host.check_output("findmnt --bytes --noheadings --output SIZE %s", MOUNT_POINT))
    assert size == block_size_bytes(host, lun_partition(host))


def test_mounted_ocfs2_lists_the_two_mounting_nodes(host):
    header, row = host.check_output("mounted.ocfs2 -f %s", lun_partition(host)).splitlines()[:2]
    nodes = row[header.index("Nodes"):].split(",")
    assert sorted(node.strip() for node in nodes) == sorted(mounting_nodes(host))


def test_partition_map_keeps_the_system_name(host):
    listing = host.check_output("lsblk --list --noheadings --output NAME,TYPE")
    parts = [line.split()[0] for line in listing.splitlines() if line.split()[1:] == ["part"]]
    assert parts and all(name.endswith("-part1") for name in parts), parts
