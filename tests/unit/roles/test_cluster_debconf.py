"""The cluster role's debconf step (tasks/debconf.yml), run by ansible-playbook on this machine
with stand-ins for debconf-show (which prints tests' answers) and debconf-set-selections (which
keeps what it read): one read, and one write of every answer only when one differs, with
exactly the input it had when the answers were compared in Jinja."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"

STUBS = {
    "debconf-show": '#!/bin/sh\n[ "$*" = ocfs2-tools ] || exit 2\ncat "$STUB_DIR/shown"\n',
    "debconf-set-selections": '#!/bin/sh\n[ $# = 0 ] || exit 2\ncat >> "$STUB_DIR/set"\n',
}

PLAYBOOK = """
- name: Set the debconf answers as the cluster role does
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run the step
      ansible.builtin.include_role:
        name: ocfs2.cluster.cluster
        tasks_from: debconf.yml
"""

# What ocfs2-tools' debconf-show prints once the role set the answers for the defaults, and the
# cluster name ocfs2lab.
SHOWN = """\
* ocfs2-tools/init: true
  ocfs2-tools/clustername: ocfs2lab
  ocfs2-tools/heartbeat_threshold: 61
  ocfs2-tools/idle_timeout: 30000
  ocfs2-tools/keepalive_delay: 2000
  ocfs2-tools/reconnect_delay: 2000
"""

# Every answer, and the newline the command module adds to stdin.
SET = """\
ocfs2-tools ocfs2-tools/init boolean true
ocfs2-tools ocfs2-tools/clustername string ocfs2lab
ocfs2-tools ocfs2-tools/heartbeat_threshold string 61
ocfs2-tools ocfs2-tools/idle_timeout string 30000
ocfs2-tools ocfs2-tools/keepalive_delay string 2000
ocfs2-tools ocfs2-tools/reconnect_delay string 2000

"""

# The stand-ins come first in PATH, before a real debconf.
pytestmark = pytest.mark.skipif(not ANSIBLE_PLAYBOOK.exists(), reason="no ansible-playbook")


@pytest.fixture
def host(tmp_path):
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, text in STUBS.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    (tmp_path / "playbook.yml").write_text(PLAYBOOK)
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    return tmp_path


def run_step(host, shown, *arguments):
    (host / "shown").write_text(shown)
    environment = dict(
        os.environ, STUB_DIR=str(host), PATH="%s:%s" % (host / "stubs", os.environ["PATH"]),
        ANSIBLE_CONFIG=str(host / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCAL_TEMP=str(host / "tmp"),
        ANSIBLE_HOME=str(host / "ansible-home"))
    result = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(host / "playbook.yml"),
         "-e", "ansible_python_interpreter=%s" % sys.executable,
         "-e", "cluster_name=ocfs2lab"] + list(arguments),
        env=environment, cwd=str(host), capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(result.stdout[-3000:] + result.stderr[-3000:])
    tasks = dict((task["task"]["name"].split(" : ", 1)[-1], task["hosts"].get("localhost", {}))
                 for play in report["plays"] for task in play["tasks"])
    written = (host / "set").read_text() if (host / "set").exists() else None
    return result.returncode, tasks, written


def test_answers_as_wanted_write_nothing(host):
    rc, tasks, written = run_step(host, SHOWN)
    assert rc == 0, tasks
    assert tasks["Set the debconf answers of ocfs2-tools"].get("skipped"), tasks
    assert written is None


def test_a_fresh_package_gets_every_answer_in_one_write(host):
    # As debconf-show prints the questions of a package installed without the role's answers.
    fresh = SHOWN.replace("* ocfs2-tools/init: true", "  ocfs2-tools/init: false").replace(
        "clustername: ocfs2lab", "clustername: ocfs2")
    rc, tasks, written = run_step(host, fresh)
    assert rc == 0, tasks
    assert tasks["Set the debconf answers of ocfs2-tools"]["changed"], tasks
    assert written == SET


def test_one_differing_integer_answer_writes_every_answer(host):
    rc, tasks, written = run_step(host, SHOWN, "-e", "cluster_heartbeat_threshold=31")
    assert rc == 0, tasks
    assert written == SET.replace("heartbeat_threshold string 61", "heartbeat_threshold string 31")


def test_check_mode_reads_and_writes_nothing(host):
    rc, tasks, written = run_step(host, SHOWN.replace("2000", "4000"), "--check")
    assert rc == 0, tasks
    assert tasks["Set the debconf answers of ocfs2-tools"].get("skipped"), tasks
    assert written is None
