# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device paths the roles and playbooks name, from what the modules read. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# multipath-tools' udev rules link a map's partition 1 by its device-mapper uuid
# ("part1-mpath-" + WWID), which survives renames of the map (mpatha-part1 / mpatha1). The
# partition module's stable_path() names the same path on the host, from the map's dm uuid
# ("mpath-" + WWID): keep the two equal.
_PARTITION_BY_DM_UUID = "/dev/disk/by-id/dm-uuid-part1-mpath-%s"


def partition_path(multipath_map):
    """The stable path of partition 1 of a multipath map, as multipath/multipath_info return
    it ({"wwid": "36001405...", ...})."""
    return _PARTITION_BY_DM_UUID % multipath_map["wwid"]
