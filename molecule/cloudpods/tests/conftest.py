"""The real Cloudpods keystone and region on this machine (tools/cloudpods), and a host agent on
each lab node (tools/cloudpods-agent) that they reach through SSH port forwards: the guests
have no route to the host, so the region calls the agent on a local forward and the agent
calls keystone and the region on remote forwards of its node's SSH connection."""

import functools
import pathlib
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from labcheck import LAB_TOOL, lab_status

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "cloudpods"))
from cloudpods_api import CLOUDPODS, services_up  # noqa: E402

AGENT = REPO / "tools" / "cloudpods-agent"
AGENT_PORT = 8885            # on each node
AGENT_BASE_PORT = 18885      # on this machine: node N's agent at AGENT_BASE_PORT + N
ZONE = "zone0"


@pytest.fixture(scope="session")
def cloudpods_env():
    """The OS_* environment of the running control plane; up for the session, down after."""
    yield services_up("--zone", ZONE)
    subprocess.run([str(CLOUDPODS), "down"], check=True, capture_output=True)


def port_of(url):
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


class Agents(object):
    """tools/cloudpods-agent on lab nodes, each as a transient systemd unit, with the SSH
    connection that carries its forwards."""

    def __init__(self, env):
        self.env = env
        self.lab = lab_status()
        self.forwards = {}

    def node(self, name):
        return [node for node in self.lab["nodes"] if node["name"] == name][0]

    @staticmethod
    def ssh(name, *arguments):
        """`tools/lab ssh NAME ARGUMENTS`: a command there, or (OpenSSH reads options after
        the destination too) ssh options such as forwards."""
        return [str(LAB_TOOL), "ssh", name] + list(arguments)

    def agent_url(self, name):
        return "http://127.0.0.1:%d" % (AGENT_BASE_PORT + self.node(name)["index"])

    def register(self, name):
        """The node as a hypervisor host of the zone, online, its agent at its forward."""
        subprocess.run([str(CLOUDPODS), "host", "add", name, "--agent-url",
                        self.agent_url(name), "--access-ip", self.node(name)["cluster_ip"],
                        "--zone", ZONE], check=True, capture_output=True, text=True)

    def start(self, name):
        node = self.node(name)
        keystone = port_of(self.env["OS_AUTH_URL"])
        region = port_of(self.env["CLOUDPODS_REGION_URL"])
        self.forwards[name] = subprocess.Popen(self.ssh(
            name, "-N", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=15",
            "-L", "127.0.0.1:%d:127.0.0.1:%d" % (AGENT_BASE_PORT + node["index"], AGENT_PORT),
            "-R", "127.0.0.1:%d:127.0.0.1:%d" % (keystone, keystone),
            "-R", "127.0.0.1:%d:127.0.0.1:%d" % (region, region)),
            stdin=subprocess.DEVNULL)
        subprocess.run(self.ssh(name, "cat > /usr/local/sbin/cloudpods-agent"),
                       input=AGENT.read_bytes(), check=True)
        credentials = ["--setenv=%s=%s" % (key, self.env[key]) for key in (
            "OS_USERNAME", "OS_PASSWORD", "OS_DOMAIN_NAME", "OS_PROJECT_NAME",
            "OS_PROJECT_DOMAIN_NAME")]
        # A unit left by an interrupted run would make systemd-run refuse the name.
        command = "systemctl stop cloudpods-agent 2>/dev/null; " + shlex.join(
            ["systemd-run", "--unit=cloudpods-agent", "--collect"] + credentials + [
                "python3", "/usr/local/sbin/cloudpods-agent", "--host", name,
                "--port", str(AGENT_PORT), "--auth-url", self.env["OS_AUTH_URL"],
                "--region-url", self.env["CLOUDPODS_REGION_URL"], "--ping-interval", "10"])
        subprocess.run(self.ssh(name, command), check=True, capture_output=True)
        self.wait_until_serving(name)

    def wait_until_serving(self, name, timeout=120):
        url = self.agent_url(name) + "/storages/is-mount-point?mount_point=/"
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=10).close()
                return
            except urllib.error.HTTPError:
                return   # it answers (401: the region's token is missing, as it should be)
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.time() > deadline:
                    raise AssertionError("the agent of %s does not answer at %s" % (name, url))
                time.sleep(1)

    def stop(self):
        for name, forward in self.forwards.items():
            subprocess.run(self.ssh(name, "systemctl stop cloudpods-agent"),
                           capture_output=True)
            forward.terminate()
            forward.wait()


@functools.lru_cache(maxsize=None)
def node_names():
    """Every node of the lab, sorted (the lab does not change during the session)."""
    return tuple(sorted(node["name"] for node in lab_status()["nodes"]))


def first_nodes():
    """The lab's nodes registered in Cloudpods from the start: all but the last."""
    return list(node_names()[:-1])


def last_node():
    """The node that joins Cloudpods half-way (a test registers it)."""
    return node_names()[-1]


@pytest.fixture(scope="session")
def agents(cloudpods_env):
    """Every node but the last registered in Cloudpods with its agent (a test adds the last)."""
    agents = Agents(cloudpods_env)
    try:
        for name in first_nodes():
            agents.register(name)
            agents.start(name)
        yield agents
    finally:
        agents.stop()
