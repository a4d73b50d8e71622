"""multipathd parsing and the plan to grow a map, on output captured in the lab."""

import copy

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._multipath import (
    Multipathd, as_if_rescanned, find_map, parse_maps_json, plan_resize, present_map, resize_map,
    wait_for_maps)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Step, ToolError
from conftest import read_fixture

FIXTURES = "multipath-tools-0.9.4/"
DEBIAN13 = "multipath-tools-0.11.1/"
GIB = 1 << 30
GROW_MPATHA = Step(["multipathd", "resize", "map", "mpatha"],
                   why="its paths report 4294967296 bytes, the map 3221225472")


def lab_map(fixture="show_maps_json_one_map.txt", map_size=3 * GIB, path_sizes=(3 * GIB, 3 * GIB)):
    (multipath,) = parse_maps_json(read_fixture(FIXTURES + fixture))
    multipath["size_bytes"] = map_size
    for path, size in zip(multipath["paths"], path_sizes):
        path["size_bytes"] = size
    return multipath


def test_parse_one_map_with_two_active_paths():
    (multipath,) = parse_maps_json(read_fixture(FIXTURES + "show_maps_json_one_map.txt"))
    assert multipath == {
        "name": "mpatha", "wwid": "35000c0ca1ab00001", "dm_name": "dm-0",
        "paths": [
            {"device": "sda", "dev_t": "8:0", "dm_state": "active", "checker_state": "ready",
             "device_state": "running", "healthy": True},
            {"device": "sdb", "dev_t": "8:16", "dm_state": "active", "checker_state": "ready",
             "device_state": "running", "healthy": True},
        ]}


def ready(device, dev_t):
    return {"device": device, "dev_t": dev_t, "dm_state": "active", "checker_state": "ready",
            "device_state": "running", "healthy": True}


def test_parse_two_maps_whose_paths_are_each_in_a_group_of_their_own():
    """multipath-tools 0.11.1 on the Debian 13 lab, which has two LUNs: each path is in a path
    group of its own, the second group "enabled" (standby); its path is still active."""
    maps = parse_maps_json(read_fixture(DEBIAN13 + "show_maps_json_two_maps.txt"))
    assert maps == [
        {"name": "mpatha", "wwid": "35000c0ca1ab00001", "dm_name": "dm-0",
         "paths": [ready("sda", "8:0"), ready("sdc", "8:32")]},
        {"name": "mpathb", "wwid": "35000c0ca1ab00002", "dm_name": "dm-1",
         "paths": [ready("sdb", "8:16"), ready("sdd", "8:48")]}]


def test_plan_resize_compares_the_paths_of_every_group():
    # The standby group's path has not seen the new size yet: no resize.
    multipath = find_map(parse_maps_json(read_fixture(DEBIAN13 + "show_maps_json_two_maps.txt")),
                         "mpatha")
    multipath["size_bytes"] = 3 * GIB
    for path, size in zip(multipath["paths"], (4 * GIB, 3 * GIB)):
        path["size_bytes"] = size
    with pytest.raises(ToolError, match=r"disagree .*sda 4294967296 bytes, sdc 3221225472 bytes"):
        plan_resize(multipath)


def test_parse_no_maps():
    assert parse_maps_json(read_fixture(FIXTURES + "show_maps_json_no_maps.txt")) == []


def test_parse_failed_path_keeps_its_states():
    (multipath,) = parse_maps_json(read_fixture(FIXTURES + "show_maps_json_failed_path.txt"))
    states = {path["device"]: (path["dm_state"], path["checker_state"], path["device_state"])
              for path in multipath["paths"]}
    assert states == {"sda": ("active", "ready", "running"), "sdb": ("failed", "faulty", "offline")}


def test_parse_failed_path_is_not_healthy():
    (multipath,) = parse_maps_json(read_fixture(FIXTURES + "show_maps_json_failed_path.txt"))
    assert [path["healthy"] for path in multipath["paths"]] == [True, False]


def test_a_standby_ghost_path_is_healthy():
    """An active/passive array's standby path: multipath-tools 0.9.4 prints "chk_st" : "ghost"
    (libmultipath/print.c, snprint_chk_state; the rdac, hp_sw and tur checkers return
    PATH_GHOST), dm state active. The fixture is derived from the captured
    show_maps_json_one_map.txt by changing that one field of sdb; nothing captured it."""
    (multipath,) = parse_maps_json(read_fixture(FIXTURES + "show_maps_json_ghost_path.txt"))
    states = {path["device"]: (path["dm_state"], path["checker_state"], path["healthy"])
              for path in multipath["paths"]}
    assert states == {"sda": ("active", "ready", True), "sdb": ("active", "ghost", True)}


def test_plan_resize_grows_a_map_with_a_ghost_path():
    multipath = lab_map("show_maps_json_ghost_path.txt", path_sizes=(4 * GIB, 4 * GIB))
    assert plan_resize(multipath) == [GROW_MPATHA]


def test_find_map_by_name_or_wwid():
    maps = [lab_map()]
    assert find_map(maps, "mpatha") is maps[0]
    assert find_map(maps, "35000c0ca1ab00001") is maps[0]


def test_find_map_names_the_missing_map_and_the_existing_ones():
    with pytest.raises(ToolError, match=r"mpathz does not exist .*mpatha \(35000c0ca1ab00001\)"):
        find_map([lab_map()], "mpathz")
    with pytest.raises(ToolError, match=r"maps: none"):
        find_map([], "mpatha")


def test_plan_resize_grows_the_map_when_both_paths_grew():
    assert plan_resize(lab_map(path_sizes=(4 * GIB, 4 * GIB))) == [GROW_MPATHA]


def test_plan_resize_is_empty_when_the_map_already_has_the_lun_size():
    assert plan_resize(lab_map()) == []


def test_plan_resize_refuses_a_failed_path():
    multipath = lab_map("show_maps_json_failed_path.txt", path_sizes=(4 * GIB, 4 * GIB))
    with pytest.raises(ToolError, match=r"failed paths: sdb \(dm failed, checker faulty\)"):
        plan_resize(multipath)


def test_plan_resize_refuses_paths_that_disagree():
    with pytest.raises(ToolError, match=r"disagree .*sda 4294967296 bytes, sdb 3221225472 bytes"):
        plan_resize(lab_map(path_sizes=(4 * GIB, 3 * GIB)))


def test_plan_resize_refuses_to_shrink():
    with pytest.raises(ToolError, match="refusing to shrink"):
        plan_resize(lab_map(map_size=4 * GIB))


def test_plan_resize_refuses_a_map_without_paths():
    multipath = lab_map()
    multipath = dict(copy.deepcopy(multipath), paths=[])
    with pytest.raises(ToolError, match="no paths"):
        plan_resize(multipath)


def test_as_if_rescanned_takes_the_size_each_device_reports():
    multipath = lab_map()
    for path in multipath["paths"]:
        path["lun_size_bytes"] = 4 * GIB
    planned = as_if_rescanned(multipath)
    assert [path["size_bytes"] for path in planned["paths"]] == [4 * GIB, 4 * GIB]
    assert [path["size_bytes"] for path in multipath["paths"]] == [3 * GIB, 3 * GIB]
    assert plan_resize(planned) == [GROW_MPATHA]


def test_as_if_rescanned_keeps_the_kernel_size_of_a_device_that_did_not_answer():
    multipath = lab_map()
    multipath["paths"][0]["lun_size_bytes"] = 4 * GIB
    multipath["paths"][1]["lun_size_bytes"] = None
    planned = as_if_rescanned(multipath)
    with pytest.raises(ToolError, match="disagree on the LUN size"):
        plan_resize(planned)


def test_add_lun_sizes_records_a_device_that_does_not_answer():
    def capacity(path):
        if path == "/dev/sdb":
            raise ToolError("cannot open /dev/sdb to ask for its capacity: No such device")
        return 4 * GIB
    multipath = Multipathd(run=None, capacity=capacity).add_lun_sizes(lab_map())
    assert [path["lun_size_bytes"] for path in multipath["paths"]] == [4 * GIB, None]
    assert multipath["paths"][1]["lun_size_error"].startswith("cannot open /dev/sdb")


def test_find_map_by_a_path_to_its_device():
    maps = [lab_map()]
    links = {"/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001": "/dev/dm-0",
             "/dev/mapper/mpatha": "/dev/dm-0", "/dev/lab-missing": "/dev/lab-missing"}
    assert find_map(maps, "/dev/mapper/mpatha", resolve=links.get)["name"] == "mpatha"
    assert find_map(maps, "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001",
                    resolve=links.get)["name"] == "mpatha"
    with pytest.raises(ToolError, match="/dev/lab-missing does not exist on this node"):
        find_map(maps, "/dev/lab-missing", resolve=links.get)


class FakeClock(object):
    """time.monotonic and time.sleep for wait_for_maps, without waiting."""

    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_maps_ends_with_the_missing_lun_named_rather_than_failing():
    # multipath_expected_maps naming a WWID that no host has: the wait ends at its timeout
    # and says which one is missing; the role's next check words the refusal.
    time = FakeClock()
    reads = []

    def read_maps():
        reads.append(time.now)
        return [lab_map()]

    maps, missing = wait_for_maps(read_maps, ["35000c0ca1ab00001", "36001405deadbeef"], 30,
                                  sleep=time.sleep, clock=time.clock, linked=lambda wwid: True)
    assert [multipath["wwid"] for multipath in maps] == ["35000c0ca1ab00001"]
    assert missing == ["36001405deadbeef"]
    assert reads[0] == 0 and reads[-1] == 30 and len(reads) == 16


def test_wait_for_maps_returns_as_soon_as_every_lun_has_its_map():
    time = FakeClock()
    appearing = [[], [], [lab_map()]]

    def read_maps():
        return appearing.pop(0) if len(appearing) > 1 else appearing[0]

    maps, missing = wait_for_maps(read_maps, ["35000c0ca1ab00001"], 30, sleep=time.sleep,
                                  clock=time.clock, linked=lambda wwid: True)
    assert (len(maps), missing, time.now) == (1, [], 4)


def test_wait_for_maps_waits_for_the_link_udev_makes_after_multipathd_has_the_map():
    time = FakeClock()
    links = [False, False, True]

    def linked(wwid):
        assert wwid == "35000c0ca1ab00001"
        return links.pop(0) if len(links) > 1 else links[0]

    maps, missing = wait_for_maps(lambda: [lab_map()], ["35000c0ca1ab00001"], 30,
                                  sleep=time.sleep, clock=time.clock, linked=linked)
    assert (len(maps), missing, time.now) == (1, [], 4)


def test_wait_for_maps_names_a_map_whose_link_never_came():
    time = FakeClock()
    maps, missing = wait_for_maps(lambda: [lab_map()], ["35000c0ca1ab00001"], 6,
                                  sleep=time.sleep, clock=time.clock, linked=lambda wwid: False)
    assert (len(maps), missing, time.now) == (1, ["35000c0ca1ab00001"], 6)


def test_wait_for_maps_without_wwids_reads_once():
    time = FakeClock()
    assert wait_for_maps(lambda: [], [], 30, sleep=time.sleep, clock=time.clock) == ([], [])
    assert time.now == 0


class FakeMultipathd(object):
    """Multipathd for present_map and resize_map: the lab's map of two paths, whose LUN the
    storage grew to `lun_size`; records what it was asked, in order."""

    def __init__(self, map_size=3 * GIB, lun_size=4 * GIB, grows=True):
        self.map_size, self.kernel_size, self.lun_size = map_size, map_size, lun_size
        self.grows = grows
        self.calls = []

    def maps(self):
        self.calls.append("maps")
        return [lab_map(map_size=self.map_size, path_sizes=(self.kernel_size, self.kernel_size))]

    def add_lun_sizes(self, multipath):
        for path in multipath["paths"]:
            path["lun_size_bytes"] = self.lun_size
        return multipath

    def rescan(self, multipath):
        self.calls.append("rescan")
        self.kernel_size = self.lun_size
        for path in multipath["paths"]:
            path["size_bytes"] = self.lun_size
        return multipath

    def resize(self, step):
        self.calls.append(step)
        if self.grows:
            self.map_size = self.lun_size


def test_resize_map_rescans_the_paths_and_grows_the_map():
    multipathd = FakeMultipathd()
    result = resize_map(multipathd, "mpatha", check_mode=False)
    assert multipathd.calls == ["maps", "rescan", GROW_MPATHA, "maps"]
    assert (result["changed"], result["commands"], result["rescanned"]) == (
        True, [["multipathd", "resize", "map", "mpatha"]], ["sda", "sdb"])
    assert (result["size_before"], result["size_after"]) == (3 * GIB, 4 * GIB)
    assert result["maps"] == [result["map"]] and result["map"]["size_bytes"] == 4 * GIB
    assert result["diff"] == {"before": {"name": "mpatha", "size_bytes": 3 * GIB},
                              "after": {"name": "mpatha", "size_bytes": 4 * GIB}}


def test_resize_map_in_check_mode_plans_from_the_size_the_devices_report():
    multipathd = FakeMultipathd()
    result = resize_map(multipathd, "mpatha", check_mode=True)
    assert multipathd.calls == ["maps"]
    assert (result["changed"], result["commands"], result["rescanned"]) == (
        True, [["multipathd", "resize", "map", "mpatha"]], [])
    assert (result["size_before"], result["size_after"]) == (3 * GIB, 4 * GIB)
    assert [path["size_bytes"] for path in result["map"]["paths"]] == [4 * GIB, 4 * GIB]


def test_resize_map_changes_nothing_when_the_map_has_the_lun_size():
    multipathd = FakeMultipathd(lun_size=3 * GIB)
    result = resize_map(multipathd, "mpatha", check_mode=False)
    assert multipathd.calls == ["maps", "rescan"]
    assert (result["changed"], result["commands"], result["size_after"]) == (False, [], 3 * GIB)
    assert result["diff"]["before"] == result["diff"]["after"]


def test_resize_map_refuses_success_when_the_map_did_not_grow():
    with pytest.raises(ToolError, match=r"resized map mpatha, yet it is 3221225472 bytes, not "
                                        r"the 4294967296 its paths report"):
        resize_map(FakeMultipathd(grows=False), "mpatha", check_mode=False)


def test_present_map_reports_the_map_and_changes_nothing():
    result = present_map(FakeMultipathd(), "35000c0ca1ab00001")
    assert (result["changed"], result["commands"], result["maps"]) == (
        False, [], [result["map"]])
    assert [path["lun_size_bytes"] for path in result["map"]["paths"]] == [4 * GIB, 4 * GIB]


def test_multipathd_resize_refuses_an_answer_other_than_ok():
    class Run(object):
        def run_step(self, step):
            return 0, "fail\n", ""
    with pytest.raises(ToolError, match=r"multipathd resize map mpatha answered 'fail'"):
        Multipathd(Run()).resize(GROW_MPATHA)
