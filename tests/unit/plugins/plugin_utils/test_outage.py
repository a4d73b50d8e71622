"""The planned outage's checks and plan (the outage role's filters)."""

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._outage import (
    outage_plan, outage_problems, parse_users)

SETTINGS = {"mount_point": "/srv/ocfs2", "reason": "tunefs.ocfs2 -N 5"}
FSTAB = [{"source": "UUID=f3f99241-a053-4a8f-8965-5b72656628c3", "mount_point": "/srv/ocfs2",
          "fstype": "ocfs2", "options": ["_netdev", "noatime"]}]


def node(name, **changes):
    found = {"name": name, "o2cb_node": name, "o2cb_online": True, "mounted": True,
             "fstab": FSTAB, "users": []}
    found.update(changes)
    return found


def test_nothing_stops_an_outage_of_idle_nodes():
    nodes = [node("node1"), node("node2"), node("node3", mounted=False)]
    assert outage_problems(nodes, ["node1", "node2"], SETTINGS) == []
    assert outage_plan(nodes, SETTINGS) == (
        "Outage for tunefs.ocfs2 -N 5: /srv/ocfs2 unmounted on node1, node2 (not mounted now on "
        "node3), then mounted again from /etc/fstab on node1, node2, node3. Nothing uses it now "
        "(checked on every node).")


def test_a_process_using_the_filesystem_is_named_with_its_host():
    users = parse_users("   1084 sleep\n   2201 qemu-system-x86\n")
    assert users == [{"pid": 1084, "command": "sleep"},
                     {"pid": 2201, "command": "qemu-system-x86"}]
    problems = outage_problems([node("node1"), node("node2", users=users)], [], SETTINGS)
    assert problems == [
        "node2: 2 process(es) use /srv/ocfs2 (1084 sleep, 2201 qemu-system-x86); tunefs.ocfs2 "
        "-N 5 needs it unmounted on every node. Stop them, or move the VMs to a storage that "
        "stays, then run again"]


def test_a_node_that_could_not_mount_it_again_stops_the_outage():
    problems = outage_problems([node("node1", o2cb_online=False), node("node2", fstab=[])], [],
                               SETTINGS)
    assert [problem.split(":")[0] for problem in problems] == ["node1", "node2"]
    assert "O2CB cluster is offline" in problems[0] and "no /etc/fstab entry" in problems[1]


def test_a_node_outside_the_play_that_mounts_it_stops_the_outage():
    problems = outage_problems([node("node1"), node("node2")], ["node2", "Node9", "node1"],
                               SETTINGS)
    assert problems == ["Node9 mounts the filesystem but is not in the play; every node that "
                        "mounts it must unmount it. Add it to the inventory group, or unmount "
                        "it there"]
