"""tools/cloudpods and tools/cloudpods-agent: their pure parts, and the refusal to start
without the binaries. The services themselves run in tests/cloudpods/."""

import collections
import importlib.machinery
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
CLOUDPODS_README = REPO.parent / "shared" / "cloudpods" / "README.md"


def load_tool(name):
    module_name = name.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(module_name, str(REPO / "tools" / name))
    spec = importlib.util.spec_from_loader(module_name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


cloudpods = load_tool("cloudpods")
agent = load_tool("cloudpods-agent")


def test_sha256sums_are_read_by_file_name():
    text = ("aee04e64b9d12d0749d381370d9bef5f41ec309b4679c40fd77be2ac2fa5994d  climc.xz\n"
            "1c27bbef967ddbca042f06a8a1b65304f6a374fc3fed0d8a5cce9a1c3217a9b8 *region.xz\n")
    assert cloudpods.parse_sha256sums(text) == {
        "climc.xz": "aee04e64b9d12d0749d381370d9bef5f41ec309b4679c40fd77be2ac2fa5994d",
        "region.xz": "1c27bbef967ddbca042f06a8a1b65304f6a374fc3fed0d8a5cce9a1c3217a9b8"}


@pytest.mark.skipif(not CLOUDPODS_README.exists(), reason="no cloudpods README beside the "
                    "repository")
def test_unpacked_checksums_of_the_cloudpods_readme_are_the_pinned_ones():
    assert cloudpods.parse_readme_unpacked_sums(CLOUDPODS_README.read_text()) == \
        cloudpods.PINNED_UNPACKED_SHA256


def test_ports_given_win_over_saved_ones_and_defaults():
    ports = cloudpods.resolve_ports({"region": 18889, "mariadb": 13307},
                                    {"mariadb": 23307, "region": None})
    assert ports == {"mariadb": 23307, "keystone": 5000, "keystone_admin": 35357,
                     "region": 18889}


def test_access_mac_is_stable_local_and_unicast():
    mac = cloudpods.access_mac_for("node1")
    assert mac == cloudpods.access_mac_for("node1") != cloudpods.access_mac_for("node2")
    first_octet = int(mac.split(":")[0], 16)
    assert first_octet & 0x02 and not first_octet & 0x01


def test_env_is_what_climc_and_the_module_read():
    env = cloudpods.openrc(cloudpods.DEFAULT_PORTS, "pw")
    assert env["OS_AUTH_URL"] == "http://127.0.0.1:5000/v3"
    assert (env["OS_USERNAME"], env["OS_PROJECT_NAME"], env["OS_REGION_NAME"]) == (
        "sysadmin", "system", "region0")
    assert env["CLOUDPODS_REGION_URL"] == "http://127.0.0.1:8889"


def test_catalog_puts_the_region_under_compute_v2_without_a_version_suffix():
    requests = dict((kind, endpoints) for kind, _, endpoints in
                    cloudpods.catalog_requests(cloudpods.DEFAULT_PORTS))
    assert requests["compute_v2"] == [("public", "http://127.0.0.1:8889"),
                                      ("internal", "http://127.0.0.1:8889")]
    assert ("admin", "http://127.0.0.1:35357/v3") in requests["identity"]


def test_up_without_binaries_exits_3_and_says_how_to_build_them(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "cloudpods"), "--state-dir",
         str(tmp_path / "state"), "up", "--bin-dir", str(empty)],
        capture_output=True, text=True, check=False)
    assert result.returncode == cloudpods.EXIT_NO_BINARIES == 3
    assert "keystone.xz, region.xz, SHA256SUMS" in result.stderr
    assert "2de295222d1c86abc1a43f701d94c99b76bdffe6" in result.stderr
    assert "go build -ldflags -w -o NAME ./cmd/NAME" in result.stderr
    assert not (tmp_path / "state" / "mariadb").exists()


def test_commands_other_than_up_refuse_a_state_dir_never_brought_up(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "cloudpods"), "--state-dir", str(tmp_path),
         "env"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "run tools/cloudpods up" in result.stderr


@pytest.mark.parametrize("output, local", [
    ("ext4\n", True), ("xfs\n", True), ("zfs\n", True), ("ocfs2\n", False), ("tmpfs\n", False),
    ("nfs4\n", False), ("fuse.glusterfs\n", False),
])
def test_agent_refuses_local_filesystems_as_the_real_one_does(output, local):
    assert agent.is_local_filesystem(output) is local


Statvfs = collections.namedtuple("Statvfs", "f_bsize f_frsize f_blocks f_bfree f_bavail")


def test_agent_capacity_is_blocks_times_block_size_in_mb():
    # A 3 GiB OCFS2 volume with 4 KiB clusters, 100 MiB used.
    volume = Statvfs(4096, 4096, 786432, 786432 - 25600, 786432 - 25600)
    assert agent.capacity_mb(volume) == 3072
    assert agent.used_mb(volume) == 100


def test_agent_capacity_of_a_real_mount_matches_statvfs():
    volume = os.statvfs("/")
    assert agent.capacity_mb(volume) == volume.f_blocks * volume.f_bsize // (1 << 20)


def test_agent_pings_the_size_of_the_shared_storages_it_is_master_of():
    host_agent = agent.Agent(region=None, host_id="h1", zone_id="z0")
    host_agent.storages = {"attached-master": "/", "attached-other": "/",
                           "missing-path": "/nonexistent-mount"}
    host_agent.master_storages = ["attached-master", "missing-path", "not-attached-here"]
    payload = host_agent.ping_payload()
    root = os.statvfs("/")
    assert payload["with_data"] is True
    (stat,) = payload["storage_stats"]
    assert (stat["storage_id"], stat["capacity_mb"]) == ("attached-master",
                                                         agent.capacity_mb(root))
    # The root filesystem is in use while the test runs: its used size may move a little.
    assert abs(stat["actual_capacity_used_mb"] - agent.used_mb(root)) <= 16
