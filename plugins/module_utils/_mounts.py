# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""/proc/mounts, read the way the kernel writes it, and /etc/fstab."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


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
