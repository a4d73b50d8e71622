"""playbooks/cloudpods.yml (and site.yml's Cloudpods step, status.yml) on the lab against the
real Cloudpods keystone and region, with tools/cloudpods-agent on each node as the host agent
(the real one needs KVM and Open vSwitch): see conftest.py. In file order; the last node joins
Cloudpods half-way, as a node added to the cluster would."""

import json
import re
import subprocess

import pytest
from cloudpods_api import Api
from conftest import REPO, ZONE, first_nodes, last_node, node_names
from labcheck import assert_nothing_changed, mounted_size, playbook_env, run_playbook

STORAGE = "ocfs2-lab"
OTHER = "ocfs2-lab-other"
MOUNT_POINT = "/srv/ocfs2"
VARIABLES = ["-e", "cloudpods_zone=%s" % ZONE, "-e", "cloudpods_storage_name=%s" % STORAGE,
             "-e", "cloudpods_attach_timeout=120"]
MIB = 1 << 20


@pytest.fixture(scope="module")
def api(cloudpods_env, agents):
    api = Api(cloudpods_env)
    # What an earlier run left in the control plane, which keeps its data: the last node joins
    # later.
    for name in (STORAGE, OTHER):
        if api.storage(name):
            run_module(cloudpods_env, "name=%s state=absent" % name)
    api.remove_host(last_node())
    return api


def cloudpods(env, *arguments):
    return run_playbook("cloudpods.yml", *(VARIABLES + list(arguments)), env=env)


def run_module(env, arguments, check=False):
    """The module alone, on the controller, as the role calls it."""
    result = subprocess.run(
        ["ansible", "localhost", "-m", "ocfs2.cluster.cloudpods_storage", "-a", arguments]
        + (["--check"] if check else []), cwd=str(REPO),
        env=dict(playbook_env(), **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    return result


def test_check_mode_plans_the_storage_and_changes_nothing(api, cloudpods_env):
    result = cloudpods(cloudpods_env, "--check", "--diff", "--limit", ",".join(first_nodes()))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "planned: create %s" % STORAGE in result.stdout, result.stdout[-3000:]
    for name in first_nodes():
        assert "planned: attach %s at %s" % (name, MOUNT_POINT) in result.stdout
    assert re.search(r"\+.*node1.*/srv/ocfs2", result.stdout), result.stdout[-3000:]
    assert api.storage(STORAGE) is None


def test_the_first_run_registers_the_filesystem_with_its_size(api, cloudpods_env, nodes):
    result = cloudpods(cloudpods_env, "--limit", ",".join(first_nodes()))
    assert result.returncode == 0, result.stdout[-3000:]
    assert api.attached(STORAGE) == dict.fromkeys(first_nodes(), MOUNT_POINT)
    # The agents' statvfs of the real OCFS2 mount, as the real agent reports it.
    assert api.storage(STORAGE)["capacity"] == mounted_size(nodes["node1"], MOUNT_POINT) // MIB
    assert cloudpods_env["OS_PASSWORD"] not in result.stdout


def test_a_second_run_changes_nothing(api, cloudpods_env):
    assert_nothing_changed(cloudpods(cloudpods_env, "--limit", ",".join(first_nodes())))


def test_a_host_unknown_to_cloudpods_stops_the_play_before_any_change(api, cloudpods_env):
    result = cloudpods(cloudpods_env)
    assert result.returncode != 0
    assert re.search(r"%s\b.*(not found|unknown|register)" % last_node(), result.stdout,
                     re.IGNORECASE), result.stdout[-3000:]
    assert api.attached(STORAGE) == dict.fromkeys(first_nodes(), MOUNT_POINT)


def test_a_host_added_to_cloudpods_is_attached_and_the_others_are_left_alone(
        api, cloudpods_env, agents):
    agents.register(last_node())
    agents.start(last_node())
    result = cloudpods(cloudpods_env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.findall(r"done: [^'\"\n]*", result.stdout) == [
        "done: attach %s at /srv/ocfs2" % last_node()]
    assert api.attached(STORAGE) == dict.fromkeys(node_names(), MOUNT_POINT)


def test_site_yml_ends_with_the_cloudpods_step_and_changes_nothing(api, cloudpods_env):
    result = run_playbook("site.yml", "--tags", "cloudpods", "-e", "cloudpods_enabled=true",
                          *VARIABLES, env=cloudpods_env)
    assert_nothing_changed(result)
    assert "TASK [ocfs2.cluster.cloudpods : Make the storage" in result.stdout


def test_a_wrong_password_stops_the_play_and_is_not_shown(api, cloudpods_env):
    result = cloudpods(cloudpods_env, "-e", "cloudpods_password=not-the-password")
    assert result.returncode != 0
    assert re.search(r"(?i)password|credential|401", result.stdout), result.stdout[-3000:]
    assert "not-the-password" not in result.stdout
    assert cloudpods_env["OS_PASSWORD"] not in result.stdout


def test_a_mount_point_another_storage_holds_is_refused(api, cloudpods_env):
    result = run_module(cloudpods_env, "name=%s zone=%s hosts=node1 mount_point=%s"
                        % (OTHER, ZONE, MOUNT_POINT))
    assert result.returncode != 0
    assert re.search(r"node1.*%s.*%s" % (re.escape(MOUNT_POINT), STORAGE), result.stdout), \
        result.stdout[-3000:]
    assert api.storage(OTHER) is None


def test_status_shows_the_storage_and_its_hosts(api, cloudpods_env):
    result = run_playbook("status.yml", "-e", "cloudpods_enabled=true", *VARIABLES,
                          env=cloudpods_env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"Cloudpods storage %s: online, \d+ MB, zone %s" % (STORAGE, ZONE),
                     result.stdout), result.stdout[-3000:]
    for name in node_names():
        assert "%s (online): %s" % (name, MOUNT_POINT) in result.stdout


def test_absent_detaches_every_host_and_deletes_the_storage_once(api, cloudpods_env):
    result = cloudpods(cloudpods_env, "-e", "cloudpods_state=absent")
    assert result.returncode == 0, result.stdout[-3000:]
    assert api.storage(STORAGE) is None
    assert_nothing_changed(cloudpods(cloudpods_env, "-e", "cloudpods_state=absent"))


def test_a_node_without_the_mount_is_refused_by_the_role_then_by_the_agent(
        api, cloudpods_env, nodes):
    node2 = nodes["node2"]
    node2.check_output("umount %s", MOUNT_POINT)
    try:
        result = cloudpods(cloudpods_env)
        assert result.returncode != 0
        assert "node2: nothing is mounted at %s" % MOUNT_POINT in result.stdout, \
            result.stdout[-3000:]
        assert api.storage(STORAGE) is None
        # Past the role's check, the region asks node2's agent, which runs `mountpoint`.
        direct = run_module(cloudpods_env, "name=%s zone=%s hosts=node2 mount_point=%s"
                            % (STORAGE, ZONE, MOUNT_POINT))
        assert direct.returncode != 0
        assert "is not mount point" in direct.stdout, direct.stdout[-3000:]
        assert "node2" in direct.stdout
        assert (api.attached(STORAGE) or {}).get("node2") is None
    finally:
        node2.check_output("mount %s", MOUNT_POINT)
        run_module(cloudpods_env, "name=%s state=absent" % STORAGE)
    assert json.loads(node2.check_output(
        "findmnt --json --mountpoint %s --output FSTYPE", MOUNT_POINT))["filesystems"][0][
        "fstype"] == "ocfs2"
