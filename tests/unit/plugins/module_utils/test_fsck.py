"""fsck.ocfs2's output as the fsck module reads it, captured on the lab (ocfs2-tools 1.8.7 on
Debian 12, 1.8.8 on Debian 13)."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._fsck import (
    check_filesystem, fsck_result, fsck_step, fsck_summary, parse_fsck_output,
    refuse_missing_device, refuse_repair_while_mounted)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Step, ToolError

from conftest import read_fixture

TOOLS = "ocfs2-tools-1.8.7/"
DEBIAN13 = "ocfs2-tools-1.8.8/"
INODE_COUNT = ("Inode 96770 has a link count of 2 on disk but directory entry references come "
               "to 1. Update the count on disk to match?")


def test_a_problem_left_by_the_read_only_check_is_not_fixed():
    found = parse_fsck_output(read_fixture(TOOLS + "fsck_fn_inode_count.txt"), 0)
    assert found["problems"] == [{"code": "INODE_COUNT", "message": INODE_COUNT, "fixed": False}]


def test_a_problem_the_repair_fixed_is_fixed():
    found = parse_fsck_output(read_fixture(TOOLS + "fsck_fy_inode_count_fixed.txt"), 0)
    assert found["problems"] == [{"code": "INODE_COUNT", "message": INODE_COUNT, "fixed": True}]


# 1.8.8's output starts with its version line ("fsck.ocfs2 1.8.8"), 1.8.7's captures do not.
@pytest.mark.parametrize("fixture", [
    TOOLS + "fsck_fn_clean.txt", TOOLS + "fsck_fn_mounted_answered.txt",
    DEBIAN13 + "fsck_fn_mounted_answered.txt",
], ids=["debian12-clean", "debian12-mounted-answered", "debian13-mounted-answered"])
def test_a_clean_filesystem_has_no_problem(fixture):
    assert parse_fsck_output(read_fixture(fixture), 0) == {"problems": [], "completed": True}


@pytest.mark.parametrize("fixture, said", [
    (TOOLS + "fsck_fn_mounted_not_answered.txt", "Aborting operation."),
    (TOOLS + "fsck_fy_mounted_refused.txt", "may cause SEVERE filesystem damage, abort."),
    (DEBIAN13 + "fsck_fn_mounted_not_answered.txt", "Aborting operation."),
    (DEBIAN13 + "fsck_fy_mounted_refused.txt", "may cause SEVERE filesystem damage, abort."),
], ids=["debian12-not-answered", "debian12-refused", "debian13-not-answered",
        "debian13-refused"])
def test_a_check_that_gave_up_is_an_error_never_clean(fixture, said):
    with pytest.raises(ToolError, match=r"stopped before checking the filesystem \(rc=32\)") as error:
        parse_fsck_output(read_fixture(fixture), 32)
    assert said in str(error.value)


def test_output_without_the_passes_is_an_error_even_with_rc_0():
    with pytest.raises(ToolError, match="stopped before checking"):
        parse_fsck_output("Checking OCFS2 filesystem in /dev/sdz:\n", 0)


def test_the_read_only_check_answers_the_mounted_question_and_the_repair_never_does():
    assert fsck_step("/dev/x", False) == Step(["fsck.ocfs2", "-f", "-n", "/dev/x"], stdin="y\n",
                                              why="read-only check")
    assert fsck_step("/dev/x", True) == Step(["fsck.ocfs2", "-f", "-y", "/dev/x"], stdin="",
                                             why="repair")


@pytest.mark.parametrize("fixture, nodes", [
    (TOOLS + "mounted_f_two_nodes.txt", ["node1", "node2"]),
    (DEBIAN13 + "mounted_f_three_nodes.txt", ["node1", "node2", "node3"]),
], ids=["debian12", "debian13"])
def test_a_repair_is_refused_while_any_node_mounts_the_filesystem(fixture, nodes):
    with pytest.raises(ToolError, match="mounted on %s; a repair" % ", ".join(nodes)) as error:
        refuse_repair_while_mounted("/dev/x", read_fixture(fixture), "")
    assert error.value.details["mounted_nodes"] == nodes


def test_a_repair_may_start_when_no_node_mounts_it():
    assert refuse_repair_while_mounted(
        "/dev/x", read_fixture(TOOLS + "mounted_f_not_mounted.txt"), "") == []


def test_the_summary_says_what_was_found_fixed_and_left():
    problem = {"code": "INODE_COUNT", "message": INODE_COUNT, "fixed": False}
    assert fsck_summary([], False, ["node1"]) == (
        "no problem found while mounted on node1 (findings may be spurious under writes)")
    assert fsck_summary([dict(problem, fixed=True)], True, []) == (
        "1 problem(s) found, 1 fixed, 0 left: [INODE_COUNT] %s fixed" % INODE_COUNT)
    assert fsck_summary([problem], False, []).startswith(
        "1 problem(s) found, none fixed (read-only): [INODE_COUNT] Inode 96770")


def test_a_missing_device_is_refused_before_any_tool_runs():
    with pytest.raises(ToolError, match=r"device /dev/disk/by-id/does-not-exist does not exist "
                                        r"on this node"):
        refuse_missing_device("/dev/disk/by-id/does-not-exist", exists=lambda path: False)
    refuse_missing_device("/dev/x", exists=lambda path: True)


class ToolsAnswer(object):
    """Stands in for Runner with captured outputs of mounted.ocfs2 -f and fsck.ocfs2; records
    what ran, with its stdin."""

    def __init__(self, mounted_fixture, fsck_fixture=None):
        self.outputs = {"mounted.ocfs2": read_fixture(mounted_fixture),
                        "fsck.ocfs2": fsck_fixture and read_fixture(fsck_fixture)}
        self.ran = []

    def __call__(self, argv, check=True, data=None):
        self.ran.append((argv, data))
        return 0, self.outputs[argv[0]], ""


def test_a_read_only_check_while_mounted_reads_the_nodes_then_answers_fsck(tmp_path):
    device = str(tmp_path)  # a path that exists
    run = ToolsAnswer(TOOLS + "mounted_f_two_nodes.txt", TOOLS + "fsck_fn_inode_count.txt")
    found, mounted_nodes, stdout = check_filesystem(run, device, repair=False)
    assert run.ran == [(["mounted.ocfs2", "-f", device], None),
                       (["fsck.ocfs2", "-f", "-n", device], "y\n")]
    assert mounted_nodes == ["node1", "node2"]
    result = fsck_result(found, mounted_nodes, stdout, repair=False, repair_asked=False)
    assert (result["changed"], result["clean"], result["msg"]) == (
        False, False, "1 problem(s) found while mounted on node1, node2 (findings may be "
        "spurious under writes), none fixed (read-only): [INODE_COUNT] %s" % INODE_COUNT)
    # A repair asked in check mode runs this check: it would change the filesystem.
    assert fsck_result(found, mounted_nodes, stdout, repair=False, repair_asked=True)["changed"]


def test_a_repair_runs_only_when_no_node_mounts_the_filesystem(tmp_path):
    device = str(tmp_path)
    run = ToolsAnswer(TOOLS + "mounted_f_two_nodes.txt")
    with pytest.raises(ToolError, match="mounted on node1, node2; a repair"):
        check_filesystem(run, device, repair=True)
    assert [argv[0] for argv, _stdin in run.ran] == ["mounted.ocfs2"]
    run = ToolsAnswer(TOOLS + "mounted_f_not_mounted.txt", TOOLS + "fsck_fy_inode_count_fixed.txt")
    found, mounted_nodes, stdout = check_filesystem(run, device, repair=True)
    assert run.ran[-1] == (["fsck.ocfs2", "-f", "-y", device], "")
    result = fsck_result(found, mounted_nodes, stdout, repair=True, repair_asked=True)
    assert (result["changed"], result["clean"], result["mounted_nodes"]) == (True, True, [])
