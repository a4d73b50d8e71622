"""Unit tests import the collection as ansible_collections.ocfs2.cluster, through the link
that `make venv` puts in .build/collections."""

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
if not (COLLECTIONS / "ansible_collections" / "ocfs2" / "cluster").exists():
    raise RuntimeError("%s is missing: run `make venv` (or `make unit`) first" % COLLECTIONS)
sys.path.insert(0, str(COLLECTIONS))

FIXTURES = REPO / "tests" / "unit" / "fixtures"


def read_fixture(relative_path):
    """A captured tool output without its leading '# command' lines."""
    lines = (FIXTURES / relative_path).read_text().splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


# Three nodes for playbooks run on this machine: node1 and node3 are this machine, node2
# points at a closed local port (a host that does not answer).
THREE_NODES = """\
ocfs2_nodes:
  hosts:
    node1: {ansible_connection: local}
    node2: {ansible_connection: ssh, ansible_host: 127.0.0.1, ansible_port: 1}
    node3: {ansible_connection: local}
  vars:
    ansible_python_interpreter: %s
    cluster_name: unittestcluster
    filesystem_device: /dev/disk/by-id/dm-uuid-mpath-36488eec10000000000000000000000001
"""


def run_on_three_nodes(tmp_path, playbook, *options, **settings):
    """ansible-playbook playbooks/PLAYBOOK on THREE_NODES (plus settings["variables"], YAML
    lines of the group's vars), from settings["cwd"] (tmp_path by default); the
    CompletedProcess."""
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(THREE_NODES % sys.executable + settings.get("variables", ""))
    cwd = settings.get("cwd", tmp_path)
    environment = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                       ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
                       PWD=str(cwd))
    ansible_playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    return subprocess.run([str(ansible_playbook), "-i", str(inventory),
                           str(REPO / "playbooks" / playbook)] + list(options),
                          capture_output=True, text=True, env=environment, cwd=str(cwd),
                          timeout=300)
