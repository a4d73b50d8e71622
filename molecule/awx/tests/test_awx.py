"""The collection run from AWX, reproduced: every job launched from its job template by
tools/awx-job, which builds the private data directory as AWX does (project synced from a Galaxy
server, the inventory script, survey answers as !unsafe extra vars, the template's options in
env/cmdline, AWX's environment) and runs ansible-runner transmit | worker | process with the
worker at /runner. AWX itself cannot run here (README, "Run it from AWX").

In file order, on site.yml's cluster (the side effect): the build job, which changes nothing;
the build job with a label as survey answer, which reaches the filesystem step; the status job,
with this repository as the project; bad build answers; the LUN grown by the SAN; the plan job
(check mode); bad grow answers, Jinja among them; the plan job limited to one node; the grow
job. Every bad answer stops the job before any change with a message naming the variable."""

import glob
import json
import os
import pathlib
import re
import subprocess

import pytest
from labcheck import (FAST, GIB, MITOGEN_CONNECT_TIMEOUT, REPO, STRATEGY_PLUGINS,
                      block_size_bytes, grow_lun, map_path, mounted_size)

MOUNT_POINT = "/srv/ocfs2"
LABEL = "awxlab"
# The jobs prove their inputs and outcome, not their timing: Mitogen's strategy, given as AWX's
# job settings give extra environment variables (AWX_TASK_ENV).
JOB_ENV = ["ANSIBLE_STRATEGY=" + FAST, "ANSIBLE_STRATEGY_PLUGINS=%s" % STRATEGY_PLUGINS,
           "ANSIBLE_TIMEOUT=" + MITOGEN_CONNECT_TIMEOUT]
# Where the roles and playbooks come from: the collection the project sync installed in the job.
COLLECTION = "/runner/requirements_collections/ansible_collections/ocfs2/cluster/"
# A Jinja expression that leaves a trace on the controller if anything ever evaluates it.
JINJA_TRACE = "/tmp/awx-jinja"
JINJA_ANSWER = "{{ lookup('pipe', 'touch %s') }}" % JINJA_TRACE


class Job:
    """A job's outcome as AWX sees it: the runner's status and the events it streamed."""

    def __init__(self, result):
        self.output = result.stdout
        self.returncode = result.returncode
        found = re.search(r"^awx-job: job (\d+) (\w+) \(rc \S+\); private data dir (\S+)$",
                          self.output, re.MULTILINE)
        assert found, self.output[-3000:]
        ident, self.status, self.private_data_dir = found.groups()
        self.events = sorted(
            (json.loads(pathlib.Path(path).read_text()) for path in glob.glob(
                os.path.join(self.private_data_dir, "artifacts", ident, "job_events", "*.json"))),
            key=lambda event: event["counter"])

    def stats(self):
        """playbook_on_stats: {"changed": {host: n}, "failures": {...}, "ok": {...}, ...}."""
        found = [event["event_data"] for event in self.events
                 if event["event"] == "playbook_on_stats"]
        assert found, self.output[-3000:]
        return found[-1]

    def changed(self):
        return dict((host, count) for host, count in self.stats()["changed"].items() if count)

    def failure_messages(self):
        return [event["event_data"]["res"].get("msg", "") for event in self.events
                if event["event"] == "runner_on_failed"]

    def task_paths(self):
        return set(event["event_data"]["task_path"].rsplit(":", 1)[0] for event in self.events
                   if event["event"] == "playbook_on_task_start"
                   and event["event_data"].get("task_path"))


@pytest.fixture(scope="module")
def launch(tmp_path_factory):
    """Launch a job template with survey answers and launch options; its Job."""
    workdir = tmp_path_factory.mktemp("awx-jobs")

    def launch_job(template, *answers, options=()):
        result = subprocess.run(
            ["tools/awx-job", template, "--workdir", str(workdir)] + list(options)
            + ["--answer=" + answer for answer in answers] + ["--env=" + item for item in JOB_ENV],
            cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return Job(result)
    return launch_job


def sizes(nodes, lab):
    """Each node's multipath map and mounted filesystem (None when not mounted), in bytes."""
    return dict((name, (block_size_bytes(node, map_path(lab)), mounted_size(node, MOUNT_POINT)))
                for name, node in nodes.items())


def mounts(nodes):
    """Each node's OCFS2 mounts and fstab lines."""
    return dict((name, (node.check_output("findmnt --noheadings --types ocfs2 --output "
                                          "SOURCE,TARGET,UUID,LABEL || true"),
                        node.check_output("grep -w ocfs2 /etc/fstab || true")))
                for name, node in nodes.items())


@pytest.fixture(scope="module")
def grown_by_the_san():
    """The LUN 1 GiB larger on the storage side (every path of every node), once."""
    return grow_lun()


def test_build_job_on_the_built_cluster_changes_nothing(launch, nodes):
    # As a scheduled build job runs: on the cluster site.yml built (the side effect), it finds
    # every step done.
    before = mounts(nodes)
    job = launch("Build the OCFS2 cluster")
    assert (job.returncode, job.status) == (0, "successful"), job.output[-5000:]
    assert job.changed() == {}, job.changed()
    # The roles ran from the collection project sync installed in the job, at /runner.
    paths = job.task_paths()
    assert paths and all(path.startswith(COLLECTION) for path in paths), sorted(paths)
    assert mounts(nodes) == before


def test_build_job_takes_the_survey_answer_to_the_filesystem_step(launch, nodes):
    # The answer reaches the filesystem module, which will not relabel a mounted filesystem:
    # the job stops there, naming the answer, and nothing changed.
    before = mounts(nodes)
    job = launch("Build the OCFS2 cluster", "filesystem_label=" + LABEL)
    assert (job.returncode, job.status) == (1, "failed"), job.output[-5000:]
    assert any("-> '%s' needs the filesystem" % LABEL in text
               for text in job.failure_messages()), job.failure_messages()
    assert job.changed() == {}, job.changed()
    assert mounts(nodes) == before


def test_status_job_from_this_repository_as_the_project(launch, nodes):
    # The other layout: the AWX project is this repository, the playbooks in awx/project/.
    job = launch("OCFS2 cluster status", options=["--project", str(REPO),
                                                  "--playbook-dir", "awx/project/"])
    assert (job.returncode, job.status) == (0, "successful"), job.output[-5000:]
    assert job.task_paths() and all(path.startswith(COLLECTION) for path in job.task_paths())
    assert job.changed() == {}, job.changed()
    assert "online on %d of %d nodes (%s)" % (len(nodes), len(nodes), ", ".join(sorted(nodes))) \
        in job.output, job.output[-3000:]


@pytest.mark.parametrize("answer, message", [
    ("filesystem_mount_point={{ '/srv/' + 'vm' }}",
     "filesystem_mount_point \"{{ '/srv/' + 'vm' }}\" is not an absolute path"),
    # One slot is too few for any cluster of the lab (two nodes or more).
    ("filesystem_node_slots=1", "filesystem_node_slots is 1, and ocfs2_nodes has "),
], ids=["jinja-mount-point", "too-few-slots"])
def test_bad_survey_answer_stops_the_build_before_any_change(launch, nodes, answer, message):
    before = mounts(nodes)
    job = launch("Build the OCFS2 cluster", answer)
    assert (job.returncode, job.status) == (1, "failed"), job.output[-5000:]
    assert any(message in text for text in job.failure_messages()), job.failure_messages()
    assert job.changed() == {}, job.changed()
    assert mounts(nodes) == before


def test_plan_job_shows_the_grow_and_changes_nothing(launch, nodes, lab, grown_by_the_san):
    before = sizes(nodes, lab)
    job = launch("Plan the OCFS2 filesystem grow", "resize_size=%d" % grown_by_the_san)
    assert (job.returncode, job.status) == (0, "successful"), job.output[-5000:]
    assert "every path of every node reports %.2f GiB" % (grown_by_the_san / GIB) in job.output, (
        job.output[-5000:])
    assert "--check" in pathlib.Path(job.private_data_dir, "env", "cmdline").read_text()
    assert sizes(nodes, lab) == before


@pytest.mark.parametrize("answer, message", [
    ("resize_size=12 parsecs", "resize_size '12 parsecs' is not a size"),
    # AWX tags every survey string !unsafe: the expression reaches the check as text.
    ("resize_filesystem_label=" + JINJA_ANSWER,
     "not resize_filesystem_label " + JINJA_ANSWER),
], ids=["not-a-size", "jinja"])
def test_bad_survey_answer_stops_the_grow_before_any_change(launch, nodes, lab,
                                                          grown_by_the_san, answer, message):
    before = sizes(nodes, lab)
    job = launch("Grow the OCFS2 filesystem", answer)
    assert (job.returncode, job.status) == (1, "failed"), job.output[-5000:]
    assert any(message in text for text in job.failure_messages()), job.failure_messages()
    assert job.changed() == {}, job.changed()
    assert sizes(nodes, lab) == before
    assert not os.path.exists(JINJA_TRACE)
    extravars = pathlib.Path(job.private_data_dir, "env", "extravars").read_text()
    assert re.search(r"^resize_\w+: !unsafe ", extravars, re.MULTILINE), extravars


def test_limit_stops_the_plan_job(launch, grown_by_the_san):
    # A template that prompts for a limit: resize.yml must run on every node that mounts.
    job = launch("Plan the OCFS2 filesystem grow", options=["--limit", "node1"])
    assert (job.returncode, job.status) == (1, "failed"), job.output[-5000:]
    assert any("Do not --limit resize.yml" in text for text in job.failure_messages()), (
        job.failure_messages())


def test_grow_job_grows_every_node_online(launch, nodes, lab, grown_by_the_san):
    job = launch("Grow the OCFS2 filesystem", "resize_size=%d" % grown_by_the_san)
    assert (job.returncode, job.status) == (0, "successful"), job.output[-5000:]
    seen = sizes(nodes, lab)
    for name, (map_size, filesystem_size) in seen.items():
        assert map_size == grown_by_the_san, seen
        assert grown_by_the_san - (2 << 20) <= filesystem_size, seen
    assert len(set(filesystem for _, filesystem in seen.values())) == 1, seen
