# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a device is mounted: /proc/mounts, read the way the kernel writes it, and the nodes
that mount an OCFS2 filesystem (mounted.ocfs2 -f)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError


def parse_proc_mounts(text):
    """(source, mount point, type) per line of /proc/mounts.

    Expects lines like "/dev/mapper/mpatha-part1 /srv/vmstore ocfs2 rw,relatime,_netdev,... 0 0";
    the kernel writes space, tab, newline and backslash as \\040 \\011 \\012 \\134.
    """
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            entries.append(tuple(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)),
                                        value) for value in fields[:3]))
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
