# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""resize.yml's preflight and plan: what stops a resize on a node, across the nodes, and the
steps it will take. Pure: the inputs are what the info modules returned on each node.

A node is a dict: name, o2cb_online, o2cb_node (this host in the O2CB cluster: name and number,
from ocfs2.cluster.o2cb_info; optional, the name stands in for it), map (ocfs2.cluster.multipath's
map, with each path's healthy and lun_size_bytes), filesystem (ocfs2.cluster.filesystem_info's
filesystem, or None), mount (its mount, or None), fstab (its /etc/fstab entries, optional) and
device_size_bytes (the filesystem's device as the kernel sees it).
An unreadable resize_size raises ValueError, which the filter turns into AnsibleFilterError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import (
    is_classic_o2cb, rename_problem)

UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}
# A GPT keeps 1 MiB before the partition (alignment) and 33 sectors after it.
GPT_OVERHEAD_BYTES = 2 << 20


def parse_size(value):
    """Bytes from 4294967296, '4294967296', '5G', '500GiB', '2 TB' (binary units, as the storage
    and lsblk count)."""
    match = re.match(r"^\s*(\d+)\s*([KMGTP]?)(?:i?B)?\s*$", str(value), re.IGNORECASE)
    if not match:
        raise ValueError("resize_size %r is not a size: give bytes or a number with K, M, G, T "
                         "or P (binary units), for example 500G" % (value,))
    return int(match.group(1)) * UNITS[match.group(2).upper()]


def human(size):
    """Two decimals, truncated: a filesystem 1 MiB short of 3 GiB reads 2.99 GiB, not 3.00."""
    for unit in ("T", "G", "M", "K"):
        if size >= UNITS[unit]:
            return "%d.%02d %siB" % (divmod(size * 100 // UNITS[unit], 100) + (unit,))
    return "%d bytes" % size


def lun_sizes(node):
    return [path.get("lun_size_bytes") for path in node["map"]["paths"]]


def lun_size(node):
    """The LUN size every path of the node reports, or None when they do not agree."""
    sizes = set(lun_sizes(node))
    return sizes.pop() if len(sizes) == 1 and None not in sizes else None


def node_problems(node, settings):
    """What stops the resize on this node, as sentences; empty when nothing does."""
    problems = []
    multipath = node["map"]
    if not node["o2cb_online"]:
        problems.append("the O2CB cluster %s is not online (start it: systemctl start o2cb, "
                        "or run site.yml)" % settings["cluster_name"])
    for path in multipath["paths"]:
        # The multipath module decided each path's health (_multipath.path_is_healthy).
        if not path["healthy"]:
            problems.append(
                "path %s of map %s is not active (dm %s, checker %s): restore it before "
                "resizing (multipathd show paths), or it keeps the old size"
                % (path["device"], multipath["name"], path["dm_state"], path["checker_state"]))
        elif path.get("lun_size_bytes") is None:
            problems.append("path %s does not report its size: %s"
                            % (path["device"], path.get("lun_size_error", "no answer")))
    known = set(size for size in lun_sizes(node) if size is not None)
    if len(known) > 1:
        problems.append("the paths of map %s report different LUN sizes (%s): wait until the "
                        "storage presents the new size on every path" % (multipath["name"], ", ".join(
                            "%s %d" % (path["device"], path["lun_size_bytes"])
                            for path in multipath["paths"] if path.get("lun_size_bytes"))))
    filesystem = node["filesystem"]
    if filesystem is None:
        problems.append("%s holds no OCFS2 filesystem (check resize_device and "
                        "resize_partitioned)" % settings["target"])
        return problems
    # A classic o2cb filesystem names no cluster: it is this one's (OCFS2 on a hand-built cluster).
    if filesystem["cluster_name"] != settings["cluster_name"] and not is_classic_o2cb(filesystem):
        problems.append("the filesystem on %s belongs to cluster %s, not %s" % (
            settings["target"], filesystem["cluster_name"], settings["cluster_name"]))
    wanted_uuid = settings.get("filesystem_uuid")
    if wanted_uuid and filesystem["uuid"] != wanted_uuid.lower():
        problems.append("%s holds filesystem %s, not resize_filesystem_uuid %s"
                        % (settings["target"], filesystem["uuid"], wanted_uuid))
    wanted_label = settings.get("filesystem_label")
    if wanted_label and filesystem.get("label") != wanted_label:
        problems.append("%s holds the filesystem labelled %s, not resize_filesystem_label %s"
                        % (settings["target"], filesystem.get("label") or "(no label)",
                           wanted_label))
    problems.extend(mount_problems(node, settings))
    problems.extend(rename_problems(node, settings))
    problems.extend(size_problems(node, filesystem, settings))
    return problems


def rename_problems(node, settings):
    problem = rename_problem(node["mount"], (node["filesystem"] or {}).get("uuid"))
    return [problem] if problem else []


def fstab_mounts_it(node, settings):
    """Whether the node's /etc/fstab mounts this filesystem at the mount point."""
    return any(entry["mount_point"] == settings["mount_point"] and entry["fstype"] == "ocfs2"
               for entry in node.get("fstab") or [])


def mounts_first_from_fstab(node, settings):
    """Offline, the first node left unmounted by an interrupted run: it mounts the filesystem
    from its fstab entry before the grow, as the other nodes do after it."""
    return (settings["mode"] == "offline" and node["name"] == settings["first"]
            and node["mount"] is None and fstab_mounts_it(node, settings))


def mount_problems(node, settings):
    online = settings["mode"] == "online"
    if not online and node["name"] != settings["first"]:
        return []   # offline: a node left unmounted by an interrupted run mounts at the end
    mount = node["mount"]
    if mount is not None and mount["mount_point"] == settings["mount_point"]:
        return []
    if mounts_first_from_fstab(node, settings):
        return []
    where = " (it is mounted at %s)" % mount["mount_point"] if mount else ""
    if online:
        advice = ("mount it first (mount %s), or finish an interrupted offline resize with "
                  "resize_mode=offline" % settings["mount_point"])
    elif mount is None:
        advice = ("the first node grows it while mounted, and /etc/fstab has no ocfs2 entry "
                  "for this filesystem at %s to mount it from: mount it there first, or run "
                  "site.yml, which writes that entry" % settings["mount_point"])
    else:
        advice = "the first node grows it while mounted: mount it there first"
    return ["the filesystem is not mounted at resize_mount_point %s%s: %s"
            % (settings["mount_point"], where, advice)]


def size_problems(node, filesystem, settings):
    known = [size for size in lun_sizes(node) if size is not None]
    if not known:
        return []
    lun = max(known)
    if lun < filesystem["size_bytes"]:
        return ["the LUN reports %d bytes, less than the filesystem's %d: OCFS2 cannot "
                "shrink; check the LUN on the storage" % (lun, filesystem["size_bytes"])]
    if settings.get("size") in (None, ""):
        return []
    wanted = parse_size(settings["size"])
    if wanted < filesystem["size_bytes"]:
        return ["resize_size %s (%d bytes) is smaller than the filesystem (%d bytes): OCFS2 "
                "cannot shrink" % (settings["size"], wanted, filesystem["size_bytes"])]
    if lun < wanted:
        return ["the LUN reports %d bytes, less than resize_size %s (%d bytes): grow the LUN "
                "on the storage first" % (lun, settings["size"], wanted)]
    return []


def disagreements(nodes):
    """What the nodes disagree on (LUN, filesystem, LUN size), and the hosts outside the play
    that mount the filesystem, as sentences."""
    problems = []
    checks = (
        ("LUN WWID", lambda node: node["map"]["wwid"],
         "resize_device must name the same LUN on every node"),
        ("filesystem UUID", lambda node: (node["filesystem"] or {}).get("uuid"),
         "resize_device must name the same LUN on every node"),
        ("LUN size", lun_size,
         "wait until the storage presents the new size to every node"),
    )
    for what, value, advice in checks:
        values = [value(node) for node in nodes]
        if len(set(values)) > 1:
            problems.append("the nodes disagree on the %s (%s): %s" % (
                what, ", ".join("%s %s" % (node["name"], found)
                                for node, found in zip(nodes, values)), advice))
    return problems + outside_mounts(nodes)


def outside_mounts(nodes):
    """The hosts that mount the filesystem but are not in the play, as a sentence (or none).

    mounted.ocfs2 -f names each node holding a slot by its O2CB name, or by its number when
    the reading node's configfs does not know it (mounted.ocfs2/mounted.c, print_nodes).
    """
    known = set()
    for node in nodes:
        o2cb_node = node.get("o2cb_node") or {}
        known.add(str(node["name"]).lower())
        if o2cb_node.get("name"):
            known.add(str(o2cb_node["name"]).lower())
        if o2cb_node.get("number") is not None:
            known.add(str(o2cb_node["number"]))
    outside = []
    for node in nodes:
        for mounted in (node["filesystem"] or {}).get("mounted_nodes") or []:
            if mounted.lower() not in known and mounted not in outside:
                outside.append(mounted)
    if not outside:
        return []
    return ["the filesystem is mounted on %s, outside this play (mounted.ocfs2 -f): every host "
            "that mounts it must see the new size before it grows. Add %s to the inventory "
            "group resize_group and run resize.yml on it too, or unmount the filesystem there "
            "first; a node that crashed keeps its slot until another node mounts the filesystem "
            "and recovers it" % (", ".join(outside), "it" if len(outside) == 1 else "them")]


def nothing_to_grow(first, settings):
    lun = lun_size(first)
    device = first["device_size_bytes"]
    filesystem = first["filesystem"]
    partition_room = settings["partitioned"] and lun - device > GPT_OVERHEAD_BYTES
    return (first["map"]["size_bytes"] == lun and not partition_room
            and device - filesystem["size_bytes"] < filesystem["cluster_size"])


def plan(nodes, settings):
    """The steps of the resize, as lines to print; after the checks passed."""
    by_name = dict((node["name"], node) for node in nodes)
    first = by_name[settings["first"]]
    others = [node["name"] for node in nodes if node["name"] != settings["first"]]
    filesystem = first["filesystem"]
    lun = lun_size(first)
    online = settings["mode"] == "online"
    lines = ["LUN %s: every path of every node reports %s (%d bytes); maps: %s. Filesystem %s: "
             "%s on %s (%s), mounted on %s. Mode: %s." % (
                 first["map"]["wwid"], human(lun), lun,
                 ", ".join("%s %s" % (node["name"], human(node["map"]["size_bytes"]))
                           for node in nodes),
                 filesystem["uuid"], human(filesystem["size_bytes"]), settings["target"],
                 human(first["device_size_bytes"]),
                 ", ".join(sorted(filesystem["mounted_nodes"])) or "no node", settings["mode"])]
    if mounts_first_from_fstab(first, settings):
        lines.append("First, %s mounts %s as its /etc/fstab says: an interrupted offline resize "
                     "left it unmounted." % (settings["first"], settings["mount_point"]))
    if nothing_to_grow(first, settings):
        return lines + ["Nothing to grow: every step will find its work done."]
    everyone = ", ".join(node["name"] for node in nodes)
    step = iter(range(1, 10))
    lines.append("%d. %s, in parallel: rescan every path and resize the map to %s."
                 % (next(step), everyone, human(lun)))
    if not online and others:
        lines.append("%d. %s: unmount %s." % (next(step), ", ".join(others),
                                              settings["mount_point"]))
    if settings["partitioned"]:
        seen = ("; %s: re-read it, and every kernel must see its new size" % ", ".join(others)
                if online and others else "")
        lines.append("%d. %s: grow partition 1 to the end of the LUN%s."
                     % (next(step), settings["first"], seen))
    lines.append("%d. %s: tunefs.ocfs2 -S grows the filesystem from %s to fill the %s, while %s "
                 "mount%s it." % (next(step), settings["first"], human(filesystem["size_bytes"]),
                                  "partition" if settings["partitioned"] else "LUN",
                                  everyone if online else settings["first"],
                                  "" if online and others else "s"))
    if not online and others:
        lines.append("%d. %s, one at a time: %smount %s again." % (
            next(step), ", ".join(others),
            "re-read the partition table and " if settings["partitioned"] else "",
            settings["mount_point"]))
    lines.append("Then every node checks that its mounted filesystem shows the new size.")
    return lines
