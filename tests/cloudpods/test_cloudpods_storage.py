"""cloudpods_storage against a real Cloudpods keystone and region (tools/cloudpods), with
tools/cloudpods-agent as the host agent of each test host, on this machine's real mounts.

Run: python -m pytest tests/cloudpods (as root: the tests mount tmpfs filesystems). One
`tools/cloudpods up` per session; `down` at the end unless the services ran before. Every run
uses its own storage and host names, so a control plane that keeps running can be reused.
"""

import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from cloudpods_api import CLOUDPODS, Api, services_up

REPO = pathlib.Path(__file__).resolve().parents[2]
AGENT = REPO / "tools" / "cloudpods-agent"
ANSIBLE = pathlib.Path(sys.executable).parent / "ansible"
MODULE = "ocfs2.cluster.cloudpods_storage"
TMPFS_MB = 64
# The agents ping often, so that a grown filesystem's size shows up within the test.
PING_INTERVAL_S = 2
RUN = uuid.uuid4().hex[:6]


def report(config, message):
    # Timings go past pytest's capture, so that a plain run shows them.
    with config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        sys.stderr.write("\n[cloudpods] %s\n" % message)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- services

@pytest.fixture(scope="session")
def cloudpods(pytestconfig):
    """The control plane's OS_* environment; brings it up once, and down after if it did."""
    if os.geteuid() != 0:
        pytest.skip("the Cloudpods tests mount tmpfs filesystems: run them as root")
    was_running = subprocess.run([str(CLOUDPODS), "status"], capture_output=True,
                                 check=False).returncode == 0
    started = time.monotonic()
    env = services_up()
    report(pytestconfig, "tools/cloudpods up: %.1f s (%s)" % (time.monotonic() - started,
                                                "reused" if was_running else "started"))
    yield env
    if not was_running:
        started = time.monotonic()
        subprocess.run([str(CLOUDPODS), "down"], capture_output=True, check=True)
        report(pytestconfig, "tools/cloudpods down: %.1f s" % (time.monotonic() - started))


@pytest.fixture(scope="session")
def api(cloudpods):
    return Api(cloudpods)


ADDRESSES = iter(range(1, 255))


def add_host(name, agent_url, offline=False):
    # The region wants each host's access_ip unique: one loopback address per host and run.
    access_ip = "127.%d.%d.%d" % (int(RUN[:2], 16), int(RUN[2:4], 16), next(ADDRESSES))
    argv = [str(CLOUDPODS), "host", "add", name, "--agent-url", agent_url,
            "--access-ip", access_ip] + (["--offline"] if offline else [])
    subprocess.run(argv, capture_output=True, text=True, check=True)


@pytest.fixture(scope="session")
def workdir():
    path = pathlib.Path(tempfile.mkdtemp(prefix="cloudpods-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def hosts(cloudpods, workdir):
    """Hosts online in the region, each with its own agent on this machine:
    h1 and h2 answer as the real agent does, hfail's agent fails every attach."""
    names = {"h1": "t%s-h1" % RUN, "h2": "t%s-h2" % RUN, "hfail": "t%s-hfail" % RUN}
    processes = []
    try:
        for key, name in names.items():
            processes.append(start_agent(cloudpods, workdir, key, name))
        yield names
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def start_agent(cloudpods, workdir, key, name):
    port = free_port()
    add_host(name, "http://127.0.0.1:%d" % port)
    argv = [sys.executable, str(AGENT), "--host", name, "--port", str(port),
            "--ping-interval", str(PING_INTERVAL_S)]
    if key == "hfail":
        argv += ["--fail-attach", "the test agent refuses every attach"]
    log_path = workdir / ("agent-%s.log" % key)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, env=dict(os.environ, **cloudpods), stdout=log,
                                   stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while not port_listens(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail("the agent of %s did not listen: %s" % (name, log_path.read_text()))
        time.sleep(0.1)
    return process


def port_listens(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def mounts(workdir):
    """Real mount points of this machine: tmpfs (shared enough for the agent's checks), a
    plain directory that is no mount point, and / (ext4 or another local filesystem)."""
    paths = {"a": workdir / "mnt-a", "b": workdir / "mnt-b", "c": workdir / "mnt-c",
             "plain": workdir / "plain"}
    mounted = []
    for key, path in paths.items():
        path.mkdir()
        if key != "plain":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % TMPFS_MB,
                            "cloudpods-test", str(path)], check=True)
            mounted.append(path)
    yield dict((key, str(path)) for key, path in paths.items())
    for path in mounted:
        subprocess.run(["umount", str(path)], check=False)


# ---------------------------------------------------------------- the module

def run_module(cloudpods, workdir, args, check=False, diff=False, env=None):
    """One ad-hoc run of the module on localhost; its result and the whole output."""
    collections = workdir / "collections" / "ansible_collections" / "ocfs2"
    if not collections.exists():
        collections.mkdir(parents=True)
        (collections / "cluster").symlink_to(REPO)
    run_env = dict(os.environ, **(cloudpods if env is None else env))
    run_env.update({"ANSIBLE_COLLECTIONS_PATH": str(workdir / "collections"),
                    "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
                    "ANSIBLE_HOST_KEY_CHECKING": "false", "ANSIBLE_NOCOLOR": "1"})
    argv = [str(ANSIBLE), "localhost", "-i", "localhost,", "-c", "local",
            "-e", "ansible_python_interpreter=%s" % sys.executable,
            "-m", MODULE, "-a", json.dumps(args)]
    argv += (["--check"] if check else []) + (["--diff"] if diff else [])
    completed = subprocess.run(argv, cwd=str(workdir), env=run_env, capture_output=True,
                               text=True, check=False)
    result = json.loads(completed.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result, completed.stdout + completed.stderr


@pytest.fixture(scope="session")
def module(cloudpods, workdir):
    def run(args, **kwargs):
        return run_module(cloudpods, workdir, args, **kwargs)[0]
    return run


STORAGE = "t%s-vmstore" % RUN


def present(hosts, mounts, host_keys=("h1",), mount="a", name=STORAGE, **extra):
    args = {"name": name, "zone": "zone0", "hosts": [hosts[key] for key in host_keys],
            "mount_point": mounts[mount]}
    args.update(extra)
    return args


# ---------------------------------------------------------------- the scenario, in order

def test_first_run_creates_the_storage_and_the_agent_reports_its_capacity(
        module, api, hosts, mounts):
    result = module(present(hosts, mounts), diff=True)
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    assert [step["action"] for step in result["actions"]] == ["create", "attach"]
    assert result["storage"]["capacity"] == TMPFS_MB
    assert result["storage"]["zone"] == "zone0"
    assert result["storage"]["medium_type"] == "ssd"
    assert result["hosts"] == [{"name": hosts["h1"], "id": result["hosts"][0]["id"],
                                "mount_point": mounts["a"], "status": "online"}]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["hosts"] == {hosts["h1"]: mounts["a"]}
    assert api.storage(STORAGE)["capacity"] == TMPFS_MB
    assert api.mount_point(hosts["h1"], STORAGE) == mounts["a"]


def test_run_again_changes_nothing(module, hosts, mounts):
    result = module(present(hosts, mounts), diff=True)
    assert (result["changed"], result["actions"]) == (False, [])
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_plans_a_new_storage_and_writes_nothing(module, api, hosts, mounts):
    name = "t%s-checked" % RUN
    result = module(present(hosts, mounts, mount="b", name=name), check=True, diff=True)
    assert result["changed"] is True
    assert [step["action"] for step in result["actions"]] == ["create", "attach"]
    assert result["storage"]["id"] is None
    assert result["diff"]["after"]["hosts"] == {hosts["h1"]: mounts["b"]}
    assert api.storage(name) is None


def test_check_mode_plans_a_second_host_and_writes_nothing(module, api, hosts, mounts):
    result = module(present(hosts, mounts, host_keys=("h1", "h2")), check=True)
    assert result["changed"] is True
    assert result["actions"] == [{"action": "attach", "host": hosts["h2"],
                                  "host_id": result["actions"][0]["host_id"],
                                  "mount_point": mounts["a"]}]
    assert api.mount_point(hosts["h2"], STORAGE) is None


def test_second_host_attached_later(module, api, hosts, mounts):
    result = module(present(hosts, mounts, host_keys=("h1", "h2")), diff=True)
    assert result["changed"] is True
    assert [(step["action"], step["host"]) for step in result["actions"]] == [
        ("attach", hosts["h2"])]
    assert sorted(host["name"] for host in result["hosts"]) == sorted([hosts["h1"],
                                                                       hosts["h2"]])
    assert result["diff"]["before"]["hosts"] == {hosts["h1"]: mounts["a"]}
    assert api.mount_point(hosts["h2"], STORAGE) == mounts["a"]


def test_medium_type_of_the_existing_storage_is_updated(module, api, hosts, mounts):
    result = module(present(hosts, mounts, host_keys=("h1", "h2"), medium_type="hybrid"),
                    diff=True)
    assert result["actions"] == [{"action": "update", "storage": STORAGE,
                                  "changes": {"medium_type": "hybrid"}}]
    assert (result["diff"]["before"]["medium_type"], result["diff"]["after"]["medium_type"]) \
        == ("ssd", "hybrid")
    assert result["storage"]["medium_type"] == api.storage(STORAGE)["medium_type"] == "hybrid"


def test_a_grown_filesystem_reaches_the_region_through_the_agents_ping(api, mounts):
    grown_mb = TMPFS_MB + 32
    subprocess.run(["mount", "-o", "remount,size=%dm" % grown_mb, mounts["a"]], check=True)
    deadline = time.monotonic() + 5 * PING_INTERVAL_S
    while api.storage(STORAGE)["capacity"] != grown_mb:
        assert time.monotonic() < deadline, "the pings did not report the grown size"
        time.sleep(0.2)


def test_wrong_password_is_refused_and_never_shown(cloudpods, workdir, hosts, mounts):
    wrong = "not-the-password-%s" % RUN
    result, output = run_module(cloudpods, workdir, present(hosts, mounts, password=wrong))
    assert result["failed"] is True
    assert "refused the password of user sysadmin (domain Default)" in result["msg"]
    assert result["error_class"] == "WrongPassword"
    assert wrong not in output
    assert cloudpods["OS_PASSWORD"] not in output


def test_password_from_the_environment_never_shown(cloudpods, workdir, hosts, mounts):
    _, output = run_module(cloudpods, workdir, present(hosts, mounts), diff=True)
    assert cloudpods["OS_PASSWORD"] not in output


def test_unknown_zone(module, hosts, mounts):
    result = module(present(hosts, mounts, name="t%s-nozone" % RUN, zone="zone-%s" % RUN))
    assert result["failed"] is True
    assert result["msg"].startswith("zone zone-%s not found in the Cloudpods region" % RUN)


def test_unknown_host(module, api, mounts):
    name = "t%s-nohost" % RUN
    result = module({"name": name, "zone": "zone0", "hosts": ["nohost-%s" % RUN],
                     "mount_point": mounts["c"]})
    assert result["failed"] is True
    assert "host nohost-%s not found in the Cloudpods region" % RUN in result["msg"]
    assert api.storage(name) is None


def test_offline_host_is_refused_before_any_change(module, api, mounts):
    offline = "t%s-offline" % RUN
    add_host(offline, "http://127.0.0.1:%d" % free_port(), offline=True)
    name = "t%s-offline-store" % RUN
    result = module({"name": name, "zone": "zone0", "hosts": [offline],
                     "mount_point": mounts["c"]})
    assert result["failed"] is True
    assert "host %s is offline in Cloudpods" % offline in result["msg"]
    assert api.storage(name) is None


def test_a_directory_that_is_no_mount_point_is_refused_by_the_agent(module, api, hosts,
                                                                      mounts):
    name = "t%s-plain" % RUN
    result = module(present(hosts, mounts, mount="plain", name=name))
    assert result["failed"] is True
    assert "Cloudpods could not attach storage %s to host %s at %s: %s is not mount point" % (
        name, hosts["h1"], mounts["plain"], mounts["plain"]) in result["msg"]
    assert "Nothing is mounted at %s on host %s" % (mounts["plain"], hosts["h1"]) \
        in result["msg"]
    assert result["status"] == 400
    assert [step["action"] for step in result["done_actions"]] == ["create"]
    assert api.mount_point(hosts["h1"], name) is None


def test_a_local_filesystem_is_refused_by_the_agent(module, api, hosts):
    name = "t%s-plain" % RUN
    result = module({"name": name, "zone": "zone0", "hosts": [hosts["h1"]],
                     "mount_point": "/"})
    assert result["failed"] is True
    assert "/ is local storage mount point" in result["msg"]
    assert api.mount_point(hosts["h1"], name) is None


def test_a_mount_point_of_another_storage_is_refused(module, hosts, mounts):
    result = module(present(hosts, mounts, name="t%s-plain" % RUN))
    assert result["failed"] is True
    assert "host %s already has mount point %s for storage %s" % (
        hosts["h1"], mounts["a"], STORAGE) in result["msg"]


def test_an_agent_that_fails_the_attach_is_reported_and_the_link_is_gone(module, api, hosts,
                                                                         mounts):
    name = "t%s-plain" % RUN
    result = module(present(hosts, mounts, host_keys=("hfail",), mount="c", name=name))
    assert result["failed"] is True
    assert "but the host agent's attach failed: the test agent refuses every attach" \
        in result["msg"]
    assert api.mount_point(hosts["hfail"], name) is None


def test_another_mount_point_needs_update_mount_point(module, api, hosts, mounts):
    result = module(present(hosts, mounts, host_keys=("h1", "h2"), mount="b"))
    assert result["failed"] is True
    assert "storage %s is attached to host %s at %s, not at %s. Set update_mount_point: " \
        "true" % (STORAGE, hosts["h1"], mounts["a"], mounts["b"]) in result["msg"]
    assert api.mount_point(hosts["h1"], STORAGE) == mounts["a"]


def test_update_mount_point_moves_every_host(module, api, hosts, mounts):
    args = present(hosts, mounts, host_keys=("h1", "h2"), mount="b", update_mount_point=True)
    result = module(args, diff=True)
    assert result["changed"] is True
    assert [(step["action"], step["host"]) for step in result["actions"]] == sorted([
        ("update_mount_point", hosts["h1"]), ("update_mount_point", hosts["h2"])])
    assert result["diff"]["after"]["hosts"] == {hosts["h1"]: mounts["b"],
                                                hosts["h2"]: mounts["b"]}
    assert api.mount_point(hosts["h1"], STORAGE) == api.mount_point(hosts["h2"], STORAGE) \
        == mounts["b"]
    assert module(args)["changed"] is False


def test_absent_detaches_every_host_then_deletes(module, api, hosts):
    args = {"name": STORAGE, "state": "absent"}
    result = module(args, diff=True)
    assert result["changed"] is True
    assert [step["action"] for step in result["actions"]] == ["detach", "detach", "delete"]
    assert (result["storage"], result["hosts"], result["diff"]["after"]) == (None, [], {})
    assert api.storage(STORAGE) is None
    assert api.mount_point(hosts["h1"], STORAGE) is None
    assert module(args)["changed"] is False


def test_absent_cleans_up_what_the_failed_runs_created(module, api):
    for name in ("t%s-plain" % RUN,):
        module({"name": name, "state": "absent"})
        assert api.storage(name) is None


def test_unreachable_api_names_its_url(cloudpods, module, hosts, mounts):
    port = free_port()
    result = module(present(hosts, mounts, auth_url="http://127.0.0.1:%d/v3" % port))
    assert result["failed"] is True
    assert result["msg"].startswith(
        "the Cloudpods API at http://127.0.0.1:%d/v3/auth/tokens is unreachable" % port)
    assert result["url"] == "http://127.0.0.1:%d/v3/auth/tokens" % port
