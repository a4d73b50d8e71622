"""`tools/lab grow` reaches every path of every node, as a SAN's LUN resize does.

Runs after test_lab.py (pytest takes modules in name order): the LUN is larger from here on.
"""

import pytest
from labcheck import block_size_bytes, lab_status, map_paths, multipath_map, run_lab

GROWTH_BYTES = 512 << 20


@pytest.fixture(scope="session")
def grown_lun(lab):
    lun = lab["luns"][0]
    run_lab("grow", lun["name"], str(lun["size_bytes"] + GROWTH_BYTES))
    return next(entry for entry in lab_status()["luns"] if entry["name"] == lun["name"])


def test_lab_records_the_new_size(lab, grown_lun):
    before = next(lun for lun in lab["luns"] if lun["name"] == grown_lun["name"])
    assert grown_lun["size_bytes"] == before["size_bytes"] + GROWTH_BYTES


def test_every_path_shows_the_new_size_after_a_rescan(host, grown_lun):
    for path in map_paths(multipath_map(host, grown_lun["wwid"])):
        host.run_test("echo 1 > /sys/class/block/%s/device/rescan", path["dev"])
        assert block_size_bytes(host, "/dev/" + path["dev"]) == grown_lun["size_bytes"]


def test_multipath_map_grows_to_the_new_size(host, grown_lun):
    name = multipath_map(host, grown_lun["wwid"])["name"]
    assert host.check_output("multipathd resize map %s", name) == "ok"
    assert block_size_bytes(host, "/dev/mapper/" + name) == grown_lun["size_bytes"]
