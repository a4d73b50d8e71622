# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/upgrade.yml's rolling upgrade (ocfs2-tools, the multipath tools, the kernel), one
node at a time: what stops it, its plan, the order of the nodes, what each node does, whether
a node reboots, and the versions before and after.

Pure: the upgrade role passes what each node reported (tasks/preflight.yml's
``__upgrade_node``)::

    {"name": "node1",                 # inventory host
     "o2cb_node": "node1",            # its O2CB node name (mounted.ocfs2 -f names it so)
     "o2cb_online": True,
     "config_nodes": ["node1", "node2", "node3"],  # the nodes its cluster.conf lists
     "o2cb_enabled": True,            # systemctl is-enabled o2cb.service: enabled
     "filesystem": True,              # the device holds an OCFS2 filesystem
     "mounted": True,                 # ... mounted at the mount point
     "fstab": True,                   # an /etc/fstab entry mounts it at the mount point
     "other_mounts": [],              # the node's other OCFS2 mount points
     "users": [{"pid": 2201, "command": "qemu-system-x86"}],  # fuser -m, named by ps
     "marker": False,                 # an upgrade drained it and has not returned it yet
     "target": "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001",  # its device
     "os_family": "Debian", "distribution": "Debian", "architecture": "x86_64",
     "packages": ["ocfs2-tools", "multipath-tools", "kpartx"],
     "kernel_packages": ["linux-image-amd64"],  # None: no default for this node
     "package_plan": {...},           # ansible.builtin.package, state latest, in check mode
     "running_kernel": "6.1.0-27-amd64",
     "boot_files": ["vmlinuz-6.1.0-27-amd64", "config-6.1.0-27-amd64"],  # names in /boot
     "reboot_required": False}        # /var/run/reboot-required exists (Debian)

``package_plan`` is the module's result: ``changed``, ``failed`` and ``msg``, and what the
package manager said it would do: apt's ``stdout`` (``apt-get --simulate``), dnf's ``results``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# apt-get --simulate: "Inst e2fsprogs [1.47.0-2] (1.47.0-2+b2 Debian:12.15/oldstable [amd64])"
# for an upgrade, without the [installed version] for a new package.
APT_INST = re.compile(r"^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+)")
APT_REMV = re.compile(r"^Remv (\S+)")
# The kernel images in /boot: vmlinuz- (Debian, EL, SUSE on x86_64), vmlinux- (SUSE on POWER),
# Image- (SUSE on aarch64, next to a vmlinux-RELEASE.gz kept for debugging).
KERNEL_IMAGE_PREFIXES = ("vmlinuz-", "vmlinux-", "Image-")
REBOOT_REQUIRED_FILE = "/var/run/reboot-required"
ACTIONS = ("skip", "return", "upgrade", "resume")
REBOOT_MODES = ("auto", "always", "never")


def _processes(users):
    return ", ".join("%s %s" % (user["pid"], user["command"]) for user in users)


def _names(nodes):
    return ", ".join(node["name"] for node in nodes)


def is_down(node):
    """Out of the cluster or not mounted: what an interrupted upgrade leaves behind."""
    return not (node["o2cb_online"] and node["mounted"])


def _describe_down(node, mount_point):
    if not node["o2cb_online"]:
        return "the O2CB cluster is offline and %s is not mounted" % mount_point
    return "%s is not mounted (the O2CB cluster is online)" % mount_point


def node_action(node):
    """What the node does in the rolling upgrade, once upgrade_problems() found nothing:

    - "resume": an interrupted upgrade left it down; the whole sequence runs, its steps that
      are done already change nothing, and it comes back;
    - "upgrade": something to upgrade; the whole sequence;
    - "return": nothing to upgrade, but an interrupted upgrade drained it and stopped before
      its return hook; the checks and the return hook only;
    - "skip": nothing to upgrade; the node is not touched.
    """
    if is_down(node):
        return "resume"
    if node["package_plan"].get("changed"):
        return "upgrade"
    if node["marker"]:
        return "return"
    return "skip"


def upgrade_order(nodes):
    """The inventory names in the order the nodes take their turn: a node an interrupted
    upgrade left down first (two nodes down at once would leave the VMs fewer hosts), then the
    others in the order given."""
    return ([node["name"] for node in nodes if is_down(node)]
            + [node["name"] for node in nodes if not is_down(node)])


def package_changes(package_plan):
    """What the package manager would change, one item per package: from apt-get --simulate's
    "Inst NAME [OLD] (NEW ..." and "Remv NAME" lines ("e2fsprogs 1.47.0-2 -> 1.47.0-2+b2",
    "linux-image-6.1.0-56-amd64 6.1.192-2 (new)", "libfoo1 (removed)"), from dnf's results as
    they are ("Installed: kernel-5.14.0-427.el9.x86_64"); [] when nothing would change."""
    if not package_plan.get("changed"):
        return []
    changes = []
    for line in (package_plan.get("stdout") or "").splitlines():
        installed = APT_INST.match(line)
        removed = APT_REMV.match(line)
        if installed:
            name, old, new = installed.groups()
            changes.append("%s %s -> %s" % (name, old, new) if old else "%s %s (new)" % (name, new))
        elif removed:
            changes.append("%s (removed)" % removed.group(1))
    if not changes:
        changes = [str(result) for result in package_plan.get("results") or []
                   if isinstance(result, str) and result.strip()]
    return changes


def _version_key(release):
    """Orders kernel releases as `sort -V` and GRUB's version_sort do, in the main: runs of
    digits as numbers ("6.1.0-28-amd64" after "6.1.0-9-amd64")."""
    # re.split with a group alternates text and digits, text first: the same positions hold
    # the same types in every key, so the keys compare.
    return [int(part) if index % 2 else part
            for index, part in enumerate(re.split(r"(\d+)", release))]


def boot_kernels(file_names):
    """The kernel releases whose images are in /boot, from the file names there
    ("vmlinuz-6.1.0-27-amd64" -> "6.1.0-27-amd64"); EL's rescue image is no release, and
    SUSE's compressed vmlinux-RELEASE.gz is the release of its Image-RELEASE."""
    releases = []
    for name in file_names:
        name = name.strip()
        prefix = next((prefix for prefix in KERNEL_IMAGE_PREFIXES if name.startswith(prefix)),
                      None)
        if prefix is None:
            continue
        release = name[len(prefix):]
        if release.endswith(".gz"):
            release = release[:-len(".gz")]
        if release and "rescue" not in release and release not in releases:
            releases.append(release)
    return releases


def newest_kernel(installed_kernels):
    """The newest of the releases, in the boot loader's version order; None when there is
    none."""
    if not installed_kernels:
        return None
    return max(installed_kernels, key=_version_key)


def kernel_reboot_needed(running, installed_kernels, reboot_required_file_exists):
    """Whether the node must reboot for its upgrade: the newest installed kernel is newer than
    the running one (GRUB boots the newest by default, and the EL and SUSE kernel packages make
    the new kernel the default entry), or the packages asked for a reboot
    (/var/run/reboot-required, Debian and Ubuntu). A running kernel newer than every installed
    one (booted from elsewhere, or its package removed) is no reason: the reboot would not
    bring a newer one."""
    if reboot_required_file_exists:
        return True
    newest = newest_kernel(installed_kernels)
    return newest is not None and _version_key(newest) > _version_key(running)


def reboot_decision(mode, running, installed_kernels, reboot_required_file_exists):
    """upgrade_reboot: "always", "never", or "auto" (kernel_reboot_needed)."""
    if mode not in REBOOT_MODES:
        raise ValueError("upgrade_reboot is %r: choose one of %s" % (mode, ", ".join(REBOOT_MODES)))
    if mode == "auto":
        return kernel_reboot_needed(running, installed_kernels, reboot_required_file_exists)
    return mode == "always"


def _package_problems(node):
    name = node["name"]
    problems = []
    if node["kernel_packages"] is None:
        problems.append(
            "%s: upgrade_kernel_packages has no default for %s (OS family %s) on %s. Set it to "
            "the package (or metapackage) of the kernel this node boots, or to [] to upgrade no "
            "kernel" % (name, node["distribution"], node["os_family"], node["architecture"]))
    if not node["packages"] and not node["kernel_packages"]:
        problems.append(
            "%s: nothing to upgrade: upgrade_packages and upgrade_kernel_packages are empty (OS "
            "family %s has no default). Set upgrade_packages" % (name, node["os_family"]))
    elif node["package_plan"].get("failed"):
        problems.append(
            "%s: the package manager cannot upgrade %s: %s. Fix that there (a broken dpkg state: "
            "dpkg --configure -a; a held package; the package sources), then run again" % (
                name, ", ".join(node["packages"] + (node["kernel_packages"] or [])),
                (node["package_plan"].get("msg") or "no message").strip()))
    return problems


def _down_problems(node, settings):
    return ["%s: %s, and no interrupted upgrade left it so (no %s there). Run "
            "playbooks/status.yml to see why, bring it back (playbooks/site.yml), then run "
            "again" % (node["name"], _describe_down(node, settings["mount_point"]),
                       settings["marker"])]


def _return_problems(node, settings):
    """What would keep a node that goes down for the upgrade from coming back: no fstab entry
    to mount the filesystem from, o2cb not started at boot when it may reboot."""
    name, mount_point = node["name"], settings["mount_point"]
    problems = []
    if not node["fstab"]:
        problems.append(
            "%s: no /etc/fstab entry mounts the filesystem at %s, so it could not be mounted "
            "again after the upgrade. Run playbooks/site.yml first" % (name, mount_point))
    if not node["o2cb_enabled"] and settings["reboot"] != "never":
        problems.append(
            "%s: o2cb is not enabled at boot (systemctl is-enabled o2cb), so the node would not "
            "come back from a reboot after the upgrade. Run playbooks/site.yml first (it enables "
            "o2cb and ocfs2), or set upgrade_reboot=never" % name)
    return problems


def upgrade_problems(nodes, settings):
    """What stops the rolling upgrade before any node is touched, as sentences that name the
    host and say what to do; [] when nothing does. `settings`: {"mount_point", "device",
    "partitioned", "drain_tasks", "stop_users", "marker", "group", "reboot"}.

    Every node must be in the cluster with the filesystem mounted, except one node that an
    interrupted upgrade left down (its marker file says so), which is brought back first; and
    every node that goes down needs its fstab entry, and o2cb enabled at boot unless
    upgrade_reboot is never, to come back."""
    mount_point = settings["mount_point"]
    problems = []
    for node in nodes:
        name = node["name"]
        if not node["filesystem"]:
            problems.append(
                "%s: %s holds no OCFS2 filesystem (upgrade_device %s, upgrade_partitioned %s). "
                "Set them as filesystem_device and filesystem_partitioned are for site.yml" % (
                    name, node["target"], settings["device"], settings["partitioned"]))
        if is_down(node) and not node["marker"]:
            problems.extend(_down_problems(node, settings))
        elif node_action(node) in ("upgrade", "resume"):
            problems.extend(_return_problems(node, settings))
        unlisted = sorted(other["o2cb_node"] for other in nodes if other["o2cb_node"].lower()
                          not in set(name.lower() for name in node["config_nodes"]))
        if unlisted and not is_down(node):
            problems.append(
                "%s: its /etc/ocfs2/cluster.conf does not list %s, of %s: after the upgrade o2cb "
                "would come back without %s. Run playbooks/site.yml first" % (
                    name, ", ".join(unlisted), settings["group"],
                    "it" if len(unlisted) == 1 else "them"))
        if node["other_mounts"]:
            problems.append(
                "%s: OCFS2 is also mounted at %s here; o2cb cannot go offline for the upgrade "
                "under it. Unmount it there first, then run again" % (
                    name, ", ".join(node["other_mounts"])))
        problems.extend(_package_problems(node))
        if (node["users"] and not settings["drain_tasks"] and not settings["stop_users"]
                and not node["package_plan"].get("failed") and node_action(node) == "upgrade"):
            problems.append(
                "%s: %d process(es) use %s (%s), and the node unmounts it for the upgrade. Move "
                "the VMs off this node first, give upgrade_drain_tasks (a task file that moves "
                "them), or set upgrade_stop_users=true to stop them (SIGTERM)" % (
                    name, len(node["users"]), mount_point, _processes(node["users"])))
    down = [node for node in nodes if is_down(node)]
    if len(down) > 1:
        problems.append(
            "%s are down at once (%s), while an interrupted upgrade leaves one node down. Run "
            "playbooks/status.yml, bring them back (playbooks/site.yml), then run again" % (
                _names(down), "; ".join("%s: %s" % (node["name"], _describe_down(node, mount_point))
                                        for node in down)))
    return problems


def _spell_changes(changes, requested):
    """The packages asked for first; then those the package manager changes for them."""
    if not changes:
        return "its packages are up to date"
    asked = [change for change in changes if change.split()[0] in requested]
    others = [change for change in changes if change.split()[0] not in requested]
    if not asked:
        return "upgrade " + ", ".join(others)
    return "upgrade %s%s" % (", ".join(asked), "; with them, %d more: %s" % (
        len(others), ", ".join(others)) if others else "")


def _node_line(node, settings):
    name, action = node["name"], node_action(node)
    changes = package_changes(node["package_plan"])
    if action == "skip":
        return "%s: nothing to upgrade; not touched" % name
    if action == "return":
        return ("%s: nothing to upgrade, but an interrupted upgrade drained it: checked, then "
                "%s" % (name, "the return hook" if settings["return_tasks"] else
                        "its marker removed (no return hook)"))
    what = _spell_changes(changes, node["packages"] + (node["kernel_packages"] or []))
    if action == "resume":
        return ("%s, first (an interrupted upgrade left it down: %s): %s; then brought back" % (
            name, _describe_down(node, settings["mount_point"]), what))
    return "%s: %s" % (name, what)


def _reboot_words(settings):
    if settings["reboot"] == "always":
        return "reboot (upgrade_reboot=always)"
    if settings["reboot"] == "never":
        return "no reboot (upgrade_reboot=never)"
    return ("reboot when the newest kernel in /boot is newer than the running one, or %s exists "
            "(upgrade_reboot=auto)" % REBOOT_REQUIRED_FILE)


def _steps(settings):
    mount_point = settings["mount_point"]
    steps = []
    if settings["drain_tasks"]:
        steps.append("the drain hook %s" % settings["drain_tasks"])
    steps.append("stop the processes that still use %s (SIGTERM)" % mount_point
                 if settings["stop_users"] else
                 "stop if processes still use %s" % mount_point)
    steps += ["unmount %s (its fstab entry stays)" % mount_point, "o2cb offline",
              "upgrade the packages", _reboot_words(settings),
              "o2cb online and %s mounted again (after a reboot, as boot brings them)"
              % mount_point,
              "check that every node of the cluster is registered and mounted.ocfs2 -f lists "
              "this node"]
    if settings["return_tasks"]:
        steps.append("the return hook %s" % settings["return_tasks"])
    return steps


def _pending_kernel_notes(nodes):
    notes = []
    for node in nodes:
        if node_action(node) != "skip":
            continue
        newest = newest_kernel(boot_kernels(node["boot_files"]))
        if kernel_reboot_needed(node["running_kernel"], boot_kernels(node["boot_files"]), False):
            notes.append(
                "Note: %s runs kernel %s, and %s is installed: it boots that one at its next "
                "reboot (not in this run: it has nothing to upgrade)" % (
                    node["name"], node["running_kernel"], newest))
        elif node["reboot_required"]:
            notes.append("Note: %s has %s (its packages ask for a reboot; not in this run: it "
                         "has nothing to upgrade)" % (node["name"], REBOOT_REQUIRED_FILE))
    return notes


def upgrade_plan(nodes, settings):
    """The plan, as lines for the operator to read before anything changes: what each node
    does, in the order they take their turn, and the steps of each. `settings`: those of
    upgrade_problems() and "cluster_name", "return_tasks", "reboot"."""
    by_name = dict((node["name"], node) for node in nodes)
    ordered = [by_name[name] for name in upgrade_order(nodes)]
    acting = [node for node in ordered if node_action(node) != "skip"]
    if not acting:
        return (["Rolling upgrade of cluster %s: nothing to upgrade on %s; nothing changes." % (
            settings["cluster_name"], _names(nodes))] + _pending_kernel_notes(nodes))
    lines = ["Rolling upgrade of cluster %s, one node at a time (%s), each back in the cluster "
             "with the filesystem mounted before the next:" % (
                 settings["cluster_name"], _names(acting))]
    lines += [_node_line(node, settings) for node in ordered]
    if any(node_action(node) in ("upgrade", "resume") for node in acting):
        lines.append("On each node that upgrades: %s. The first node that does not come back "
                     "stops the run." % "; ".join(_steps(settings)))
    return lines + _pending_kernel_notes(nodes)


def back_problems(found, settings):
    """What keeps a node that went through its upgrade from counting as back, as clauses for
    one sentence; [] when it is back. `found`: {"fstype" (findmnt's FSTYPE at the mount point,
    "" when nothing is mounted there), "o2cb_online", "registered" (the O2CB nodes registered
    on it), "group_nodes" (the O2CB names of the group's nodes), "o2cb_node" (its own),
    "mounted_nodes" (mounted.ocfs2 -f's nodes)}; `settings`: {"mount_point", "cluster_name"}.
    Node names compare as o2cb compares them, without case."""
    mount_point, fstype = settings["mount_point"], (found["fstype"] or "").strip()
    problems = []
    if not fstype:
        problems.append("%s is not mounted" % mount_point)
    elif fstype != "ocfs2":
        problems.append("%s holds %s, not the OCFS2 filesystem" % (mount_point, fstype))
    if not found["o2cb_online"]:
        problems.append("the O2CB cluster %s is offline" % settings["cluster_name"])
    else:
        registered = set(name.lower() for name in found["registered"])
        missing = [name for name in found["group_nodes"] if name.lower() not in registered]
        if missing:
            problems.append("the O2CB cluster %s runs without %s (not registered there)" % (
                settings["cluster_name"], ", ".join(missing)))
    if fstype == "ocfs2" and found["o2cb_node"].lower() not in set(
            name.lower() for name in found["mounted_nodes"]):
        problems.append("mounted.ocfs2 -f does not list %s among the nodes that mount the "
                        "filesystem (%s)" % (found["o2cb_node"],
                                             ", ".join(found["mounted_nodes"]) or "none"))
    return problems


def parse_package_versions(stdout):
    """{package: [versions]} from "NAME<TAB>VERSION<TAB>STATUS" lines:
    "ocfs2-tools\\t1.8.7-1+b1\\tinstalled" (dpkg-query --showformat with ${db:Status-Status},
    which also lists removed packages whose configuration stays, as "config-files"), or
    "kernel\\t5.14.0-427.el9\\tinstalled" (rpm --queryformat, one line per installed kernel).
    rpm's "package kpartx is not installed" is no version."""
    versions = {}
    for line in (stdout or "").splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            continue
        if len(fields) > 2 and fields[2].strip() != "installed":
            continue
        found = versions.setdefault(fields[0].strip(), [])
        if fields[1].strip() not in found:
            found.append(fields[1].strip())
    return dict((name, sorted(found, key=_version_key)) for name, found in versions.items())


def _spell_versions(versions):
    return ", ".join(versions) if versions else "not installed"


def upgrade_versions(name, before_stdout, after_stdout, kernel_before, kernel_after,
                     boot_files=()):
    """One line for the report: each package's versions before and after the upgrade, and the
    running kernel's; and a newer kernel in /boot (`boot_files`, the names there) that the node
    did not boot."""
    before = parse_package_versions(before_stdout)
    after = parse_package_versions(after_stdout)
    packages = []
    for package in sorted(set(before) | set(after)):
        old, new = before.get(package, []), after.get(package, [])
        if old == new:
            packages.append("%s %s (unchanged)" % (package, _spell_versions(new)))
        else:
            packages.append("%s %s -> %s" % (package, _spell_versions(old), _spell_versions(new)))
    kernel = ("running kernel %s (unchanged)" % kernel_after if kernel_before == kernel_after
              else "running kernel %s -> %s" % (kernel_before, kernel_after))
    installed = boot_kernels(boot_files)
    if kernel_reboot_needed(kernel_after, installed, False):
        kernel += (", while %s is in /boot: it boots at the next reboot (check the boot "
                   "loader's default entry if it should have now)" % newest_kernel(installed))
    return "%s: %s; %s" % (name, "; ".join(packages) or "no package found", kernel)
