"""site.yml's first plays check every step's variables on the controller, before any host is
contacted (issue 11, item 15). The inventory's hosts point at a closed local port: a check
that let the play go on shows up as the fact gathering's UNREACHABLE."""

import os
import pathlib
import subprocess
import sys

import pytest
from conftest import REPO

PLAYBOOK = REPO / "playbooks" / "site.yml"
INVENTORY = """\
ocfs2_nodes:
  hosts:
    node1: {}
    node2: {}
    node3: {}
  vars:
    ansible_connection: ssh
    ansible_host: 127.0.0.1
    ansible_port: 1
    cluster_name: ocfs2lab
    filesystem_device: /dev/disk/by-id/dm-uuid-mpath-36488eec10000000000000000000000001
"""


def run_site(tmp_path, *arguments):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(INVENTORY)
    environment = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                       ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="1",
                       ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    return subprocess.run([str(playbook), "-i", str(inventory), str(PLAYBOOK)] + list(arguments),
                          capture_output=True, text=True, env=environment, cwd=str(REPO),
                          timeout=300)


@pytest.mark.parametrize("arguments, message", [
    (["-e", "filesystem_mount_point=relative/path"],
     "node1: filesystem_mount_point 'relative/path' is not an absolute path. Set an absolute "
     "path, such as /srv/ocfs2."),
    (["-e", "filesystem_node_slots=300"],
     "filesystem_node_slots is 300, out of range: OCFS2 has 1 to 255 node slots"),
    (["-e", "cluster_heartbeat_threshold=-5"],
     "node1, node2, node3: cluster_heartbeat_threshold is -5, out of range: o2cb takes 7"),
    (["-e", "cluster_keepalive_delay_ms=30000"],
     "cluster_keepalive_delay_ms (30000) is not below cluster_idle_timeout_ms (30000)"),
    (["-e", "cluster_name=ocfs2-cluster-of-the-lab"],
     "node1, node2, node3: cluster name 'ocfs2-cluster-of-the-lab' is invalid: o2cb takes 1 to "
     "16 alphanumeric characters (A-Z, a-z, 0-9; no '-', '_' or '.'). Choose another "
     "cluster_name."),
    (["-e", "filesystem_partitioned=maybe"],
     "argument 'filesystem_partitioned' is of type str and we were unable to convert to bool"),
    (["-e", "cloudpods_enabled=true"],
     "cloudpods_zone is not set. Set the Cloudpods zone (name or id) of the hosts"),
    (["-e", "cloudpods_enabled=true", "-e", "cloudpods_zone=zone0",
      "-e", "cloudpods_medium_type=tape"],
     "value of cloudpods_medium_type must be one of: rotate, ssd, hybrid, got: tape"),
], ids=["relative-mount-point", "node-slots-300", "negative-threshold",
        "keepalive-not-below-idle", "invalid-cluster-name", "not-a-bool",
        "cloudpods-without-zone", "cloudpods-medium"])
def test_a_wrong_variable_stops_site_before_any_host_is_contacted(tmp_path, arguments, message):
    result = run_site(tmp_path, *arguments)
    assert result.returncode != 0
    # The ERROR line of the failed task carries the message as written.
    assert " ".join(message.split()) in " ".join(result.stdout.split()), result.stdout[-3000:]
    assert "UNREACHABLE" not in result.stdout, result.stdout[-3000:]
    assert "Gathering Facts" not in result.stdout


def test_the_defaults_pass_the_checks_and_the_first_contact_is_the_preflight(tmp_path):
    result = run_site(tmp_path)
    assert "PLAY [Check every step's variables before any change]" in result.stdout
    before_contact = result.stdout.split("TASK [Gathering Facts]")[0]
    assert "FAILED" not in before_contact, before_contact[-3000:]
    assert "UNREACHABLE" in result.stdout
