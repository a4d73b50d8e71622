# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fsck.ocfs2 for the fsck module: the command, and what its output says.

fsck.ocfs2 1.8.7 exits 0 whether or not it found problems, with -n and with -y alike (both seen
on the lab): only its output tells. Each problem is one line, "[CODE] what is wrong ... ? y"
(fixed) or "? n" (left as it is).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import parse_mounted_nodes
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Step, ToolError

PROBLEM = re.compile(r"^\[(?P<code>[A-Z0-9_]+)\] (?P<message>.*?)\s*(?P<answer>[yn])\s*$")
# What fsck.ocfs2 says when it gives up before the passes; exit 32 (FSCK_CANCELED).
ABORTED = ("Aborting operation", "abort.")
PASSES_DONE = "All passes succeeded."


def refuse_missing_device(device, exists=os.path.exists):
    """Say that the device is missing before any tool runs: given a path that does not exist,
    mounted.ocfs2 -f exits 0 with no row, and fsck.ocfs2 exits 8 with nothing on stdout."""
    if not exists(device):
        raise ToolError("device %s does not exist on this node. Check the LUN's path "
                        "(multipath -ll, lsblk)." % device)


def fsck_step(device, repair):
    """-f: check even a filesystem marked clean; -n answers no to every fix, -y yes. Never -F:
    the cluster check (is it mounted on another node?) stays on.

    A read-only check of a filesystem mounted on this node asks "Do you really want to
    continue (y/N)" first (its findings may be spurious while nodes write): it gets "y". A
    repair is never answered: fsck.ocfs2 refuses it on a mounted filesystem by itself."""
    if repair:
        return Step(["fsck.ocfs2", "-f", "-y", device], stdin="", why="repair")
    return Step(["fsck.ocfs2", "-f", "-n", device], stdin="y\n", why="read-only check")


def check_filesystem(run, device, repair):
    """Run the check (or the repair, refused while any node mounts the device); return what
    fsck.ocfs2 found (parse_fsck_output), the nodes that mount it and fsck.ocfs2's stdout."""
    refuse_missing_device(device)
    _rc, stdout, stderr = run(["mounted.ocfs2", "-f", device])
    if repair:
        mounted_nodes = refuse_repair_while_mounted(device, stdout, stderr)
    else:
        mounted_nodes = parse_mounted_nodes(stdout, stderr, device)
    step = fsck_step(device, repair)
    # Its exit status alone does not say whether it ran its passes: parse_fsck_output decides.
    rc, stdout, _stderr = run(step.argv, check=False, data=step.stdin)
    return parse_fsck_output(stdout, rc), mounted_nodes, stdout


def parse_fsck_output(stdout, rc):
    """{"problems": [{"code", "message", "fixed"}], "completed": bool} from fsck.ocfs2's
    output; raises ToolError when it did not run its passes."""
    problems = []
    for line in stdout.splitlines():
        match = PROBLEM.match(line.strip())
        if match:
            problems.append({"code": match.group("code"), "message": match.group("message"),
                             "fixed": match.group("answer") == "y"})
    completed = PASSES_DONE in stdout
    if rc != 0 or not completed:
        last = [line.strip() for line in stdout.splitlines() if line.strip()]
        raise ToolError("fsck.ocfs2 stopped before checking the filesystem (rc=%d): %s" % (
            rc, last[-1] if last else "no output"), rc=rc, stdout=stdout, problems=problems)
    return {"problems": problems, "completed": completed}


def refuse_repair_while_mounted(device, mounted_stdout, mounted_stderr):
    """The nodes that mount `device` (mounted.ocfs2 -f); a repair refuses any."""
    nodes = parse_mounted_nodes(mounted_stdout, mounted_stderr, device)
    if nodes:
        raise ToolError(
            "%s is mounted on %s; a repair (fsck.ocfs2 -y) needs it unmounted on every node. "
            "Run playbooks/fsck.yml -e fsck_repair=true, which plans that outage, or check it "
            "read-only (repair: false)." % (device, ", ".join(nodes)), mounted_nodes=nodes)
    return nodes


def fsck_summary(problems, repair, mounted_nodes):
    """One sentence for the result's msg."""
    left = [problem for problem in problems if not problem["fixed"]]
    fixed = len(problems) - len(left)
    where = " while mounted on %s (findings may be spurious under writes)" % ", ".join(
        sorted(mounted_nodes)) if mounted_nodes else ""
    if not problems:
        return "no problem found%s" % where
    if repair:
        return "%d problem(s) found, %d fixed, %d left: %s" % (
            len(problems), fixed, len(left), "; ".join(
                "[%s] %s %s" % (problem["code"], problem["message"],
                                "fixed" if problem["fixed"] else "NOT fixed")
                for problem in problems))
    return "%d problem(s) found%s, none fixed (read-only): %s" % (
        len(problems), where, "; ".join("[%s] %s" % (problem["code"], problem["message"])
                                        for problem in problems))


def fsck_result(found, mounted_nodes, stdout, repair, repair_asked):
    """The module's result. `repair` is whether it repaired; `repair_asked` whether the task
    asked for a repair (in check mode it only checks: changed says a repair would fix)."""
    problems = found["problems"]
    return dict(
        changed=any(problem["fixed"] for problem in problems) if repair else bool(
            repair_asked and problems),
        clean=all(problem["fixed"] for problem in problems),
        problems=problems, mounted_nodes=mounted_nodes, stdout=stdout,
        msg=fsck_summary(problems, repair, mounted_nodes))
