"""playbooks/status.yml with one host that does not answer (issue 11, item 13): it is named, is a
problem, and the others keep their own values; the report is written as JSON, the run fails, and
--check gives the same report. node1 and node3 are this machine (every read of status.yml only
reads; this machine has no O2CB cluster and no multipath map); node2 points at a closed local
port."""

import json
import re

from conftest import REPO, run_on_three_nodes


def run_status(tmp_path, *options):
    return run_on_three_nodes(tmp_path, "status.yml", *options, cwd=REPO)


def test_a_silent_host_is_named_is_a_problem_and_shifts_nothing(tmp_path):
    report_file = tmp_path / "report.json"
    result = run_status(tmp_path, "-e", "status_report_file=%s" % report_file)
    output = " ".join(result.stdout.split())
    assert result.returncode == 2, result.stdout
    assert "cluster unittestcluster: online on 0 of 3 nodes (none)" in output, result.stdout
    assert "no answer from node2: its state is unknown" in output, result.stdout
    assert "The OCFS2 cluster unittestcluster is not healthy:" in output, result.stdout
    # Nothing changed: the report on the controller does not count as a change.
    assert re.findall(r"changed=(\d+)", result.stdout) == ["0", "0", "0"], result.stdout
    report = json.loads(report_file.read_text())
    assert (report["healthy"], report["silent"], sorted(report["nodes"])) == (
        False, ["node2"], ["node1", "node3"])
    assert report["problems"][0].startswith("node2: did not answer")
    assert report["nodes"]["node1"] == report["nodes"]["node3"]
    assert report["nodes"]["node1"]["o2cb_online"] is not True

    checked_file = tmp_path / "checked.json"
    checked = run_status(tmp_path, "--check", "-e", "status_report_file=%s" % checked_file)
    assert checked.returncode == 2, checked.stdout
    assert json.loads(checked_file.read_text()) == report


def test_an_empty_report_file_writes_none(tmp_path):
    # A report a lab run left in the repository (make demo) stays as it was.
    left = dict((path, path.stat().st_mtime_ns) for path in REPO.glob("ocfs2-status-*.json"))
    result = run_status(tmp_path, "-e", "status_report_file=")
    assert result.returncode == 2, result.stdout
    assert "Write the report as JSON" in result.stdout
    assert not list(tmp_path.glob("*.json"))
    assert dict((path, path.stat().st_mtime_ns)
                for path in REPO.glob("ocfs2-status-*.json")) == left
