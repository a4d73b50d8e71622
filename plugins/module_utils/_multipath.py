# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""multipathd: the maps with their paths and sizes, and the plan to grow a map."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import time

from ansible_collections.ocfs2.cluster.plugins.module_utils._block import sysfs_size_bytes
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Step, ToolError, commands_of)
from ansible_collections.ocfs2.cluster.plugins.module_utils._scsi import read_capacity

# The checker states of a path that carries I/O or stands by for it. multipath-tools prints
# "ghost" (libmultipath/print.c, snprint_chk_state) for the standby paths of an active/passive
# array (the rdac and hp_sw checkers, and tur for an ALUA port in standby); multipathd keeps
# such a path in the map, active in device-mapper, and fails over to it. "faulty", "shaky",
# "i/o pending", "i/o timeout", "delayed" and "undef" are not usable.
USABLE_CHECKER_STATES = ("ready", "ghost")


def parse_maps_json(text):
    """Parse `multipathd show maps json` into maps with their paths.

    Expects: {"major_version": 0, ..., "maps": [{"name" : "mpatha", "uuid" : "35000c0ca1ab00001",
    "sysfs" : "dm-0", ..., "path_groups": [{..., "paths": [{"dev" : "sda", "dev_t" : "8:0",
    "dm_st" : "active", "dev_st" : "running", "chk_st" : "ready", ...}]}]}]}
    """
    document = json.loads(text)
    maps = []
    for entry in document.get("maps", []):
        paths = []
        for group in entry.get("path_groups", []):
            for path in group.get("paths", []):
                paths.append({
                    "device": path["dev"],
                    "dev_t": path.get("dev_t"),
                    "dm_state": path.get("dm_st"),
                    "checker_state": path.get("chk_st"),
                    "device_state": path.get("dev_st"),
                })
                paths[-1]["healthy"] = path_is_healthy(paths[-1])
        maps.append({"name": entry["name"], "wwid": entry["uuid"], "dm_name": entry["sysfs"],
                     "paths": paths})
    return maps


def path_is_healthy(path):
    """The one test of a path's health in this collection (the modules return it as
    `healthy`): active in device-mapper, and ready or a standby (ghost) for the checker."""
    return path["dm_state"] == "active" and path["checker_state"] in USABLE_CHECKER_STATES


def find_map(maps, name, resolve=os.path.realpath):
    """The map called `name`, or whose WWID is `name`, or whose device the path `name` is
    (/dev/mapper/mpatha, /dev/disk/by-id/dm-uuid-mpath-WWID: resolved to dm-N)."""
    dm_name = os.path.basename(resolve(name)) if name.startswith("/") else None
    for multipath in maps:
        if name in (multipath["name"], multipath["wwid"]) or dm_name == multipath["dm_name"]:
            return multipath
    known = ", ".join("%s (%s)" % (entry["name"], entry["wwid"]) for entry in maps) or "none"
    raise ToolError("multipath map %s does not exist on this node (maps: %s). Check that the "
                    "LUN is presented to this host and that multipathd may claim it: "
                    "multipath -ll" % (name, known))


def map_link_exists(wwid):
    """Whether udev has made the map's /dev/disk/by-id link, by which the next steps find it."""
    return os.path.exists("/dev/disk/by-id/dm-uuid-mpath-%s" % wwid)


def wait_for_maps(read_maps, wwids, timeout, interval=2, sleep=time.sleep, clock=time.monotonic,
                  linked=map_link_exists):
    """Read the maps until every WWID of `wwids` has one and udev has made its link, or
    `timeout` seconds passed. multipathd reports a new map before udev has processed it, and
    the step after finds the LUN by that link (seen on the lab: the filesystem step's stat,
    under a second after the map appeared).

    Returns (maps, missing WWIDs); never fails for a missing map, so that the caller can say
    which LUN is missing and what to do (a task's `until` that runs out fails without a word).
    """
    deadline = clock() + timeout
    while True:
        maps = read_maps()
        found = set(multipath["wwid"] for multipath in maps if linked(multipath["wwid"]))
        missing = [wwid for wwid in wwids if wwid not in found]
        if not missing or clock() >= deadline:
            return maps, missing
        sleep(min(interval, max(0, deadline - clock())))


def check_paths_healthy(multipath):
    failed = [path for path in multipath["paths"] if not path_is_healthy(path)]
    if failed:
        raise ToolError(
            "multipath map %s has failed paths: %s. Restore them before resizing (multipathd "
            "show paths); a resize would leave them at the old size." % (
                multipath["name"], ", ".join("%s (dm %s, checker %s)" % (
                    path["device"], path["dm_state"], path["checker_state"])
                    for path in failed)),
            map=multipath)
    if not multipath["paths"]:
        raise ToolError("multipath map %s has no paths" % multipath["name"], map=multipath)


def plan_resize(multipath):
    """The steps that grow the map to the size its (rescanned) paths report.

    Pure: `multipath` carries size_bytes and each path's size_bytes.
    """
    check_paths_healthy(multipath)
    path_sizes = sorted(set(path["size_bytes"] for path in multipath["paths"]))
    if len(path_sizes) > 1:
        raise ToolError(
            "the paths of multipath map %s disagree on the LUN size after a rescan: %s. The "
            "storage has not presented the new size on every path yet; rescan again later." % (
                multipath["name"], ", ".join("%s %d bytes" % (path["device"], path["size_bytes"])
                                             for path in multipath["paths"])),
            map=multipath)
    (path_size,) = path_sizes
    if path_size < multipath["size_bytes"]:
        raise ToolError(
            "the paths of multipath map %s report %d bytes, less than the map's %d; refusing "
            "to shrink the map. Check the LUN's size on the storage." % (
                multipath["name"], path_size, multipath["size_bytes"]), map=multipath)
    if path_size == multipath["size_bytes"]:
        return []
    return [Step(["multipathd", "resize", "map", multipath["name"]],
                 why="its paths report %d bytes, the map %d" % (path_size, multipath["size_bytes"]))]


def as_if_rescanned(multipath):
    """The map as a rescan would leave its paths: each at the LUN size its device reports.

    Pure: `multipath` carries each path's lun_size_bytes (None when the device did not answer).
    """
    planned = copy.deepcopy(multipath)
    for path in planned["paths"]:
        if path.get("lun_size_bytes") is not None:
            path["size_bytes"] = path["lun_size_bytes"]
    return planned


class Multipathd(object):
    """Reads maps from multipathd and sizes from sysfs; rescans paths; runs plans."""

    def __init__(self, run, capacity=read_capacity):
        self.run = run
        self.capacity = capacity

    def maps(self):
        rc, stdout, stderr = self.run(["multipathd", "show", "maps", "json"], check=False)
        if rc != 0:
            raise ToolError("multipathd show maps json failed (rc=%d): %s. Is multipathd "
                            "running? systemctl status multipathd" % (rc, stderr.strip()),
                            rc=rc, stderr=stderr)
        maps = parse_maps_json(stdout)
        for multipath in maps:
            self.add_sizes(multipath)
        return maps

    def device_size(self, device):
        return sysfs_size_bytes(self.run, device)

    def add_sizes(self, multipath):
        multipath["size_bytes"] = self.device_size(multipath["dm_name"])
        for path in multipath["paths"]:
            path["size_bytes"] = self.device_size(path["device"])
        return multipath

    def add_lun_sizes(self, multipath):
        """Each path's LUN size as its device reports it now (READ CAPACITY), which the kernel
        learns only at the next rescan; None, with lun_size_error, when the device does not
        answer."""
        for path in multipath["paths"]:
            try:
                path["lun_size_bytes"] = self.capacity("/dev/%s" % path["device"])
            except ToolError as error:
                path["lun_size_bytes"] = None
                path["lun_size_error"] = str(error)
        return multipath

    def rescan(self, multipath):
        """Ask every path's SCSI device to re-read its capacity, as a SAN resize requires."""
        for path in multipath["paths"]:
            self.run.write_file("/sys/class/block/%s/device/rescan" % path["device"], "1")
        return self.add_sizes(multipath)

    def resize(self, step):
        """Run a step of plan_resize()."""
        rc, stdout, stderr = self.run.run_step(step)
        # multipathd answers on stdout; "fail" can come with rc 0.
        if stdout.strip() != "ok":
            raise ToolError("%s answered %r: %s" % (" ".join(step.argv), stdout.strip(),
                                                    stderr.strip()),
                            cmd=step.argv, rc=rc, stdout=stdout, stderr=stderr)


def read_map(multipathd, name):
    """The map called `name` (see find_map), with each path's LUN size as its device reports it
    now."""
    return multipathd.add_lun_sizes(find_map(multipathd.maps(), name))


def present_map(multipathd, name):
    """The multipath module's result for state=present: the map, changed nothing."""
    found = read_map(multipathd, name)
    return dict(changed=False, commands=[], map=found, maps=[found])


def resize_map(multipathd, name, check_mode):
    """The multipath module's result for state=resized: rescan the map's paths, grow the map
    to the size they report, and check that it grew.

    `multipathd` is a Multipathd. In check mode nothing is rescanned or resized: the plan is
    made as if the paths were rescanned (as_if_rescanned).
    """
    before = read_map(multipathd, name)
    rescanned = []
    if check_mode:
        current = as_if_rescanned(before)
    else:
        current = multipathd.rescan(copy.deepcopy(before))
        rescanned = [path["device"] for path in current["paths"]]
    steps = plan_resize(current)
    after = copy.deepcopy(current)
    if steps:
        # plan_resize checked that every path reports this one size.
        lun_size = current["paths"][0]["size_bytes"]
        after["size_bytes"] = lun_size
        if not check_mode:
            for step in steps:
                multipathd.resize(step)
            after = read_map(multipathd, name)
            if after["size_bytes"] != lun_size:
                raise ToolError("multipathd resized map %s, yet it is %d bytes, not the %d its "
                                "paths report. Check: multipathd show maps"
                                % (name, after["size_bytes"], lun_size), map=after)
    return dict(
        changed=bool(steps), commands=commands_of(steps), map=after, maps=[after],
        size_before=before["size_bytes"], size_after=after["size_bytes"], rescanned=rescanned,
        diff=dict(before={"name": before["name"], "size_bytes": before["size_bytes"]},
                  after={"name": after["name"], "size_bytes": after["size_bytes"]}))
