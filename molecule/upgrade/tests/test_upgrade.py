"""upgrade.yml on the lab, checked by behaviour: the cluster packages one version newer in the
lab's package source; node1 has them already (the side effect put them there), node3 has a
pending reboot. One rolling upgrade with a drain and a return hook, while a writer writes on
every node that is not being upgraded: node1 is not touched, node2 and node3 upgrade in turn,
node3 reboots and comes back by itself."""

import json
import pathlib
import re

import pytest
from labcheck import (kernel_mount_count, mounted_nodes, run_playbook, start_writer,
                      stop_writer)

MOUNT_POINT = "/srv/ocfs2"
TEST_DIR = MOUNT_POINT + "/upgrade-test"
CLUSTER = "ocfs2lab"
PACKAGES = ("ocfs2-tools", "multipath-tools", "kpartx")
HOOKS = pathlib.Path(__file__).resolve().parent.parent / "hooks"
HOOK_ARGUMENTS = ["-e", "upgrade_drain_tasks=%s" % (HOOKS / "drain.yml"),
                  "-e", "upgrade_return_tasks=%s" % (HOOKS / "return.yml")]


def versions(node):
    return dict(line.split("=", 1) for line in node.check_output(
        "dpkg-query --show --showformat='${Package}=${Version}\\n' %s" % " ".join(PACKAGES)
    ).splitlines())


def hook_record(node, name):
    """When the hook ran (epoch seconds) and what was mounted at the mount point then."""
    lines = node.check_output("cat /var/lib/lab-upgrade/%s", name).splitlines()
    return int(lines[0]), (lines[1] if len(lines) > 1 else "")


def writer_summary(node, name):
    """The summary of a writer the drain hook stopped (it kept it in /var/lib)."""
    return json.loads(node.check_output("cat /var/lib/lab-upgrade/%s.json", name))


@pytest.fixture(scope="module")
def upgraded(nodes):
    """The rolling upgrade, as users run it with hooks; what the nodes were before, the run,
    and the writers' summaries: "before" (stopped by the node's drain hook, or at the end on a
    node that was not drained) and "after" (started by the return hook)."""
    before = {}
    for name, node in sorted(nodes.items()):
        before[name] = {
            "versions": versions(node),
            "boot_id": node.check_output("cat /proc/sys/kernel/random/boot_id"),
            "mounts": kernel_mount_count(node),
        }
        upgraded_already = all(version.endswith("+lab1")
                               for version in before[name]["versions"].values())
        assert upgraded_already == (name == "node1"), (name, before[name]["versions"])
        node.check_output("rm -rf /var/lib/lab-upgrade && mkdir -p /var/lib/lab-upgrade")
        node.check_output("echo %s > %s/before-%s", name, MOUNT_POINT, name)
    # What a kernel update leaves behind on Debian: upgrade_reboot=auto reboots this node only.
    nodes["node3"].check_output("touch /var/run/reboot-required")
    for name, node in nodes.items():
        start_writer(node, "fs-probe-upgrade", "%s/%s" % (TEST_DIR, name))
    result = run_playbook("upgrade.yml", *HOOK_ARGUMENTS)
    writers = {}
    for name, node in nodes.items():
        drained = node.file("/var/lib/lab-upgrade/drained").exists
        writers[name] = {
            "before": (writer_summary(node, "fs-probe-upgrade") if drained
                       else stop_writer(node, "fs-probe-upgrade")),
            "after": stop_writer(node, "fs-probe-returned") if drained else None,
        }
    return before, result, writers


def test_node2_and_node3_upgrade_node3_reboots_and_comes_back_by_itself(nodes, upgraded):
    before, result, _writers = upgraded
    assert result.returncode == 0, result.stdout[-5000:]
    for name, node in nodes.items():
        after = versions(node)
        assert after == dict((package, version.replace("+lab1", "") + "+lab1")
                             for package, version in before[name]["versions"].items()), (
            name, after)
        rebooted = node.check_output("cat /proc/sys/kernel/random/boot_id") != before[name][
            "boot_id"]
        assert rebooted == (name == "node3"), (name, "rebooted" if rebooted else "not rebooted")
        assert node.mount_point(MOUNT_POINT).exists, name
        # node1 kept it mounted throughout; node2 unmounted and mounted it again once; node3
        # mounted it by itself at boot.
        assert kernel_mount_count(node) == {"node1": before[name]["mounts"],
                                       "node2": before[name]["mounts"] + 1,
                                       "node3": 1}[name], name
        registered = node.check_output("ls /sys/kernel/config/cluster/%s/node", CLUSTER).split()
        assert sorted(registered) == sorted(nodes), (name, registered)
        for writer in sorted(nodes):
            assert node.check_output("cat %s/before-%s", MOUNT_POINT, writer) == writer
    assert mounted_nodes(nodes["node1"], MOUNT_POINT) == sorted(nodes)
    assert not nodes["node3"].file("/var/run/reboot-required").exists
    text = " ".join(result.stdout.split())
    assert "node1: nothing to upgrade; not touched" in text, result.stdout[-3000:]
    # The report: a line per upgraded node with each package's versions before and after.
    for name in ["node2", "node3"]:
        line = re.search(r"%s: kpartx .*?; running kernel" % name, text)
        assert line, (name, result.stdout[-3000:])
        for package, version in before[name]["versions"].items():
            assert "%s %s -> %s+lab1" % (package, version, version) in line.group(0), (
                name, line.group(0))


def test_one_node_at_a_time_each_drained_and_back_before_the_next(nodes, upgraded):
    _before, result, _writers = upgraded
    assert result.returncode == 0, result.stdout[-5000:]
    assert not nodes["node1"].file("/var/lib/lab-upgrade/drained").exists
    turns = []
    for name in ["node2", "node3"]:
        drained, mounted_then = hook_record(nodes[name], "drained")
        returned, mounted_after = hook_record(nodes[name], "returned")
        # The drain hook ran with the filesystem still mounted, the return hook with it back.
        assert mounted_then and mounted_after, (name, mounted_then, mounted_after)
        turns.append((drained, returned, name))
    (_drained, node2_back, _name), (node3_drained, _returned, _name) = sorted(turns)
    assert sorted(turns)[0][2] == "node2", turns
    assert node2_back <= node3_drained, ("node3 drained before node2 was back", turns)


def test_the_writers_on_the_nodes_that_stayed_up_saw_no_error(nodes, upgraded):
    _before, result, writers = upgraded
    assert result.returncode == 0, result.stdout[-5000:]
    for name in sorted(writers):
        for phase in ["before", "after"]:
            writer = writers[name][phase]
            if writer is None:
                continue
            print("%s, writer %s its upgrade: %d writes, longest interval between two completed "
                  "writes %.2f s" % (name, phase, writer["iterations"], writer["longest_gap_s"]))
            assert writer["errors"] == [], (name, phase, writer["errors"][:5])
            assert writer["iterations"] > 10, (name, phase, writer)
