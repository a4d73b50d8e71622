"""playbooks/status.yml with one host that does not answer (issue 11, item 13): it is named,
and the others keep their own values. node1 and node3 are this machine (both steps of
status.yml only read: o2cb_info and findmnt); node2 points at a closed local port."""

import os
import pathlib
import sys

import subprocess
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
"""


def test_a_silent_host_is_named_and_shifts_nothing(tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(INVENTORY % sys.executable)
    environment = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    result = subprocess.run([str(playbook), "-i", str(inventory),
                             str(REPO / "playbooks" / "status.yml")],
                            capture_output=True, text=True, env=environment, cwd=str(REPO),
                            timeout=300)
    output = " ".join(result.stdout.split())
    assert "cluster unittestcluster: online on 0 of 3 nodes (none)" in output, result.stdout
    assert "no answer from node2: its state is unknown" in output, result.stdout
