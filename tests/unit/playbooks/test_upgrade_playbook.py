"""playbooks/upgrade.yml's refusals that come before it reads the cluster: a hook file missing
on the controller, a --limit that leaves nodes out, a node that does not answer. node1 and node3
are this machine (nothing is read there before these refusals but its facts); node2 points at a
closed local port. Nothing is changed, and apt's lists are not refreshed
(upgrade_update_cache: false)."""

import os
import pathlib
import re
import subprocess
import sys

from conftest import REPO

INVENTORY = """\
ocfs2_nodes:
  hosts:
    node1: {ansible_connection: local}
    node2: {ansible_connection: ssh, ansible_host: 127.0.0.1, ansible_port: 1}
    node3: {ansible_connection: local}
  vars:
    ansible_python_interpreter: %s
    cluster_name: unittestcluster
    filesystem_device: /dev/disk/by-id/dm-uuid-mpath-36488eec10000000000000000000000001
    upgrade_update_cache: false
"""


def run_upgrade(tmp_path, *options):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(INVENTORY % sys.executable)
    environment = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
                       PWD=str(tmp_path))
    playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    result = subprocess.run([str(playbook), "-i", str(inventory),
                             str(REPO / "playbooks" / "upgrade.yml")] + list(options),
                            capture_output=True, text=True, env=environment, cwd=str(tmp_path),
                            timeout=300)
    return result, " ".join(result.stdout.split())


def test_a_missing_hook_file_is_refused_with_its_path_before_anything_is_read(tmp_path):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "return.yml").write_text("---\n[]\n")
    result, output = run_upgrade(tmp_path, "-e", "upgrade_drain_tasks=hooks/drain.yml",
                                 "-e", "upgrade_return_tasks=hooks/return.yml")
    assert result.returncode == 2, result.stdout
    assert ("upgrade_drain_tasks is %s/hooks/drain.yml, which is not a file on the controller."
            % tmp_path) in output, result.stdout
    assert "upgrade_return_tasks" not in output.split("which is not a file")[0], result.stdout
    assert "Read the node's OS family" not in output, result.stdout


def test_a_limit_that_leaves_nodes_out_is_refused(tmp_path):
    result, output = run_upgrade(tmp_path, "--limit", "node1", "--check")
    assert result.returncode == 2, result.stdout
    assert "The play runs on node1, but ocfs2_nodes also has node2, node3: the upgrade" in (
        output), result.stdout
    assert "Do not --limit this playbook. Nothing was changed." in output, result.stdout


def test_a_node_that_does_not_answer_is_named_and_nothing_is_changed(tmp_path):
    result, output = run_upgrade(tmp_path, "--check")
    assert result.returncode != 0, result.stdout
    assert ("node2 did not answer (or failed, above): the upgrade takes one node down at a "
            "time") in output, result.stdout
    assert "Read the O2CB cluster" not in output, result.stdout
    assert set(re.findall(r"changed=(\d+)", result.stdout)) == {"0"}, result.stdout
