"""Mount points: the filesystem role's mount point check, and one mount point per filesystem
per host (issue 11, item 16)."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import (
    mount_point_problem, other_mount_points, parse_proc_mounts, plan_mount_move)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError
from conftest import read_fixture

UUID = "83e285a3-5a4e-442b-9bf4-c9c31b806f09"


def mount_facts(proc_mounts_fixture, fstab_lines=(), uuid_of=None):
    """What ansible.builtin.mount_facts returns in aggregate_mounts (fstypes: [ocfs2]) for a
    captured /proc/mounts and fstab lines, each entry with the UUID it resolved."""
    uuid_of = uuid_of or {"/dev/mapper/mpatha-part1": UUID}
    entries = []
    for device, mount, fstype in parse_proc_mounts(read_fixture(proc_mounts_fixture)):
        if fstype == "ocfs2":
            entries.append({"device": device, "mount": mount, "fstype": fstype,
                            "uuid": uuid_of.get(device),
                            "ansible_context": {"source": "/proc/mounts"}})
    for line in fstab_lines:
        device, mount, fstype = line.split()[:3]
        entries.append({"device": device, "mount": mount, "fstype": fstype,
                        "uuid": device.split("=", 1)[1] if device.startswith("UUID=")
                        else uuid_of.get(device),
                        "ansible_context": {"source": "/etc/fstab"}})
    return entries


NODE1_MOUNTED = "ocfs2-tools-1.8.7/proc_mounts_node1_mounted.txt"
FSTAB_VMSTORE = "UUID=%s /srv/vmstore ocfs2 _netdev,noatime 0 0" % UUID
DEBIAN13_NODE1_MOUNTED = "ocfs2-tools-1.8.8/proc_mounts_node1_mounted.txt"


@pytest.mark.parametrize("path", ["/srv/ocfs2", "/opt/cloud/workspace/disks", "/srv/o2cb.d"])
def test_absolute_normal_mount_points_are_accepted(path):
    assert mount_point_problem(path, "filesystem_mount_point") is None


@pytest.mark.parametrize("path, message", [
    # site.yml -e filesystem_mount_point=relative/path mounted it at /root/relative/path.
    ("relative/path", "filesystem_mount_point 'relative/path' is not an absolute path. Set an "
                      "absolute path, such as /srv/ocfs2."),
    ("/srv/ocfs2/", "filesystem_mount_point '/srv/ocfs2/' is not in normal form (no '.', '..', "
                    "repeated or trailing '/'). Write it as /srv/ocfs2, if that is the "
                    "directory you mean."),
    ("/srv/../srv/ocfs2", "filesystem_mount_point '/srv/../srv/ocfs2' is not in normal form"),
    ("/srv//ocfs2", "filesystem_mount_point '/srv//ocfs2' is not in normal form"),
    ("//srv/ocfs2", "filesystem_mount_point '//srv/ocfs2' is not in normal form"),
    ("/srv/./ocfs2", "filesystem_mount_point '/srv/./ocfs2' is not in normal form"),
    ("/", "filesystem_mount_point is /, the root directory"),
    ("", "filesystem_mount_point is empty"),
    (None, "filesystem_mount_point is empty"),
    ("/srv/my disks", "filesystem_mount_point '/srv/my disks' contains white space"),
])
def test_mount_points_that_are_not_absolute_and_normal_are_refused(path, message):
    assert mount_point_problem(path, "filesystem_mount_point").startswith(message)


@pytest.mark.parametrize("proc_mounts, mount_point, uuid", [
    (NODE1_MOUNTED, "/srv/vmstore", UUID),
    (DEBIAN13_NODE1_MOUNTED, "/srv/ocfs2", "14544fad-09b4-47e2-a66f-e6c89dd03c45"),
], ids=["debian12", "debian13"])
def test_no_other_mount_point_when_mounted_where_wanted(proc_mounts, mount_point, uuid):
    fstab = "UUID=%s %s ocfs2 _netdev,noatime 0 0" % (uuid, mount_point)
    mounts = mount_facts(proc_mounts, [fstab], {"/dev/mapper/mpatha-part1": uuid})
    assert [(mount["device"], mount["mount"]) for mount in mounts] == [
        ("/dev/mapper/mpatha-part1", mount_point), ("UUID=" + uuid, mount_point)]
    assert other_mount_points(mounts, uuid, mount_point) == []
    assert plan_mount_move(mounts, uuid, mount_point, move=False) == []


def test_another_mount_point_is_refused_without_move():
    # The filesystem is mounted at /srv/vmstore and in fstab there; the play asks for
    # /srv/ocfs2: it would be mounted twice, with two fstab lines.
    mounts = mount_facts(NODE1_MOUNTED, [FSTAB_VMSTORE])
    with pytest.raises(ToolError) as refused:
        plan_mount_move(mounts, UUID, "/srv/ocfs2", False, "filesystem_mount_point",
                        "filesystem_move_mount")
    assert str(refused.value) == (
        "the filesystem UUID=%s is already at /srv/vmstore (mounted now, in /etc/fstab) on this "
        "host, and filesystem_mount_point is /srv/ocfs2: one mount point per filesystem per "
        "host. Set filesystem_mount_point to /srv/vmstore to keep it there, or "
        "filesystem_move_mount: true to unmount it there, remove that fstab entry and mount it "
        "at /srv/ocfs2. Nothing was mounted." % UUID)


def test_an_fstab_entry_alone_at_another_mount_point_is_refused():
    mounts = mount_facts("ocfs2-tools-1.8.7/proc_mounts_no_ocfs2.txt", [FSTAB_VMSTORE])
    with pytest.raises(ToolError, match=r"already at /srv/vmstore \(in /etc/fstab\)"):
        plan_mount_move(mounts, UUID, "/srv/ocfs2", False)


def test_move_returns_the_old_mount_points():
    mounts = mount_facts(NODE1_MOUNTED, [FSTAB_VMSTORE, "UUID=%s /srv/ocfs2 ocfs2 _netdev 0 0"
                                         % UUID.upper()])
    assert plan_mount_move(mounts, UUID, "/srv/ocfs2", move=True) == ["/srv/vmstore"]


def test_other_filesystems_do_not_count():
    mounts = mount_facts(NODE1_MOUNTED, ["UUID=0000 /srv/other ocfs2 _netdev 0 0"],
                         uuid_of={"/dev/mapper/mpatha-part1": "1111"})
    assert plan_mount_move(mounts, UUID, "/srv/ocfs2", move=False) == []
