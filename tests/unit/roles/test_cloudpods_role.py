"""The cloudpods role's checks before it calls the Cloudpods API, on findmnt output captured
on the lab (util-linux 2.38.1 on Debian 12, 2.41.5 on Debian 13), and how its result is
shown."""

import json

import pytest

from ansible_collections.ocfs2.cluster.plugins.filter.cloudpods import (
    cloudpods_input_problems, cloudpods_mount_problems, cloudpods_status_lines)
from conftest import read_fixture

OCFS2 = read_fixture("util-linux-2.38.1/findmnt-mountpoint-ocfs2.json")
OCFS2_NODE2 = read_fixture("util-linux-2.38.1/findmnt-mountpoint-ocfs2-node2.json")
EXT4_ROOT = read_fixture("util-linux-2.38.1/findmnt-mountpoint-ext4-root.json")
BIND = read_fixture("util-linux-2.38.1/findmnt-mountpoint-ocfs2-bind.json")
DEBIAN13_OCFS2 = read_fixture("util-linux-2.41.5/findmnt-mountpoint-ocfs2.json")
DEBIAN13_EXT4_ROOT = read_fixture("util-linux-2.41.5/findmnt-mountpoint-ext4-root.json")
# findmnt prints nothing (and exits 1) when nothing is mounted there.
NOTHING = ""


# Debian 13: only node1's output was captured.
@pytest.mark.parametrize("outputs", [{"node1": OCFS2, "node2": OCFS2_NODE2},
                                     {"node1": DEBIAN13_OCFS2}], ids=["debian12", "debian13"])
def test_one_ocfs2_filesystem_root_on_every_host_passes(outputs):
    assert cloudpods_mount_problems(outputs, "/srv/ocfs2") == []


def test_a_host_without_the_mount_is_named_with_what_to_do():
    problems = cloudpods_mount_problems({"node1": OCFS2, "node2": NOTHING}, "/srv/ocfs2")
    assert problems == ["node2: nothing is mounted at /srv/ocfs2. Mount the OCFS2 filesystem "
                        "there first (site.yml), or set cloudpods_mount_point to where it is."]


@pytest.mark.parametrize("findmnt", [EXT4_ROOT, DEBIAN13_EXT4_ROOT], ids=["debian12", "debian13"])
def test_a_local_filesystem_is_refused(findmnt):
    problems = cloudpods_mount_problems({"node1": findmnt}, "/")
    assert problems == ["node1: / is on ext4 (/dev/vda), not OCFS2: Cloudpods would "
                        "place VM disks on one host only."]


def test_a_bind_mount_of_a_directory_is_not_the_filesystem_root():
    problems = cloudpods_mount_problems({"node1": BIND}, "/mnt/bind")
    assert len(problems) == 1
    assert problems[0].startswith("node1: /mnt/bind mounts the directory /sub of "
                                  "/dev/mapper/mpatha-part1[/sub]")


def test_hosts_mounting_different_filesystems_are_named():
    other = json.loads(OCFS2_NODE2)
    other["filesystems"][0]["uuid"] = "00000000-0000-0000-0000-000000000000"
    problems = cloudpods_mount_problems({"node1": OCFS2, "node2": OCFS2_NODE2,
                                         "node3": json.dumps(other)}, "/srv/ocfs2")
    uuid = json.loads(OCFS2)["filesystems"][0]["uuid"]
    assert problems == ["The hosts mount different OCFS2 filesystems at /srv/ocfs2: UUID "
                        "00000000-0000-0000-0000-000000000000 on node3; UUID %s on node1, "
                        "node2. Each host must mount the same one." % uuid]


def test_the_zone_is_required_to_register_but_not_to_remove():
    variables = {"cloudpods_state": "present", "cloudpods_zone": None,
                 "cloudpods_mount_point": "/srv/ocfs2", "cloudpods_storage_name": "ocfs2-lab"}
    assert [problem.split(" ")[0] for problem in cloudpods_input_problems(variables)] == [
        "cloudpods_zone"]
    variables["cloudpods_state"] = "absent"
    assert cloudpods_input_problems(variables) == []


def test_a_relative_mount_point_is_named():
    problems = cloudpods_input_problems({"cloudpods_zone": "zone0",
                                         "cloudpods_mount_point": "srv/ocfs2",
                                         "cloudpods_storage_name": "ocfs2-lab"})
    assert problems == ["cloudpods_mount_point 'srv/ocfs2' is not an absolute path. Set an "
                        "absolute path, such as /srv/ocfs2."]


def test_status_lines_show_the_storage_and_each_host():
    result = {"storage": {"id": "49c6", "name": "ocfs2-lab", "status": "online",
                          "capacity": 3069, "zone": "zone0", "medium_type": "ssd"},
              "hosts": [{"name": "node1", "status": "online", "mount_point": "/srv/ocfs2"}]}
    assert cloudpods_status_lines(result, "ocfs2-lab") == [
        "Cloudpods storage ocfs2-lab: online, 3069 MB, zone zone0, medium ssd",
        "  node1 (online): /srv/ocfs2"]


def test_status_lines_say_when_the_storage_is_missing():
    assert cloudpods_status_lines({"storage": None, "hosts": []}, "ocfs2-lab") == [
        "Cloudpods storage ocfs2-lab: absent"]
    planned = {"storage": {"id": None, "name": "ocfs2-lab", "zone": "zone0"}, "hosts": []}
    assert cloudpods_status_lines(planned, "ocfs2-lab") == [
        "Cloudpods storage ocfs2-lab: not registered in zone zone0 (playbooks/cloudpods.yml "
        "registers it)"]


def test_status_lines_begin_with_the_steps_made_or_planned():
    result = {"storage": {"id": "49c6", "name": "ocfs2-lab", "status": "online",
                          "capacity": 3069, "zone": "zone0", "medium_type": "ssd"},
              "hosts": [],
              "actions": [{"action": "attach", "host": "node3", "host_id": "6b07",
                           "mount_point": "/srv/ocfs2"}]}
    assert cloudpods_status_lines(result, "ocfs2-lab")[0] == "done: attach node3 at /srv/ocfs2"
    assert cloudpods_status_lines(result, "ocfs2-lab", True)[0] == (
        "planned: attach node3 at /srv/ocfs2")
    assert cloudpods_status_lines(result, "ocfs2-lab")[-1] == "  attached to no host"
