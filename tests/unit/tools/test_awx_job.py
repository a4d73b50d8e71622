"""tools/awx-job: what it writes into a job's private data directory (extra vars, inventory
script, command line, environment) and the launch checks it makes as AWX makes them."""

import importlib.machinery
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest
from ansible.parsing.yaml.loader import AnsibleLoader

REPO = pathlib.Path(__file__).resolve().parents[3]
# The ansible-galaxy of the Python running the tests, whatever PATH says.
ANSIBLE_GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")


def load_tool():
    loader = importlib.machinery.SourceFileLoader("awx_job", str(REPO / "tools" / "awx-job"))
    spec = importlib.util.spec_from_loader("awx_job", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


awx_job = load_tool()
RESIZE_SURVEY = json.loads((REPO / "awx" / "surveys" / "resize.json").read_text())
SITE_SURVEY = json.loads((REPO / "awx" / "surveys" / "site.json").read_text())


def test_survey_defaults_fill_unanswered_questions():
    assert awx_job.check_survey_answers(RESIZE_SURVEY, {"resize_size": "4G"}) == {
        "resize_mode": "online", "resize_size": "4G"}


@pytest.mark.parametrize("survey, answers, problem", [
    (RESIZE_SURVEY, {"resize_mode": "sideways"}, "resize_mode: 'sideways' is not one of"),
    (RESIZE_SURVEY, {"resize_size": "x" * 33}, "resize_size: longer than 32 characters"),
    (RESIZE_SURVEY, {"resize_sise": "4G"}, "resize_sise is not a question of the survey"),
    (SITE_SURVEY, {"filesystem_node_slots": 0}, "filesystem_node_slots: 0 is below the minimum 1"),
    (SITE_SURVEY, {"filesystem_node_slots": "8"}, "filesystem_node_slots: '8' is not of type"),
    (dict(RESIZE_SURVEY, spec=[dict(RESIZE_SURVEY["spec"][0], default="")]), {},
     "resize_mode: the survey requires an answer"),
], ids=["choice", "length", "unknown", "minimum", "type", "required"])
def test_launch_refuses_what_awx_refuses(survey, answers, problem):
    with pytest.raises(awx_job.JobError) as error:
        awx_job.check_survey_answers(survey, answers)
    assert problem in str(error.value)


def test_an_integer_answer_is_typed_before_the_checks():
    (question,) = [item for item in SITE_SURVEY["spec"] if item["type"] == "integer"]
    assert awx_job.survey_answer(question, "8") == 8
    with pytest.raises(awx_job.JobError, match="is not an integer"):
        awx_job.survey_answer(question, "eight")


def test_extra_vars_tag_every_string_unsafe_and_keep_numbers():
    text = awx_job.extravars_yaml({"resize_size": "{{ 6 * 7 }}", "awx_job_id": 7,
                                   "nested": {"list": ["a"]}})
    assert "resize_size: !unsafe '{{ 6 * 7 }}'" in text
    loaded = AnsibleLoader(text).get_single_data()
    assert loaded["awx_job_id"] == 7
    assert loaded["resize_size"] == "{{ 6 * 7 }}"
    assert "!unsafe" in text.split("list:")[1]


def test_inventory_keeps_hosts_and_vars_and_gives_the_credential_its_user_and_key(tmp_path):
    exported = {
        "_meta": {"hostvars": {"node1": {"ansible_host": "127.0.0.1", "ansible_port": 2201}}},
        "all": {"children": ["ungrouped", "ocfs2_nodes"],
                "vars": {"ansible_user": "root", "ansible_ssh_private_key_file": "/k/id",
                         "ansible_ssh_common_args": "-o IdentitiesOnly=yes", "lab_luns": []}},
        "ocfs2_nodes": {"hosts": ["node1"], "vars": {"cluster_name": "ocfs2lab"}},
    }
    inventory, credential = awx_job.awx_inventory(exported)
    assert credential == {"username": "root", "ssh_key_file": "/k/id"}
    assert inventory["all"]["vars"] == {"lab_luns": []}
    assert inventory["ocfs2_nodes"] == exported["ocfs2_nodes"]
    assert inventory["_meta"] == exported["_meta"]
    script = tmp_path / "hosts"
    script.write_text(awx_job.inventory_script(inventory))
    script.chmod(0o700)
    assert json.loads(subprocess.run([str(script)], check=True, capture_output=True,
                                     text=True).stdout) == inventory


def test_command_line_from_the_template_and_the_credential():
    assert awx_job.job_cmdline("root") == ["-u", "root"]
    assert awx_job.job_cmdline("root", check=True, diff=True, limit="node1", verbosity=2) == [
        "-u", "root", "--check", "--diff", "-l", "node1", "-vv"]


def test_environment_puts_the_job_collections_first_and_the_control_path_in_the_job():
    env = awx_job.job_envvars(42, "/tmp/awx_42_x", {"ANSIBLE_TIMEOUT": "120"})
    assert env["ANSIBLE_COLLECTIONS_PATH"].split(":")[0] == "/runner/requirements_collections"
    assert env["ANSIBLE_SSH_CONTROL_PATH_DIR"] == "/runner/cp"
    assert (env["JOB_ID"], env["AWX_PRIVATE_DATA_DIR"]) == ("42", "/tmp/awx_42_x")
    assert (env["ANSIBLE_HOST_KEY_CHECKING"], env["ANSIBLE_RETRY_FILES_ENABLED"]) == (
        "False", "False")
    assert env["ANSIBLE_TIMEOUT"] == "120"


def test_project_sync_installs_the_local_build_from_the_galaxy_tree(tmp_path, monkeypatch):
    """awx/project and its collection, as the project sync leaves them for a job: the
    requirements resolved by ansible-galaxy against the static v3 tree."""
    # The tool runs the ansible-galaxy its PATH names: this Python's.
    monkeypatch.setenv("PATH", os.path.dirname(ANSIBLE_GALAXY) + os.pathsep + os.environ["PATH"])
    private_data_dir, scratch = tmp_path / "job", tmp_path / "sync"
    scratch.mkdir()
    awx_job.project_sync(str(REPO / "awx" / "project"), str(private_data_dir), str(scratch))
    assert (private_data_dir / "project" / "resize.yml").is_file()
    installed = (private_data_dir / "requirements_collections" / "ansible_collections" / "ocfs2"
                 / "cluster")
    assert (installed / "playbooks" / "resize.yml").is_file()


def test_unknown_template_is_named_with_the_known_ones():
    with pytest.raises(awx_job.JobError) as error:
        awx_job.job_template("Grow it", str(REPO / "awx" / "job_templates.yml"))
    assert "Grow the OCFS2 filesystem" in str(error.value)


def test_the_repository_as_a_project_is_copied_as_git_has_it(tmp_path):
    destination = tmp_path / "project"
    awx_job.copy_project(str(REPO), str(destination))
    assert (destination / "awx" / "project" / "site.yml").is_file()
    assert os.readlink(destination / "collections" / "requirements.yml") == (
        "../awx/project/collections/requirements.yml")
    assert (destination / "collections" / "requirements.yml").is_file()
    for left_out in (".git", ".venv", ".build", ".lab"):
        assert not (destination / left_out).exists(), left_out
