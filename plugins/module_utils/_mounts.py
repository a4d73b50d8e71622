# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""/proc/mounts, read the way the kernel writes it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


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
