"""playbooks/upgrade.yml's refusals that come before it reads the cluster: a hook file missing
on the controller, a --limit that leaves nodes out, a node that does not answer. node1 and node3
are this machine (nothing is read there before these refusals but its facts); node2 points at a
closed local port. Nothing is changed, and apt's lists are not refreshed
(upgrade_update_cache: false)."""

import re

from conftest import run_on_three_nodes


def run_upgrade(tmp_path, *options):
    result = run_on_three_nodes(tmp_path, "upgrade.yml", *options,
                                variables="    upgrade_update_cache: false\n")
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
