# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a device is mounted: /proc/mounts, read the way the kernel writes it, /etc/fstab, and
the nodes that mount an OCFS2 filesystem (mounted.ocfs2 -f)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError


def _unescape(value):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), value)


def parse_proc_mounts(text):
    """(source, mount point, type) per line of /proc/mounts.

    Expects lines like "/dev/mapper/mpatha-part1 /srv/vmstore ocfs2 rw,relatime,_netdev,... 0 0";
    the kernel writes space, tab, newline and backslash as \\040 \\011 \\012 \\134.
    """
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            entries.append(tuple(_unescape(value) for value in fields[:3]))
    return entries


def parse_fstab(text):
    """The entries of /etc/fstab: {"source", "mount_point", "fstype", "options"} per line.

    Expects lines like "UUID=4e20acb9-... /srv/ocfs2 ocfs2 _netdev,noatime 0 0" (fstab(5):
    whitespace-separated, '#' comments, spaces written as \\040).
    """
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[0].startswith("#"):
            continue
        entries.append({"source": _unescape(fields[0]), "mount_point": _unescape(fields[1]),
                        "fstype": fields[2],
                        "options": fields[3].split(",") if len(fields) > 3 else ["defaults"]})
    return entries


def path_device_number(path):
    try:
        return os.stat(path).st_rdev
    except OSError:
        return None


def mount_device_number(mount_point):
    try:
        return os.stat(mount_point).st_dev
    except OSError:
        return None


def mount_points_by_number(entries, path_device_number, mount_device_number):
    """{device number: [mount points]} of this node's block-device mounts. Pure.

    entries: parse_proc_mounts(); a source renamed since the mount is found by the device
    number of its mount point.
    """
    mounted = {}
    for source, mount_point, _fstype in entries:
        if not source.startswith("/dev/"):
            continue
        number = path_device_number(source)
        if number is None:
            number = mount_device_number(mount_point)
        if number is not None:
            mounted.setdefault(number, []).append(mount_point)
    return mounted


def parse_mounted_nodes(text, stderr="", device="the device"):
    """The nodes that have the device mounted, from `mounted.ocfs2 -f DEVICE`.

    Expects:
        Device                    Stack  Cluster  F  Nodes
        /dev/mapper/mpatha-part1  o2cb   labclu      node1, node2
    ("Not mounted" in the Nodes column when no node has it). When it cannot read the slot map
    it still exits 0, prints the row with nothing in the Nodes column and the error on stderr
    ("Unknown: Bad magic number in inode"): that is an error, never "mounted nowhere".
    """
    lines = [line for line in text.splitlines() if line.strip()]
    # Given a path that does not exist, it prints its header several times and no row.
    if lines and "Nodes" in lines[0]:
        lines = lines[:1] + [line for line in lines[1:] if line.split() != lines[0].split()]
    if len(lines) < 2 or "Nodes" not in lines[0]:
        raise ToolError("mounted.ocfs2 -f %s found no OCFS2 filesystem there (%s), although "
                        "blkid did; refusing to guess which nodes mount it. Check the device "
                        "on this node (lsblk, dmesg)." % (device, stderr.strip() or "no row"),
                        stdout=text, stderr=stderr)
    column = lines[0].index("Nodes")
    nodes = lines[1][column:].strip()
    if not nodes:
        raise ToolError("mounted.ocfs2 -f %s could not tell which nodes mount it (%s); refusing "
                        "to take that as mounted nowhere. Its slot map could not be read: check "
                        "the device on this node (dmesg, multipath -ll) and the filesystem with "
                        "fsck.ocfs2 -n." % (device, stderr.strip() or "no node list, no error"),
                        stdout=text, stderr=stderr)
    if nodes == "Not mounted":
        return []
    return [node.strip() for node in nodes.split(",") if node.strip()]


def mount_point_problem(path, variable="mount_point"):
    """Why `path` cannot be a mount point in fstab, or None: it must be absolute and in normal
    form, since ansible.posix.mount and fstab take it as written (a relative path mounts under
    the current directory, and "/srv/ocfs2/" is another fstab entry than "/srv/ocfs2")."""
    if not isinstance(path, str) or not path.strip():
        return "%s is empty. Set the directory where every host mounts the filesystem." % (
            variable)
    if not path.startswith("/"):
        return ("%s %r is not an absolute path. Set an absolute path, such as /srv/ocfs2."
                % (variable, path))
    normal = "/" + posixpath.normpath(path).lstrip("/")
    if normal == "/":
        return "%s is /, the root directory. Set a directory of its own, such as /srv/ocfs2." % (
            variable)
    if normal != path:
        return ("%s %r is not in normal form (no '.', '..', repeated or trailing '/'). Write it "
                "as %s, if that is the directory you mean." % (variable, path, normal))
    if re.search(r"\s", path):
        return "%s %r contains white space, which fstab separates fields with. Choose another " \
               "directory." % (variable, path)
    return None


# mount_facts names each entry's source: /proc/mounts (or /etc/mtab, `mount`) for what is
# mounted now, /etc/fstab for what is mounted at boot.
FSTAB_SOURCES = ("/etc/fstab",)


def other_mount_points(mounts, uuid, mount_point):
    """Where else this host mounts the filesystem `uuid`, now or from fstab.

    `mounts` is ansible.builtin.mount_facts' aggregate_mounts: [{"mount": "/srv/ocfs2",
    "device": "/dev/mapper/mpatha-part1", "fstype": "ocfs2", "uuid": "83e285a3-...",
    "ansible_context": {"source": "/proc/mounts"}}]. Returns [{"mount_point", "mounted",
    "in_fstab"}] sorted by mount point, without `mount_point` itself.
    """
    found = {}
    for entry in mounts:
        if (entry.get("uuid") or "").lower() != uuid.lower() or entry.get("mount") == mount_point:
            continue
        other = found.setdefault(entry["mount"], {"mount_point": entry["mount"],
                                                  "mounted": False, "in_fstab": False})
        source = (entry.get("ansible_context") or {}).get("source")
        other["in_fstab" if source in FSTAB_SOURCES else "mounted"] = True
    return [found[path] for path in sorted(found)]


def plan_mount_move(mounts, uuid, mount_point, move, variable="mount_point",
                    move_variable="move_mount"):
    """The other mount points of filesystem `uuid` to unmount and remove from fstab before it
    is mounted at `mount_point`: one mount point per filesystem per host.

    Refuses (ToolError) when there are some and `move` is false: mounting the same filesystem
    a second time, with a second fstab line, is never what was meant.
    """
    others = other_mount_points(mounts, uuid, mount_point)
    if others and not move:
        where = "; ".join("%s (%s)" % (other["mount_point"], ", ".join(
            ([("mounted now")] if other["mounted"] else [])
            + (["in /etc/fstab"] if other["in_fstab"] else []))) for other in others)
        raise ToolError(
            "the filesystem UUID=%s is already at %s on this host, and %s is %s: one mount point "
            "per filesystem per host. Set %s to %s to keep it there, or %s: true to unmount it "
            "there, remove that fstab entry and mount it at %s. Nothing was mounted." % (
                uuid, where, variable, mount_point, variable, others[0]["mount_point"],
                move_variable, mount_point), mount_points=others)
    return [other["mount_point"] for other in others]
