"""Helpers for the Molecule verifiers: the lab as tools/lab describes it, and what a node sees."""

import json
import pathlib
import subprocess

LAB_TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "lab"


def lab_status():
    result = subprocess.run([str(LAB_TOOL), "status", "--json"], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def run_lab(*arguments):
    return subprocess.run([str(LAB_TOOL)] + list(arguments), check=True,
                          capture_output=True, text=True).stdout


def multipath_map(host, wwid):
    """The multipath map of one WWID as `multipathd show maps json` prints it."""
    maps = json.loads(host.check_output("multipathd show maps json"))["maps"]
    matching = [entry for entry in maps if entry["uuid"] == wwid]
    assert len(matching) == 1, "expected one map for WWID %s, found %d: %s" % (
        wwid, len(matching), [entry["name"] for entry in maps])
    return matching[0]


def map_paths(multipath):
    return [path for group in multipath["path_groups"] for path in group["paths"]]


def block_size_bytes(host, device):
    return int(host.check_output("blockdev --getsize64 %s", device))
