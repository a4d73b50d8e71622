# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that name devices: the stable path of a multipath map's partition 1, as the
partition module names it (one function for both, in module_utils/_partition.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.module_utils._partition import (
    multipath_partition_path)


def partition_path(multipath_map):
    return multipath_partition_path(multipath_map["wwid"])


class FilterModule(object):
    def filters(self):
        return {"partition_path": partition_path}
