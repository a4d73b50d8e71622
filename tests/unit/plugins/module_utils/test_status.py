"""status.yml's summary: a host that did not answer is named, and never shifts the others'
values onto the wrong host names (issue 11, item 13)."""

import json

from ansible_collections.ocfs2.cluster.plugins.module_utils._status import summarize_status

UUID = "83e285a3-5a4e-442b-9bf4-c9c31b806f09"
HOSTS = ["node1", "node2", "node3"]


def findmnt(target, size=3219128320, used=104857600):
    """`findmnt --json --bytes --types ocfs2 --output UUID,TARGET,SIZE,USED` with one mount
    (findmnt --json prints nothing at all, and exits 1, when nothing is mounted)."""
    return json.dumps({"filesystems": [{"uuid": UUID, "target": target, "size": size,
                                        "used": used}]}, indent=3)


def test_every_host_answered():
    o2cb = dict((host, {"online": True}) for host in HOSTS)
    mounts = dict((host, findmnt("/srv/ocfs2")) for host in HOSTS)
    assert summarize_status("ocfs2lab", HOSTS, o2cb, mounts) == [
        "cluster ocfs2lab: online on 3 of 3 nodes (node1, node2, node3)",
        "filesystem UUID=%s: 3.00 GB, 100.00 MB used, mounted on node1:/srv/ocfs2, "
        "node2:/srv/ocfs2, node3:/srv/ocfs2" % UUID]


def test_a_silent_host_is_named_and_does_not_take_the_next_hosts_values():
    # node2 did not answer; node3 is offline and mounts nothing. status.yml used to pair
    # node3's values with node2's name: "online on 1 of 3 nodes (node1)" looked right by luck,
    # and node3's mount was reported as node2's.
    o2cb = {"node1": {"online": True}, "node3": {"online": False}}
    mounts = {"node1": findmnt("/srv/ocfs2"), "node3": findmnt("/srv/other")}
    assert summarize_status("ocfs2lab", HOSTS, o2cb, mounts) == [
        "cluster ocfs2lab: online on 1 of 3 nodes (node1)",
        "no answer from node2: its state is unknown",
        "filesystem UUID=%s: 3.00 GB, 100.00 MB used, mounted on node1:/srv/ocfs2, "
        "node3:/srv/other" % UUID]


def test_the_first_host_silent():
    o2cb = {"node2": {"online": False}, "node3": {"online": True}}
    assert summarize_status("ocfs2lab", HOSTS, o2cb, {"node2": "", "node3": ""}) == [
        "cluster ocfs2lab: online on 1 of 3 nodes (node3)",
        "no answer from node1: its state is unknown",
        "no OCFS2 filesystem mounted on any node that answered"]


def test_nothing_mounted_anywhere():
    o2cb = dict((host, {"online": False}) for host in HOSTS)
    assert summarize_status("ocfs2lab", HOSTS, o2cb, dict((host, "") for host in HOSTS)) == [
        "cluster ocfs2lab: online on 0 of 3 nodes (none)",
        "no OCFS2 filesystem mounted on any node"]
