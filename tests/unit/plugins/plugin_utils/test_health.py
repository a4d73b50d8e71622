"""status.yml's health report, on what the 3-node lab's nodes reported
(tests/unit/fixtures/lab/health, captured by its capture.yml): healthy; degraded (node2's path
sdb failed, node3's o2cb settings changed, node3's fstab entry removed); node3_offline (o2cb
stopped and the filesystem unmounted on node3). Each node's input is built the way status.yml
builds it: the reads registered as capture.yml saw them, then the playbook's own set_fact
expression rendered by Ansible's templar."""

import base64
import copy
import json

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._health import (
    health_lines, health_report, parse_packages)
from conftest import FIXTURES, REPO

HOSTS = ["node1", "node2", "node3"]
WWID = "35000c0ca1ab00001"
UUID = "f3f99241-a053-4a8f-8965-5b72656628c3"
EXPECTED = {"mount_point": "/srv/ocfs2", "device": "/dev/disk/by-id/dm-uuid-mpath-" + WWID,
            "expected_maps": [{"wwid": WWID, "paths": 2}]}
LOADER = DataLoader()
PLAY = LOADER.load_from_file(str(REPO / "playbooks" / "status.yml"), trusted_as_template=True)[0]
READS = next(task for task in PLAY["tasks"] if "block" in task)
KEEP = next(task for task in READS["block"] if task["name"] == "Keep what the node reported")


def captured(state):
    return dict((host, json.loads((FIXTURES / "lab" / "health" / state / (host + ".json"))
                                  .read_text())) for host in HOSTS)


def registered(capture):
    """What status.yml's reads register on the node, from what capture.yml wrote: the same
    modules' results; slurp's base64 and stat's result where capture.yml kept only the text and
    the checksum."""
    def stat(path):
        checksum = capture["files"][path]
        return {"stat": {"exists": True, "path": path, "checksum": checksum}
                if checksum else {"exists": False}}
    return {
        "ansible_facts": {"kernel": capture["kernel"], "os_family": capture["os_family"]},
        "status_o2cb": capture["o2cb_info"],
        "status_multipath": capture["multipath_info"],
        "status_filesystem": capture["filesystem_info"],
        "status_findmnt": dict(capture["findmnt"], stderr=""),
        "status_livenodes": {"content": base64.b64encode(capture["livenodes"].encode()).decode(),
                             "encoding": "base64"},
        "status_packages": dict(capture["packages"], stderr=""),
        "status_cluster_conf": stat("/etc/ocfs2/cluster.conf"),
        "status_o2cb_settings": stat("/etc/default/o2cb"),
    }


def status_node(capture):
    """status.yml's status_node for the node: its set_fact, rendered."""
    variables = dict(PLAY["vars"], **READS["vars"])
    variables.update(registered(capture))
    return Templar(loader=LOADER, variables=variables).template(
        KEEP["ansible.builtin.set_fact"]["status_node"])


def report_of(captures, hosts=HOSTS, expected=EXPECTED):
    return health_report("ocfs2lab", hosts, expected,
                         dict((host, status_node(capture)) for host, capture in captures.items()))


def test_status_node_is_what_the_function_documents():
    node = status_node(captured("node3_offline")["node3"])
    assert sorted(node) == ["files", "filesystem_info", "findmnt", "kernel", "livenodes",
                            "multipath_info", "o2cb_info", "os_family", "packages"]
    assert node["livenodes"] == "\n"
    assert node["files"] == {
        "cluster_conf": {"path": "/etc/ocfs2/cluster.conf",
                         "sha1": "88368097a59e51baac6bab3d1e2d4d2b3ba52831"},
        "o2cb_settings": {"path": "/etc/default/o2cb",
                          "sha1": "2cec1027493d2c4f5b8242f17e859e9001d6fc6a"}}


def test_healthy_cluster_has_no_problem_and_the_table_shows_every_node():
    report = report_of(captured("healthy"))
    assert (report["healthy"], report["problems"], report["notes"]) == (True, [], [])
    assert report["filesystem"] == {
        "uuid": UUID, "label": None, "cluster_name": "ocfs2lab", "device": EXPECTED["device"],
        "mount_point": "/srv/ocfs2", "size_bytes": 3219128320, "used_bytes": 291680256,
        "slots": 4, "slots_used": 3, "slots_free": 1, "mounted_nodes": HOSTS}
    assert report["nodes"]["node2"] == {
        "o2cb_online": True, "o2cb_node": {"name": "node2", "number": 1},
        "live_nodes": HOSTS, "heartbeat_mode": "local",
        "timeouts": {"cluster_heartbeat_threshold": 61, "cluster_idle_timeout_ms": 30000,
                     "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000},
        "cluster_conf_sha1": "88368097a59e51baac6bab3d1e2d4d2b3ba52831",
        "o2cb_settings": {"path": "/etc/default/o2cb",
                          "sha1": "2cec1027493d2c4f5b8242f17e859e9001d6fc6a"},
        "map": "mpatha", "wwid": WWID,
        "paths": [{"device": "sda", "state": "active/ready", "healthy": True},
                  {"device": "sdb", "state": "active/ready", "healthy": True}],
        "mounted": True, "mount_point": "/srv/ocfs2", "size_bytes": 3219128320,
        "used_bytes": 291680256, "fstab_ok": True, "fstab_source": "UUID=" + UUID,
        "kernel": "6.1.0-50-amd64", "os_family": "Debian", "ocfs2_tools": "1.8.7-1+b1",
        "multipath_tools": "0.9.4-3+deb12u2"}
    lines = health_lines(report)
    assert lines[:3] == [
        "cluster ocfs2lab: online on 3 of 3 nodes (node1, node2, node3)",
        "filesystem UUID=%s at /srv/ocfs2: 2.99 GiB, 278.16 MiB used" % UUID,
        "node slots: 4, 3 used, 1 free; mounted on node1, node2, node3"]
    assert lines[3].split() == ["NODE", "O2CB", "SEES", "PATHS", "MOUNTED", "SIZE", "USED",
                                "FSTAB"]
    for line, host in zip(lines[4:7], HOSTS):
        assert line.split() == [host, "online", "node1", "node2", "node3", "sda:ok", "sdb:ok",
                                "/srv/ocfs2", "2.99", "GiB", "278.16", "MiB", "ok"]
    assert [line.split()[0] for line in lines[7:11]] == ["NODE"] + HOSTS
    assert lines[-1] == "healthy"
    # Fixed-width columns: every row of a table starts its columns at the same place.
    assert len(set(line.index("/srv/ocfs2") for line in lines[4:7])) == 1


def test_the_readme_shows_the_table_of_the_healthy_fixture():
    lines = health_lines(report_of(captured("healthy")))
    assert "\n".join(lines) in (REPO / "README.md").read_text()


def test_degraded_names_the_failed_path_the_settings_drift_and_the_missing_fstab_entry():
    report = report_of(captured("degraded"))
    problems = report["problems"]
    assert len(problems) == 3, problems
    assert problems[0].startswith(
        "the o2cb settings (/etc/default/o2cb) differ between the nodes (sha1 2cec1027 on "
        "node1, node2; 29d52cf5 on node3): ")
    assert problems[1].startswith(
        "node2: path sdb of map mpatha is not usable (dm failed, checker faulty): ")
    assert problems[2].startswith(
        "node3: /etc/fstab has no entry that mounts the filesystem at /srv/ocfs2: it is not "
        "mounted again after a reboot. Run site.yml")
    assert report["notes"] == []
    assert report["healthy"] is False
    assert report["nodes"]["node2"]["paths"][1] == {"device": "sdb", "state": "failed/faulty",
                                                    "healthy": False}
    assert (report["nodes"]["node3"]["fstab_ok"], report["nodes"]["node3"]["mounted"]) == (
        False, True)
    lines = health_lines(report)
    assert lines[5].split()[5:7] == ["sda:ok", "sdb:failed"]
    assert lines[6].split()[-1] == "missing"
    assert lines[-5:] == ["3 problems:", "1. " + problems[0], "2. " + problems[1],
                          "3. " + problems[2], "NOT HEALTHY: 3 problems"]


def test_node3_offline_is_offline_and_unmounted_and_the_others_rightly_do_not_see_it():
    report = report_of(captured("node3_offline"))
    assert report["problems"] == [
        "node3: the O2CB cluster ocfs2lab is offline: start it (systemctl start o2cb, or run "
        "site.yml), then mount /srv/ocfs2.",
        "node3: the filesystem is not mounted at /srv/ocfs2: mount it (mount /srv/ocfs2, or run "
        "site.yml) once the O2CB cluster is online."]
    assert report["online"] == ["node1", "node2"]
    assert report["nodes"]["node1"]["live_nodes"] == ["node1", "node2"]
    assert report["nodes"]["node3"]["live_nodes"] == []
    assert report["filesystem"]["mounted_nodes"] == ["node1", "node2"]
    assert (report["filesystem"]["slots_used"], report["filesystem"]["slots_free"]) == (2, 2)
    assert health_lines(report)[0] == "cluster ocfs2lab: online on 2 of 3 nodes (node1, node2)"


def test_a_heartbeat_that_misses_an_online_mounted_node_is_a_problem():
    # Edited: node1's heartbeat sees only nodes 0 and 1 while node3 is online and mounted.
    captures = captured("healthy")
    captures["node1"]["livenodes"] = "0 1 \n"
    assert report_of(captures)["problems"] == [
        "node1: its heartbeat does not see node3 (node 2), where o2cb is online and the "
        "filesystem mounted: the nodes do not see each other's disk heartbeat. Check their "
        "paths to the LUN and the kernel log on both (dmesg | grep -i o2hb)."]


def test_mounted_nodes_read_offline_are_named_from_cluster_conf():
    # Only node3 answered, with o2cb stopped: mounted.ocfs2 gave node numbers ("1", "0").
    captures = captured("node3_offline")
    report = report_of({"node3": captures["node3"]})
    assert report["filesystem"]["mounted_nodes"] == ["node1", "node2"]
    assert report["silent"] == ["node1", "node2"]


def test_a_silent_host_is_named_a_problem_and_takes_no_other_hosts_values():
    captures = captured("degraded")
    del captures["node2"]
    report = report_of(captures)
    assert report["silent"] == ["node2"]
    assert sorted(report["nodes"]) == ["node1", "node3"]
    assert report["problems"][0] == (
        "node2: did not answer (unreachable, or a read failed: see its tasks above): its state "
        "is unknown. Check that it is up and that Ansible reaches it: ansible -m ping node2")
    # node3's drift and fstab stay node3's; node2's failed path is unknown, not node3's.
    assert [problem.split(":")[0] for problem in report["problems"]] == [
        "node2", "the o2cb settings (/etc/default/o2cb) differ between the nodes (sha1 2cec1027 "
        "on node1; 29d52cf5 on node3)", "node3"]
    lines = health_lines(report)
    assert lines[:2] == ["cluster ocfs2lab: online on 2 of 3 nodes (node1, node3)",
                         "no answer from node2: its state is unknown"]
    assert [line.split()[:3] for line in lines if line.startswith("node2 ")] == [
        ["node2", "no", "answer"], ["node2", "?", "?"]]


def test_running_timeouts_that_differ_are_named_by_key_and_host():
    # Edited: node3's o2cb runs with a heartbeat threshold of 31 (its settings file unchanged).
    captures = captured("healthy")
    captures["node3"]["o2cb_info"]["timeouts"]["cluster_heartbeat_threshold"] = 31
    problems = report_of(captures)["problems"]
    assert len(problems) == 1
    assert problems[0].startswith(
        "cluster_heartbeat_threshold differs between the running nodes (61 on node1, node2; 31 "
        "on node3): nodes with other timeouts do not join each other.")


@pytest.mark.parametrize("source, stable", [
    ("/dev/mapper/mpatha-part1", False),
    ("/dev/dm-1", False),
    ("/dev/disk/by-id/dm-name-mpatha-part1", False),
    ("/dev/disk/by-id/dm-uuid-part1-mpath-" + WWID, True),
    ("LABEL=vmstore", True),
])
def test_an_fstab_entry_by_a_name_that_can_change_is_a_problem(source, stable):
    captures = captured("healthy")
    captures["node1"]["filesystem_info"]["fstab"][0]["source"] = source
    report = report_of(captures)
    if stable:
        assert report["problems"] == []
    else:
        assert report["problems"] == [
            "node1: /etc/fstab mounts /srv/ocfs2 from %s, a name that can change (multipathd "
            "numbers its maps per host, the kernel its dm-N devices at boot, kpartx names "
            "partitions after its settings): mount it by UUID=%s instead (site.yml writes it "
            "so)." % (source, UUID)]
    assert report["nodes"]["node1"]["fstab_ok"] is stable


def test_an_fstab_entry_of_another_type_or_without_netdev_is_a_problem():
    captures = captured("healthy")
    entry = captures["node2"]["filesystem_info"]["fstab"][0]
    entry["fstype"] = "auto"
    entry["options"].remove("_netdev")
    problems = report_of(captures)["problems"]
    assert [problem[:60] for problem in problems] == [
        "node2: /etc/fstab gives /srv/ocfs2 the type auto, not ocfs2:",
        "node2: the /etc/fstab entry of /srv/ocfs2 lacks _netdev: at "]


def test_versions_that_differ_are_a_note_not_a_problem():
    captures = captured("healthy")
    captures["node3"]["kernel"] = "6.1.0-41-amd64"
    captures["node3"]["packages"]["stdout"] = (
        "multipath-tools\t0.9.4-3+deb12u2\nocfs2-tools\t1.8.8-1")
    report = report_of(captures)
    assert (report["healthy"], report["problems"]) == (True, [])
    assert report["notes"] == [
        "the kernel differs between the nodes (6.1.0-50-amd64 on node1, node2; 6.1.0-41-amd64 "
        "on node3): fine during a rolling upgrade; bring them to the same version.",
        "ocfs2-tools differs between the nodes (1.8.7-1+b1 on node1, node2; 1.8.8-1 on node3): "
        "fine during a rolling upgrade; bring them to the same version."]
    assert health_lines(report)[-4:] == ["2 notes:", "1. " + report["notes"][0],
                                         "2. " + report["notes"][1], "healthy"]


def test_rpm_query_output_gives_the_versions():
    # rpm -q --queryformat '%{NAME}\t%{VERSION}-%{RELEASE}\n' ocfs2-tools device-mapper-multipath
    # prints a sentence, and exits 1, for a package that is not installed.
    assert parse_packages("ocfs2-tools\t1.8.7-5.el9\n"
                          "package device-mapper-multipath is not installed\n") == {
        "ocfs2-tools": "1.8.7-5.el9"}
    captures = captured("healthy")
    for capture in captures.values():
        capture["os_family"] = "RedHat"
        capture["packages"] = {"rc": 0, "stdout": "ocfs2-tools\t1.8.7-5.el9\n"
                                                  "device-mapper-multipath\t0.8.7-27.el9"}
    report = report_of(captures)
    assert (report["problems"], report["notes"]) == ([], [])
    assert report["nodes"]["node1"]["multipath_tools"] == "0.8.7-27.el9"


def test_a_missing_map_and_a_missing_path_are_named():
    # Edited: node1 lost its map (multipath_info fails, status.yml skips filesystem_info), node2
    # one of its two paths.
    captures = captured("healthy")
    message = ("multipath map /dev/disk/by-id/dm-uuid-mpath-%s does not exist on this node "
               "(maps: none). Check that the LUN is presented to this host and that multipathd "
               "may claim it: multipath -ll" % WWID)
    captures["node1"]["multipath_info"] = {"failed": False, "msg": message}
    captures["node1"]["filesystem_info"] = {"skipped": True, "changed": False}
    del captures["node2"]["multipath_info"]["map"]["paths"][1]
    report = report_of(captures)
    assert report["problems"] == [
        "node1: cannot read the LUN's multipath map (%s): %s" % (EXPECTED["device"], message),
        "node2: map mpatha has 1 path, and multipath_expected_maps expects 2: check the missing "
        "paths' links to the storage (multipathd show paths)."]
    assert (report["nodes"]["node1"]["paths"], report["nodes"]["node1"]["fstab_ok"]) == ([], None)
    assert report["nodes"]["node1"]["mounted"] is True


def test_too_few_free_slots_for_the_hosts_that_do_not_mount_is_a_problem():
    # Edited: the filesystem has 2 slots, both used by node1 and node2.
    captures = captured("node3_offline")
    for capture in captures.values():
        capture["filesystem_info"]["filesystem"]["node_slots"] = 2
    problems = report_of(captures)["problems"]
    assert problems[2:] == [
        "the filesystem has 2 node slots, 2 used: 0 free for 1 hosts that do not mount it "
        "(node3), and a host without a slot cannot mount it. Add slots in a planned outage: "
        "ansible-playbook playbooks/slots.yml -e slots=3."]


def test_a_filesystem_a_tunefs_run_left_midway_is_a_problem():
    # Edited: the features debugfs.ocfs2 printed on the lab after tunefs.ocfs2 -N failed
    # ("Feature Incompat: ... aborted-tunefs ...", "Tunefs Incomplete: 1 remove-slot").
    captures = captured("healthy")
    for capture in captures.values():
        capture["filesystem_info"]["filesystem"]["features"].append("aborted-tunefs")
    assert report_of(captures)["problems"] == [
        "the filesystem is marked aborted-tunefs (a tunefs.ocfs2 run stopped midway): no node "
        "can mount it again until fsck.ocfs2 -y finishes it. Repair it in a planned outage: "
        "ansible-playbook playbooks/fsck.yml -e fsck_repair=true."]


def test_cluster_conf_heartbeat_mode_and_mounted_size_that_differ_are_named():
    # Edited: node1's cluster.conf, node2's heartbeat mode, node3's mounted size.
    captures = captured("healthy")
    captures["node1"]["files"]["/etc/ocfs2/cluster.conf"] = "0123456789abcdef"
    captures["node2"]["o2cb_info"]["heartbeat_mode"] = "global"
    captures["node2"]["o2cb_info"]["config_heartbeat_mode"] = "global"
    findmnt = json.loads(captures["node3"]["findmnt"]["stdout"])
    findmnt["filesystems"][0]["size"] = 4 << 30
    captures["node3"]["findmnt"]["stdout"] = json.dumps(findmnt)
    problems = report_of(captures)["problems"]
    assert [problem.split(": ")[0] for problem in problems] == [
        "/etc/ocfs2/cluster.conf differs between the nodes (sha1 01234567 on node1; 88368097 on "
        "node2, node3)",
        "the heartbeat mode differs between the nodes (local on node1, node3; global on node2)",
        "the mounted filesystem's size differs between the nodes (2.99 GiB on node1, node2; "
        "4.00 GiB on node3)"]


def test_a_failed_o2cb_read_is_named_with_its_message():
    captures = captured("healthy")
    captures["node2"]["o2cb_info"] = {"failed": False, "msg": "o2cb: command not found"}
    report = report_of(captures)
    assert report["problems"][0] == (
        "node2: cannot read the O2CB cluster ocfs2lab: o2cb: command not found")
    assert report["nodes"]["node2"]["o2cb_online"] is None
    assert [line.split()[1] for line in health_lines(report) if line.startswith("node2 ")][0] \
        == "?"


def test_the_report_is_json():
    report = report_of(captured("degraded"))
    assert json.loads(json.dumps(report)) == report


def test_status_yml_reads_the_o2cb_settings_where_the_cluster_role_writes_them():
    role_vars = yaml.safe_load((REPO / "roles" / "cluster" / "vars" / "main.yml").read_text())
    assert PLAY["vars"]["status_o2cb_settings_path"] == role_vars["__cluster_o2cb_settings_path"]


def test_inputs_are_not_changed():
    captures = captured("degraded")
    reported = dict((host, status_node(capture)) for host, capture in captures.items())
    before = copy.deepcopy(reported)
    health_report("ocfs2lab", HOSTS, EXPECTED, reported)
    assert reported == before
