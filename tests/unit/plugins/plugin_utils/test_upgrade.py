"""The rolling upgrade's checks, plan, order, reboot decision and version report (the upgrade
role's filters). apt's and dpkg-query's outputs were captured on a Debian 12 machine
(tests/unit/fixtures/apt-2.6.1, dpkg-1.21.22), dpkg-query's also on Debian 13 (dpkg-1.22.22);
the /boot listings and EL's rpm lines are plausible inputs, named as such."""

import pytest

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._upgrade import (
    back_problems, boot_kernels, kernel_reboot_needed, newest_kernel, node_action,
    package_changes, parse_package_versions, reboot_decision, upgrade_order, upgrade_plan,
    upgrade_problems, upgrade_versions)
from conftest import read_fixture

APT_SIMULATE = read_fixture("apt-2.6.1/simulate_install_upgrades_and_new_kernel.txt")
DPKG_QUERY = read_fixture("dpkg-1.21.22/dpkg_query_show_status.txt")
SETTINGS = {"cluster_name": "ocfs2lab", "mount_point": "/srv/ocfs2",
            "device": "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001", "partitioned": True,
            "drain_tasks": "", "return_tasks": "", "stop_users": False, "reboot": "auto",
            "marker": "/var/lib/ocfs2-upgrade-drained", "group": "ocfs2_nodes"}
NOTHING_TO_DO = {"changed": False}
UPGRADES = {"changed": True, "stdout": APT_SIMULATE}

# Plausible /boot listings (find /boot -maxdepth 1 -printf '%f\n'), not captured.
PLAUSIBLE_DEBIAN_BOOT = ["System.map-6.1.0-27-amd64", "config-6.1.0-27-amd64",
                         "initrd.img-6.1.0-27-amd64", "vmlinuz-6.1.0-27-amd64",
                         "System.map-6.1.0-9-amd64", "vmlinuz-6.1.0-9-amd64", "grub"]
PLAUSIBLE_EL_BOOT = ["vmlinuz-0-rescue-4b1cc0a6d5bd4a2c8f4e5d1e0a7f2b3c",
                     "vmlinuz-5.14.0-362.8.1.el9_3.x86_64", "vmlinuz-5.14.0-427.13.1.el9_4.x86_64",
                     "initramfs-5.14.0-427.13.1.el9_4.x86_64.img", "loader", "efi"]
PLAUSIBLE_SUSE_AARCH64_BOOT = ["Image", "Image-6.4.0-150600.23.25-default",
                               "vmlinux-6.4.0-150600.23.25-default.gz",
                               "Image-6.4.0-150600.23.30-default",
                               "vmlinux-6.4.0-150600.23.30-default.gz"]


def node(name, **changes):
    found = {"name": name, "o2cb_node": name, "o2cb_online": True, "o2cb_enabled": True,
             "config_nodes": ["node1", "node2", "node3"],
             "filesystem": True, "target": "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001",
             "mounted": True, "fstab": True, "other_mounts": [], "users": [], "marker": False,
             "os_family": "Debian", "distribution": "Debian", "architecture": "x86_64",
             "packages": ["ocfs2-tools", "multipath-tools", "kpartx"],
             "kernel_packages": ["linux-image-amd64"], "package_plan": NOTHING_TO_DO,
             "running_kernel": "6.1.0-27-amd64", "boot_files": PLAUSIBLE_DEBIAN_BOOT,
             "reboot_required": False}
    found.update(changes)
    return found


# The reboot decision.

def test_debian_reboots_into_a_newer_kernel_that_sorts_as_numbers():
    installed = boot_kernels(PLAUSIBLE_DEBIAN_BOOT + ["vmlinuz-6.1.0-28-amd64"])
    assert installed == ["6.1.0-27-amd64", "6.1.0-9-amd64", "6.1.0-28-amd64"]
    assert newest_kernel(installed) == "6.1.0-28-amd64"
    assert kernel_reboot_needed("6.1.0-27-amd64", installed, False)


def test_no_reboot_when_the_running_kernel_is_the_newest():
    installed = boot_kernels(PLAUSIBLE_DEBIAN_BOOT)
    assert newest_kernel(installed) == "6.1.0-27-amd64"
    assert not kernel_reboot_needed("6.1.0-27-amd64", installed, False)


def test_reboot_required_file_asks_for_a_reboot_with_the_same_kernel():
    assert kernel_reboot_needed("6.1.0-27-amd64", boot_kernels(PLAUSIBLE_DEBIAN_BOOT), True)


def test_el_ignores_the_rescue_image_and_compares_release_numbers():
    installed = boot_kernels(PLAUSIBLE_EL_BOOT)
    assert installed == ["5.14.0-362.8.1.el9_3.x86_64", "5.14.0-427.13.1.el9_4.x86_64"]
    assert kernel_reboot_needed("5.14.0-362.8.1.el9_3.x86_64", installed, False)
    assert not kernel_reboot_needed("5.14.0-427.13.1.el9_4.x86_64", installed, False)


def test_uek_is_newer_than_the_stock_el_kernel():
    installed = ["5.14.0-427.13.1.el9_4.x86_64", "5.15.0-206.153.7.1.el9uek.x86_64"]
    assert newest_kernel(installed) == "5.15.0-206.153.7.1.el9uek.x86_64"
    assert not kernel_reboot_needed("5.15.0-206.153.7.1.el9uek.x86_64", installed, False)


def test_suse_aarch64_images_count_once_per_release():
    installed = boot_kernels(PLAUSIBLE_SUSE_AARCH64_BOOT)
    assert installed == ["6.4.0-150600.23.25-default", "6.4.0-150600.23.30-default"]
    assert kernel_reboot_needed("6.4.0-150600.23.25-default", installed, False)


def test_a_running_kernel_newer_than_every_image_in_boot_is_no_reason_to_reboot():
    # Booted from outside the image (a lab's -kernel), or its package removed since.
    installed = boot_kernels(PLAUSIBLE_DEBIAN_BOOT)
    assert not kernel_reboot_needed("6.1.0-50-amd64", installed, False)


def test_no_image_in_boot_is_no_reason_to_reboot():
    assert not kernel_reboot_needed("6.1.0-27-amd64", boot_kernels(["grub", "efi"]), False)


def test_always_and_never_do_not_look_at_the_kernels():
    installed = boot_kernels(PLAUSIBLE_DEBIAN_BOOT + ["vmlinuz-6.1.0-28-amd64"])
    assert reboot_decision("always", "6.1.0-28-amd64", installed, False)
    assert not reboot_decision("never", "6.1.0-27-amd64", installed, True)
    assert reboot_decision("auto", "6.1.0-27-amd64", installed, False)
    with pytest.raises(ValueError, match="upgrade_reboot is 'sometimes'"):
        reboot_decision("sometimes", "6.1.0-27-amd64", installed, False)


# What the package manager would change.

def test_apt_simulate_names_upgrades_and_new_packages_with_versions():
    changes = package_changes(UPGRADES)
    assert "e2fsprogs 1.47.0-2 -> 1.47.0-2+b2" in changes
    assert "multipath-tools 0.9.4-3+deb12u2 (new)" in changes
    assert "linux-image-6.1.0-56-amd64 6.1.192-2 (new)" in changes
    assert "linux-image-amd64 6.1.192-2 (new)" in changes
    assert not any(change.startswith("ocfs2-tools") for change in changes)
    assert len(changes) == APT_SIMULATE.count("\nInst ")


def test_dnf_results_are_kept_as_they_are():
    # Plausible dnf results in check mode (ansible.builtin.dnf's "results"), not captured.
    plan = {"changed": True, "results": ["Installed: kernel-5.14.0-427.13.1.el9_4.x86_64",
                                         "Installed: ocfs2-tools-1.8.7-2.el9.x86_64",
                                         "Removed: ocfs2-tools-1.8.7-1.el9.x86_64"]}
    assert package_changes(plan) == plan["results"]


def test_nothing_changes_when_the_plan_is_unchanged():
    assert package_changes(NOTHING_TO_DO) == []
    assert package_changes({"skipped": True, "changed": False}) == []


# What each node does, and in which order.

def test_each_node_does_only_what_is_needed():
    assert node_action(node("node1")) == "skip"
    assert node_action(node("node1", package_plan=UPGRADES)) == "upgrade"
    assert node_action(node("node1", marker=True)) == "return"
    assert node_action(node("node1", mounted=False, o2cb_online=False, marker=True)) == "resume"
    assert node_action(node("node1", mounted=False, marker=True)) == "resume"


def test_a_node_an_interrupted_upgrade_left_down_goes_first():
    nodes = [node("node1", package_plan=UPGRADES), node("node2"),
             node("node3", mounted=False, o2cb_online=False, marker=True)]
    assert upgrade_order(nodes) == ["node3", "node1", "node2"]


# What stops the upgrade.

def test_nothing_stops_an_upgrade_of_a_healthy_cluster():
    nodes = [node("node1", package_plan=UPGRADES), node("node2"), node("node3")]
    assert upgrade_problems(nodes, SETTINGS) == []


def test_a_node_down_without_the_marker_is_refused_with_status_yml():
    problems = upgrade_problems([node("node1"), node("node2", mounted=False, o2cb_online=False)],
                                SETTINGS)
    assert problems == [
        "node2: the O2CB cluster is offline and /srv/ocfs2 is not mounted, and no interrupted "
        "upgrade left it so (no /var/lib/ocfs2-upgrade-drained there). Run playbooks/status.yml "
        "to see why, bring it back (playbooks/site.yml), then run again"]


def test_a_node_that_goes_down_needs_its_fstab_entry_and_o2cb_at_boot_to_come_back():
    problems = upgrade_problems([node("node1", mounted=False, marker=True, fstab=False,
                                      o2cb_enabled=False)], SETTINGS)
    assert problems == [
        "node1: no /etc/fstab entry mounts the filesystem at /srv/ocfs2, so it could not be "
        "mounted again after the upgrade. Run playbooks/site.yml first",
        "node1: o2cb is not enabled at boot (systemctl is-enabled o2cb), so the node would not "
        "come back from a reboot after the upgrade. Run playbooks/site.yml first (it enables "
        "o2cb and ocfs2), or set upgrade_reboot=never"]
    assert upgrade_problems([node("node1", mounted=False, marker=True)], SETTINGS) == []
    # A node that upgrades, the same; one with nothing to upgrade does not go down.
    assert len(upgrade_problems([node("node1", package_plan=UPGRADES, fstab=False)],
                                SETTINGS)) == 1
    assert upgrade_problems([node("node1", fstab=False, o2cb_enabled=False)], SETTINGS) == []
    assert upgrade_problems([node("node1", package_plan=UPGRADES, o2cb_enabled=False)],
                            dict(SETTINGS, reboot="never")) == []


def test_two_nodes_down_at_once_are_refused():
    nodes = [node("node1", mounted=False, marker=True),
             node("node2", mounted=False, o2cb_online=False, marker=True), node("node3")]
    problems = upgrade_problems(nodes, SETTINGS)
    assert problems == [
        "node1, node2 are down at once (node1: /srv/ocfs2 is not mounted (the O2CB cluster is "
        "online); node2: the O2CB cluster is offline and /srv/ocfs2 is not mounted), while an "
        "interrupted upgrade leaves one node down. Run playbooks/status.yml, bring them back "
        "(playbooks/site.yml), then run again"]


def test_processes_on_a_node_that_would_upgrade_need_a_drain_hook_or_stop_users():
    users = [{"pid": 2201, "command": "qemu-system-x86"}]
    nodes = [node("node1", package_plan=UPGRADES, users=users), node("node2", users=users)]
    problems = upgrade_problems(nodes, SETTINGS)
    # node2 has nothing to upgrade: its VMs stay where they are.
    assert problems == [
        "node1: 1 process(es) use /srv/ocfs2 (2201 qemu-system-x86), and the node unmounts it "
        "for the upgrade. Move the VMs off this node first, give upgrade_drain_tasks (a task file "
        "that moves them), or set upgrade_stop_users=true to stop them (SIGTERM)"]
    assert upgrade_problems(nodes, dict(SETTINGS, drain_tasks="/srv/hooks/drain.yml")) == []
    assert upgrade_problems(nodes, dict(SETTINGS, stop_users=True)) == []


def test_other_ocfs2_mounts_and_a_missing_filesystem_are_refused():
    problems = upgrade_problems([node("node1", other_mounts=["/srv/iso"], filesystem=False)],
                                SETTINGS)
    assert problems[0].startswith(
        "node1: /dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001 holds no OCFS2 filesystem")
    assert problems[1] == (
        "node1: OCFS2 is also mounted at /srv/iso here; o2cb cannot go offline for the upgrade "
        "under it. Unmount it there first, then run again")


def test_a_package_manager_that_refuses_stops_the_upgrade_with_its_message():
    refused = {"failed": True, "changed": False,
               "msg": "no available installation candidate for linux-image-amd64"}
    problems = upgrade_problems([node("node1", package_plan=refused)], SETTINGS)
    assert problems == [
        "node1: the package manager cannot upgrade ocfs2-tools, multipath-tools, kpartx, "
        "linux-image-amd64: no available installation candidate for linux-image-amd64. Fix that "
        "there (a broken dpkg state: dpkg --configure -a; a held package; the package sources), "
        "then run again"]


def test_a_kernel_without_default_asks_for_upgrade_kernel_packages():
    problems = upgrade_problems([node("node1", distribution="Ubuntu", kernel_packages=None)],
                                SETTINGS)
    assert problems == [
        "node1: upgrade_kernel_packages has no default for Ubuntu (OS family Debian) on x86_64. "
        "Set it to the package (or metapackage) of the kernel this node boots, or to [] to "
        "upgrade no kernel"]
    problems = upgrade_problems([node("node1", packages=[], kernel_packages=[],
                                      os_family="Gentoo")], SETTINGS)
    assert problems[0].startswith("node1: nothing to upgrade: upgrade_packages and "
                                  "upgrade_kernel_packages are empty (OS family Gentoo")


# The plan.

def test_the_plan_names_what_each_node_does_in_order():
    nodes = [node("node1", package_plan={"changed": True, "stdout": (
                 "Inst ocfs2-tools [1.8.7-1] (1.8.7-1+b1 Debian:12.15/oldstable [amd64])\n")}),
             node("node2"),
             node("node3", mounted=False, o2cb_online=False, marker=True)]
    settings = dict(SETTINGS, drain_tasks="/srv/hooks/drain.yml",
                    return_tasks="/srv/hooks/return.yml")
    lines = upgrade_plan(nodes, settings)
    assert lines[:4] == [
        "Rolling upgrade of cluster ocfs2lab, one node at a time (node3, node1), each back in "
        "the cluster with the filesystem mounted before the next:",
        "node3, first (an interrupted upgrade left it down: the O2CB cluster is offline and "
        "/srv/ocfs2 is not mounted): its packages are up to date; then brought back",
        "node1: upgrade ocfs2-tools 1.8.7-1 -> 1.8.7-1+b1",
        "node2: nothing to upgrade; not touched"]
    assert lines[4] == (
        "On each node that upgrades: the drain hook /srv/hooks/drain.yml; stop if processes "
        "still use /srv/ocfs2; unmount /srv/ocfs2 (its fstab entry stays); o2cb offline; "
        "upgrade the packages; reboot when the newest kernel in /boot is newer than the running "
        "one, or /var/run/reboot-required exists (upgrade_reboot=auto); o2cb online and "
        "/srv/ocfs2 mounted again (after a reboot, as boot brings them); check that every node "
        "of the cluster is registered and mounted.ocfs2 -f lists this node; the return hook "
        "/srv/hooks/return.yml. The first node that does not come back stops the run.")
    assert len(lines) == 5


def test_the_plan_says_when_nothing_changes_and_notes_a_pending_kernel():
    nodes = [node("node1"), node("node2", boot_files=PLAUSIBLE_DEBIAN_BOOT
                                 + ["vmlinuz-6.1.0-28-amd64"])]
    assert upgrade_plan(nodes, SETTINGS) == [
        "Rolling upgrade of cluster ocfs2lab: nothing to upgrade on node1, node2; nothing "
        "changes.",
        "Note: node2 runs kernel 6.1.0-27-amd64, and 6.1.0-28-amd64 is installed: it boots that "
        "one at its next reboot (not in this run: it has nothing to upgrade)"]


def test_a_drained_node_left_up_only_returns():
    lines = upgrade_plan([node("node1", marker=True), node("node2")],
                         dict(SETTINGS, return_tasks="/srv/hooks/return.yml"))
    assert lines == [
        "Rolling upgrade of cluster ocfs2lab, one node at a time (node1), each back in the "
        "cluster with the filesystem mounted before the next:",
        "node1: nothing to upgrade, but an interrupted upgrade drained it: checked, then the "
        "return hook",
        "node2: nothing to upgrade; not touched"]


# A node back after its upgrade.

BACK = {"fstype": "ocfs2\n", "o2cb_online": True, "registered": ["node1", "node2", "node3"],
        "group_nodes": ["node1", "node2", "node3"], "o2cb_node": "node2",
        "mounted_nodes": ["node1", "Node2", "node3"]}


def test_a_node_back_in_the_cluster_has_no_problem():
    assert back_problems(BACK, SETTINGS) == []


def test_a_node_that_did_not_come_back_is_told_what_is_missing():
    assert back_problems(dict(BACK, fstype="", o2cb_online=False, registered=[],
                              mounted_nodes=["node1", "node3"]), SETTINGS) == [
        "/srv/ocfs2 is not mounted", "the O2CB cluster ocfs2lab is offline"]
    assert back_problems(dict(BACK, registered=["node1", "node2"],
                              mounted_nodes=["node1", "node3"]), SETTINGS) == [
        "the O2CB cluster ocfs2lab runs without node3 (not registered there)",
        "mounted.ocfs2 -f does not list node2 among the nodes that mount the filesystem "
        "(node1, node3)"]


# The versions before and after.

def test_dpkg_query_lines_give_the_installed_versions_only():
    assert parse_package_versions(DPKG_QUERY) == {"e2fsprogs": ["1.47.0-2"],
                                                  "ocfs2-tools": ["1.8.7-1+b1"]}
    assert parse_package_versions("multipath-tools\t0.9.4-3+deb12u1\tconfig-files\n") == {}


def test_dpkg_query_lines_on_debian13_give_every_installed_version():
    # dpkg 1.22.22 on the Debian 13 lab, where all five packages are installed.
    assert parse_package_versions(read_fixture("dpkg-1.22.22/dpkg_query_show_status.txt")) == {
        "e2fsprogs": ["1.47.2-3+b12"], "kpartx": ["0.11.1-2"],
        "linux-image-amd64": ["6.12.117-1"], "multipath-tools": ["0.11.1-2"],
        "ocfs2-tools": ["1.8.8-3"]}


def test_rpm_lines_keep_every_installed_kernel():
    # Plausible rpm -q --queryformat output, not captured.
    stdout = ("kernel\t5.14.0-427.13.1.el9_4.x86_64\tinstalled\n"
              "kernel\t5.14.0-362.8.1.el9_3.x86_64\tinstalled\n"
              "package kpartx is not installed\n")
    assert parse_package_versions(stdout) == {
        "kernel": ["5.14.0-362.8.1.el9_3.x86_64", "5.14.0-427.13.1.el9_4.x86_64"]}


def test_the_report_says_what_changed_and_what_did_not():
    after = DPKG_QUERY.replace("1.47.0-2\t", "1.47.0-2+b2\t") + (
        "multipath-tools\t0.9.4-3+deb12u2\tinstalled\n")
    assert upgrade_versions("node1", DPKG_QUERY, after, "6.1.0-27-amd64", "6.1.0-28-amd64") == (
        "node1: e2fsprogs 1.47.0-2 -> 1.47.0-2+b2; multipath-tools not installed -> "
        "0.9.4-3+deb12u2; ocfs2-tools 1.8.7-1+b1 (unchanged); running kernel 6.1.0-27-amd64 -> "
        "6.1.0-28-amd64")
    assert upgrade_versions("node2", DPKG_QUERY, DPKG_QUERY, "6.1.0-27-amd64",
                            "6.1.0-27-amd64").endswith("running kernel 6.1.0-27-amd64 (unchanged)")


def test_the_plan_names_the_packages_asked_for_before_those_they_bring():
    lines = upgrade_plan([node("node1", package_plan=UPGRADES)], SETTINGS)
    asked, brought = lines[1].split("; with them, ")
    assert asked == ("node1: upgrade kpartx 0.9.4-3+deb12u2 (new), multipath-tools "
                     "0.9.4-3+deb12u2 (new), linux-image-amd64 6.1.192-2 (new)")
    assert brought.startswith("%d more: logsave 1.47.0-2 -> 1.47.0-2+b2, " % (
        APT_SIMULATE.count("\nInst ") - 3))
    assert "linux-image-6.1.0-56-amd64 6.1.192-2 (new)" in brought


def test_the_report_names_a_newer_kernel_the_node_did_not_boot():
    # upgrade_reboot=never, or a boot loader whose default entry is another kernel.
    line = upgrade_versions("node1", DPKG_QUERY, DPKG_QUERY, "6.1.0-27-amd64", "6.1.0-27-amd64",
                            PLAUSIBLE_DEBIAN_BOOT + ["vmlinuz-6.1.0-28-amd64"])
    assert line.endswith(
        "running kernel 6.1.0-27-amd64 (unchanged), while 6.1.0-28-amd64 is in /boot: it boots "
        "at the next reboot (check the boot loader's default entry if it should have now)")


def test_a_cluster_conf_without_a_node_of_the_group_is_refused():
    # o2cb registers what cluster.conf lists when it comes back; the check after the upgrade
    # wants every node of the group.
    nodes = [node("node1", config_nodes=["node1", "node2"]), node("node2"),
             node("Node3", o2cb_node="NODE3")]
    assert upgrade_problems(nodes, SETTINGS) == [
        "node1: its /etc/ocfs2/cluster.conf does not list NODE3, of ocfs2_nodes: after the "
        "upgrade o2cb would come back without it. Run playbooks/site.yml first"]
