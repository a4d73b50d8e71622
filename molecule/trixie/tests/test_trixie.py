"""site.yml from bare Debian 13 guests, then resize.yml after the LUN grows: the install step
from the lab's package source, and the online grow on Debian 13's tools (multipath-tools,
ocfs2-tools 1.8.8, util-linux). The cluster scenario's checks run here too
(../../cluster/tests/test_cluster.py, molecule.yml)."""

import pytest
from labcheck import (assert_nothing_changed, grow_lun, kernel_mount_count, lun_size,
                      map_path, mounted_size, run_playbook)

MOUNT_POINT = "/srv/ocfs2"
# What the install role installs on Debian (roles/install/vars/main.yml).
PACKAGES = ("ocfs2-tools", "multipath-tools", "kpartx", "fdisk")


def test_every_node_runs_debian_13(nodes):
    for name, node in nodes.items():
        assert node.system_info.distribution == "debian", name
        assert node.system_info.release.split(".")[0] == "13", (name, node.system_info.release)


def test_the_cluster_packages_came_from_the_lab_package_source(nodes):
    for name, node in nodes.items():
        for package in PACKAGES:
            # "*** VERSION 500" marks the installed version; the line after it, where it is
            # offered: the lab's source, the only one the guests read.
            policy = node.check_output("apt-cache policy %s", package).splitlines()
            installed = [index for index, line in enumerate(policy) if line.startswith(" *** ")]
            assert installed, (name, package, policy)
            assert "http://lab-packages ./ Packages" in policy[installed[0] + 1], (
                name, package, policy)
    assert nodes["node1"].package("ocfs2-tools").version.startswith("1.8.8")


def test_the_ocfs2_module_is_loaded_and_o2cb_enabled_for_the_next_boot(nodes):
    for name, node in nodes.items():
        assert node.check_output("grep -c '^ocfs2 ' /proc/modules") == "1", name
        assert node.file("/etc/modules-load.d/ocfs2.conf").contains("^ocfs2$"), name
        assert node.service("o2cb").is_enabled, name
        assert node.service("o2cb").is_running, name


@pytest.fixture(scope="module")
def grown(nodes, lab):
    """The LUN one GiB larger, then resize.yml, as the README runs it after a SAN grew it."""
    before = dict((name, (mounted_size(node, MOUNT_POINT), kernel_mount_count(node)))
                  for name, node in nodes.items())
    for name, node in nodes.items():
        node.check_output("echo before-the-grow > %s/grow-%s", MOUNT_POINT, name)
    new_size = grow_lun()
    return before, new_size, run_playbook("resize.yml")


def test_resize_yml_grows_the_filesystem_on_every_node_while_mounted(nodes, lab, grown):
    before, new_size, result = grown
    assert result.returncode == 0, result.stdout[-3000:]
    assert new_size == lun_size()
    for name, node in nodes.items():
        size_before, mounts_before = before[name]
        # The map has the LUN's new size, the filesystem grew by most of the new GiB, and the
        # kernel mounted nothing again (no unmount on the way).
        assert int(node.check_output("blockdev --getsize64 %s", map_path(lab))) == new_size, name
        assert mounted_size(node, MOUNT_POINT) > size_before + (900 << 20), name
        assert kernel_mount_count(node) == mounts_before, name
        for writer in nodes:
            assert node.check_output("cat %s/grow-%s", MOUNT_POINT, writer) == "before-the-grow"


def test_resize_yml_again_changes_nothing(grown):
    assert_nothing_changed(run_playbook("resize.yml"))
