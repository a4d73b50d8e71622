"""The cluster role's debconf step (tasks/debconf.yml), run by ansible-playbook on this machine
with stand-ins for debconf-show (which prints tests' answers) and debconf-set-selections (which
keeps what it read): one read, and one write of every answer only when one differs, with
exactly the input it had when the answers were compared in Jinja."""

import pytest

from stand_ins import ANSIBLE_PLAYBOOK, make_host, run_playbook

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
    return make_host(tmp_path, STUBS, PLAYBOOK)


def run_step(host, shown, *arguments):
    (host / "shown").write_text(shown)
    rc, tasks = run_playbook(host, "-e", "cluster_name=ocfs2lab", *arguments)
    written = (host / "set").read_text() if (host / "set").exists() else None
    return rc, tasks, written


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
