"""Helpers for the Molecule verifiers: the lab as tools/lab describes it, and what a node sees."""

import json
import os
import pathlib
import subprocess
import time

import testinfra

LAB_TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "lab"


def lab_status():
    result = subprocess.run([str(LAB_TOOL), "status", "--json"], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def run_lab(*arguments):
    return subprocess.run([str(LAB_TOOL)] + list(arguments), check=True,
                          capture_output=True, text=True).stdout


def multipath_map(host, wwid):
    """The multipath map of one WWID as `multipathd show maps json` prints it."""
    maps = json.loads(host.check_output("multipathd show maps json"))["maps"]
    matching = [entry for entry in maps if entry["uuid"] == wwid]
    assert len(matching) == 1, "expected one map for WWID %s, found %d: %s" % (
        wwid, len(matching), [entry["name"] for entry in maps])
    return matching[0]


def map_paths(multipath):
    return [path for group in multipath["path_groups"] for path in group["paths"]]


def block_size_bytes(host, device):
    return int(host.check_output("blockdev --getsize64 %s", device))


def lab_hosts():
    """Every node of the lab as a testinfra host, by name, through the inventory the lab
    writes (the one users run site.yml with)."""
    inventory = lab_status()["inventory"]
    hosts = testinfra.get_hosts(["ansible://ocfs2_nodes"], ansible_inventory=inventory)
    return dict((host.backend.get_hostname(), host) for host in hosts)


def wait_for_ssh(node, old_boot_id, timeout):
    """Wait until `node` answers SSH from a boot other than `old_boot_id`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            result = subprocess.run(
                [str(LAB_TOOL), "ssh", node, "cat /proc/sys/kernel/random/boot_id"],
                capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            continue
        if result.returncode == 0 and result.stdout.strip() and result.stdout != old_boot_id:
            return
        time.sleep(5)
    raise AssertionError("%s did not come back within %d s of the reboot" % (node, timeout))


REPO = LAB_TOOL.parent.parent


def run_site(*arguments):
    """ansible-playbook playbooks/site.yml on the lab's own inventory, as the README runs it;
    the CompletedProcess, output merged."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "MOLECULE_")))
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_FORCE_COLOR="false",
               ANSIBLE_NOCOLOR="true")
    return subprocess.run(["ansible-playbook", "playbooks/site.yml"] + list(arguments),
                          cwd=str(REPO), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
