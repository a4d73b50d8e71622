"""The roles' steps that need an earlier step, run alone, and the plays that leave out nodes of
the group (--limit): each stops at its first task with what to run instead, before it reads or
changes anything. node1 and node3 are this machine; node2 (a closed local port) is never
reached."""

import re

import pytest

from conftest import run_on_three_nodes

STEP_ALONE = """
- name: One step of a role, alone
  hosts: node1
  gather_facts: false
  tasks:
    - name: Run the step
      ansible.builtin.import_role:
        name: %s
        tasks_from: %s
"""


def run_playbook(tmp_path, playbook, *options):
    result = run_on_three_nodes(tmp_path, playbook, "--check", *options)
    assert result.returncode == 2, result.stdout
    assert set(re.findall(r"changed=(\d+)", result.stdout)) == {"0"}, result.stdout
    return " ".join(result.stdout.split())


def test_resize_limited_to_one_node_is_refused(tmp_path):
    output = run_playbook(tmp_path, "resize.yml", "--limit", "node1")
    assert ("The play runs on node1, but ocfs2_nodes also has node2, node3: every node that "
            "mounts the filesystem must see the new size. Do not --limit resize.yml.") in output
    assert "Read the O2CB cluster" not in output


def test_an_outage_limited_to_one_node_is_refused(tmp_path):
    output = run_playbook(tmp_path, "slots.yml", "-e", "slots=4", "--limit", "node3")
    assert ("The play runs on node3, but ocfs2_nodes also has node1, node2: every node that "
            "mounts the filesystem must unmount it. Do not --limit this playbook. Nothing was "
            "changed.") in output
    assert "Read the O2CB cluster" not in output


@pytest.mark.parametrize("role, tasks_from, options, refusal, first_step", [
    ("ocfs2.cluster.resize", "main", [],
     "node1 was not checked first: run playbooks/resize.yml whole (its first play, the resize "
     "role's tasks/preflight.yml, checks every node", "Rescan every path"),
    ("ocfs2.cluster.resize", "remount", ["-e", "resize_mode=offline"],
     "node1: no node grew the filesystem in this run: run playbooks/resize.yml whole",
     "Make the kernel see the grown partition"),
    ("ocfs2.cluster.outage", "unmount", [],
     "node1 was not checked first: run the outage role's tasks_from plan before its tasks_from "
     "unmount", "Unmount the filesystem on every node"),
])
def test_a_step_run_alone_names_what_to_run_first(tmp_path, role, tasks_from, options, refusal,
                                                  first_step):
    playbook = tmp_path / "step.yml"
    playbook.write_text(STEP_ALONE % (role, tasks_from))
    output = run_playbook(tmp_path, str(playbook), *options)
    assert refusal in output
    assert first_step not in output
