"""tools/lab: the pure parts (sizes, identities, QEMU and inventory rendering) and the
refusals, which all happen before the tool touches a loop device or a VM."""

import hashlib
import importlib.machinery
import importlib.util
import io
import json
import os
import pathlib
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
LAB_TOOL = REPO / "tools" / "lab"
FIXTURES = REPO / "tests" / "unit" / "fixtures" / "lab"


def load_lab():
    loader = importlib.machinery.SourceFileLoader("ocfs2_lab", str(LAB_TOOL))
    spec = importlib.util.spec_from_loader("ocfs2_lab", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


lab = load_lab()


def fixture_values(name):
    """A captured fixture without its '# command' lines."""
    lines = (FIXTURES / name).read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("text, size", [
    ("3G", 3 << 30), ("512M", 512 << 20), ("4096", 4096), ("1GiB", 1 << 30), ("2t", 2 << 40),
])
def test_parse_size_reads_binary_units(text, size):
    assert lab.parse_size(text) == size


@pytest.mark.parametrize("text", ["3X", "-1G", "", "G", "0"])
def test_parse_size_refuses_what_it_cannot_read(text):
    with pytest.raises(lab.LabError):
        lab.parse_size(text)


@pytest.mark.parametrize("count", [0, 9, -1])
def test_node_count_outside_one_to_eight_is_refused(count):
    with pytest.raises(lab.LabError, match="1 to 8"):
        lab.validate_node_count(count)


def test_lun_wwid_is_what_the_guest_reports_for_both_paths():
    # The guest's scsi_id for /dev/sda and /dev/sdb, captured in the lab.
    assert fixture_values("scsi_id.txt") == [lab.lun_wwid(1), lab.lun_wwid(1)]


def qemu_argv_for(luns, accel="tcg"):
    image = {"kernel": "/img/vmlinuz", "initrd": "/img/initrd.img", "packages": "/img/packages"}
    return lab.qemu_argv("node2", 2, image, "/state", 40022, luns, accel, 1024)


def option_values(argv, option):
    return [argv[index + 1] for index, word in enumerate(argv) if word == option]


def test_every_lun_is_shown_on_two_controllers_with_one_identity():
    luns = [{"name": "lun1", "index": 1, "loop": "/dev/loop3"},
            {"name": "lun2", "index": 2, "loop": "/dev/loop4"}]
    devices = [value for value in option_values(qemu_argv_for(luns), "-device")
               if value.startswith("scsi-hd")]
    assert len(devices) == 4
    for lun in luns:
        wwn = "wwn=0x%016x" % lab.lun_wwn(lun["index"])
        paths = [device for device in devices if wwn in device]
        assert len(paths) == 2
        assert {"bus=scsi0.0", "bus=scsi1.0"} == {
            field for path in paths for field in path.split(",") if field.startswith("bus=")}
        assert all("share-rw=on" in path for path in paths)


def test_grow_finds_each_path_by_its_block_node_name():
    luns = [{"name": "lun1", "index": 1, "loop": "/dev/loop3"}]
    blockdevs = option_values(qemu_argv_for(luns), "-blockdev")
    names = sorted(field.split("=", 1)[1] for blockdev in blockdevs
                   for field in blockdev.split(",") if field.startswith("node-name="))
    assert names == ["lun1" + path for path in lab.LUN_PATH_NAMES]
    assert all("filename=/dev/loop3" in blockdev for blockdev in blockdevs)


def test_the_guest_reaches_ssh_on_loopback_and_the_package_source_and_nothing_else():
    netdevs = option_values(qemu_argv_for([]), "-netdev")
    user = [netdev for netdev in netdevs if netdev.startswith("user,")]
    assert user == ["user,id=ssh0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22,"
                    "guestfwd=tcp:10.0.2.100:80-cmd:%s serve-packages /img/packages" % LAB_TOOL]
    assert [netdev.split(",")[0] for netdev in netdevs] == ["user", "vde"]


def test_the_guests_find_the_package_source_by_name_and_read_only_it():
    files = lab.guest_recipe("bookworm")["files"]
    assert "10.0.2.100\tlab-packages\n" in files["/etc/hosts"]
    assert [line for line in files["/etc/apt/sources.list"].splitlines()
            if not line.startswith("#")] == ["deb [trusted=yes] http://lab-packages/ ./"]


def test_the_package_source_offers_what_the_install_role_installs_on_debian():
    role_vars = yaml.safe_load((REPO / "roles" / "install" / "vars" / "main.yml").read_text())
    assert sorted(lab.PACKAGE_SOURCE_PACKAGES) == sorted(role_vars["__install_packages"]["Debian"])
    # The image itself is bare: none of them is in it (util-linux is Essential in Debian).
    assert not set(lab.GUEST_PACKAGES) & set(lab.PACKAGE_SOURCE_PACKAGES)


def test_software_cpu_unless_kvm_is_asked_for():
    assert option_values(qemu_argv_for([]), "-accel") == ["tcg,thread=multi"]
    assert option_values(qemu_argv_for([], accel="kvm"), "-accel") == ["kvm"]


def test_kernel_command_line_names_the_node_and_its_cluster_address():
    words = lab.kernel_command_line("node2", 2).split()
    assert "systemd.hostname=node2" in words
    assert "lab.cluster_ip=192.168.7.12/24" in words


def lab_state(node_count=3, lun_size=3 << 30):
    return {
        "image": {"key": "k", "ssh_key": "/cache/id_ed25519"},
        "accel": "tcg",
        "nodes": [{"name": name, "index": index, "ssh_port": 40000 + index,
                   "cluster_ip": lab.cluster_ip(index)}
                  for index, name in enumerate(lab.node_names(node_count), start=1)],
        "luns": [{"name": "lun1", "index": 1, "file": "/state/ocfs2-lab-lun1.img",
                  "loop": "/dev/loop0", "size": lun_size}],
    }


def test_inventory_puts_every_node_in_ocfs2_nodes_with_its_port_and_cluster_address():
    inventory = yaml.safe_load(lab.render_inventory(lab_state()))
    hosts = inventory["all"]["children"]["ocfs2_nodes"]["hosts"]
    assert sorted(hosts) == ["node1", "node2", "node3"]
    assert hosts["node3"] == {"ansible_host": "127.0.0.1", "ansible_port": 40003,
                              "lab_cluster_ip": "192.168.7.13"}
    variables = inventory["all"]["vars"]
    assert variables["ansible_ssh_private_key_file"] == "/cache/id_ed25519"
    # A WWID of digits only must stay a string, or it would not match multipathd's.
    assert variables["lab_luns"] == [
        {"name": "lun1", "wwid": lab.lun_wwid(1), "size_bytes": 3 << 30, "paths": 2}]


def test_inventory_gives_site_yml_the_cluster_and_the_first_lun():
    state = lab_state()
    state["luns"].append({"name": "lun2", "index": 2, "file": "/state/ocfs2-lab-lun2.img",
                          "loop": "/dev/loop1", "size": 3 << 30})
    group_vars = yaml.safe_load(lab.render_inventory(state))["all"]["children"]["ocfs2_nodes"]["vars"]
    assert group_vars["cluster_name"] == "ocfs2lab"
    assert group_vars["cluster_interface"] == "eth1"
    assert group_vars["multipath_expected_maps"] == [
        {"wwid": lab.lun_wwid(1), "paths": 2}, {"wwid": lab.lun_wwid(2), "paths": 2}]
    assert group_vars["filesystem_device"] == "/dev/disk/by-id/dm-uuid-mpath-" + lab.lun_wwid(1)


def test_image_key_follows_what_goes_into_the_image():
    recipe = lab.guest_recipe("bookworm")
    assert lab.image_key(recipe) == lab.image_key(lab.guest_recipe("bookworm"))
    changed = dict(recipe, packages=recipe["packages"] + ["strace"])
    assert lab.image_key(changed) != lab.image_key(recipe)
    assert lab.image_key(lab.guest_recipe("trixie")) != lab.image_key(recipe)


# ------------------------------------------------------------------ the command line

@pytest.fixture
def lab_env(tmp_path):
    """A lab command line whose state and inventory live in a scratch folder."""
    environment = dict(os.environ, LAB_STATE_DIR=str(tmp_path / "state"),
                       LAB_INVENTORY=str(tmp_path / "hosts.yml"),
                       LAB_CACHE_DIR=str(tmp_path / "cache"))

    def run(*arguments):
        return subprocess.run([str(LAB_TOOL)] + list(arguments), env=environment,
                              capture_output=True, text=True, timeout=60)

    run.state_dir = tmp_path / "state"
    return run


def write_state(lab_env, state):
    lab_env.state_dir.mkdir(parents=True, exist_ok=True)
    (lab_env.state_dir / "state.json").write_text(json.dumps(state))


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("arguments, fragments", [
    (["up", "--nodes", "9"], ["--nodes 9", "1 to 8"]),
    (["up", "--lun-size", "1G"], ["--lun-size 1G", "more than 2G"]),
    (["up", "--lun-size", "lots"], ["'lots'", "for example 3G"]),
    (["up", "--accel", "hvf"], ["--accel hvf", "tcg or kvm"]),
    (["up", "--suite", "sid"], ["--suite sid", "bookworm or trixie"]),
    (["image", "--suite", "buster"], ["--suite buster", "bookworm or trixie"]),
    (["grow", "lun1", "5G"], ["the lab is down", "tools/lab up"]),
    (["ssh", "node1", "true"], ["the lab is down"]),
])
def test_bad_input_gets_one_line_and_a_non_zero_exit(lab_env, arguments, fragments):
    assert_one_line_error(lab_env(*arguments), *fragments)
    assert not lab_env.state_dir.exists()


def test_grow_refuses_to_shrink_and_leaves_the_lun_alone(lab_env):
    write_state(lab_env, lab_state(lun_size=4 << 30))
    assert_one_line_error(lab_env("grow", "lun1", "3G"), "refusing to shrink", "4G", "3G")
    assert json.loads((lab_env.state_dir / "state.json").read_text())["luns"][0]["size"] == 4 << 30


def test_unknown_lun_and_node_are_named_with_what_exists(lab_env):
    write_state(lab_env, lab_state())
    assert_one_line_error(lab_env("grow", "lun7", "5G"), "'lun7'", "lun1")
    assert_one_line_error(lab_env("ssh", "node9", "true"), "'node9'", "node1, node2, node3")


def test_status_of_a_stopped_lab_says_so(lab_env):
    result = lab_env("status")
    assert (result.returncode, result.stdout.strip()) == (3, "the lab is down")
    assert json.loads(lab_env("status", "--json").stdout) == {"up": False, "nodes": [], "luns": []}


@pytest.mark.skipif(os.geteuid() != 0, reason="down lists loop devices as root")
def test_down_twice_is_fine(lab_env):
    write_state(lab_env, lab_state())
    first, second = lab_env("down"), lab_env("down")
    assert (first.returncode, second.returncode) == (0, 0)
    assert not lab_env.state_dir.exists()
    assert "already down" in second.stdout


# The upgrade test's package source (tools/lab upgrade-repo).
PINNED_CONTROL = """Package: multipath-tools
Version: 0.9.4-3+deb12u2
Architecture: amd64
Depends: kpartx (= 0.9.4-3+deb12u2), libaio1 (>= 0.3.93), udev
Breaks: multipath-tools-boot (<< 0.4.8+git0.761c66f-2~), kpartx-boot (= 0.9.4-3+deb12u2)
Description: maintain multipath block device access
"""


def test_the_newer_copy_raises_the_version_and_the_exact_dependencies_on_its_siblings():
    newer = lab.newer_control(PINNED_CONTROL, ("ocfs2-tools", "multipath-tools", "kpartx"), "+lab1")
    assert "\nVersion: 0.9.4-3+deb12u2+lab1\n" in newer
    assert "Depends: kpartx (= 0.9.4-3+deb12u2+lab1), libaio1 (>= 0.3.93), udev\n" in newer
    # Another package's exact version, and the lower bounds, are left as they are.
    assert "kpartx-boot (= 0.9.4-3+deb12u2)" in newer
    assert "multipath-tools-boot (<< 0.4.8+git0.761c66f-2~)" in newer


def test_the_packages_index_names_the_file_its_size_and_its_checksums():
    entry = lab.packages_index_entry(PINNED_CONTROL, "multipath-tools_0.9.4_amd64.deb", b"deb")
    assert entry.startswith(PINNED_CONTROL)
    assert "\nFilename: ./multipath-tools_0.9.4_amd64.deb\nSize: 3\n" in entry
    assert "\nMD5sum: %s\nSHA256: %s\n" % (hashlib.md5(b"deb").hexdigest(),
                                             hashlib.sha256(b"deb").hexdigest()) in entry


# ------------------------------------------------------------------ the package source

def serve(folder, requests):
    answer = io.BytesIO()
    lab.serve_packages(str(folder), io.BytesIO(requests), answer)
    return answer.getvalue()


def test_the_package_source_answers_each_request_of_a_kept_open_connection(tmp_path):
    (tmp_path / "Packages").write_bytes(b"Package: kpartx\n")
    (tmp_path / "kpartx_0.9.4_amd64.deb").write_bytes(b"deb")
    answer = serve(tmp_path, b"GET /Packages HTTP/1.1\r\nHost: lab-packages\r\n\r\n"
                             b"GET /InRelease HTTP/1.1\r\nHost: lab-packages\r\n\r\n"
                             b"HEAD /./kpartx_0.9.4_amd64.deb HTTP/1.1\r\n\r\n"
                             b"GET /kpartx%5f0.9.4_amd64.deb HTTP/1.1\r\n\r\n")
    assert answer == (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: 16\r\n\r\nPackage: kpartx\n"
                      b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                      b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: 3\r\n\r\n"
                      b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: 3\r\n\r\ndeb")


def test_the_package_source_gives_nothing_outside_its_folder(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "secret").write_text("key")
    answer = serve(tmp_path / "repo", b"GET /../secret HTTP/1.1\r\n\r\n"
                                      b"GET /%2e%2e/secret HTTP/1.1\r\n\r\n"
                                      b"POST /Packages HTTP/1.1\r\n\r\n")
    assert answer == (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" * 2
                      + b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
                      b"Connection: close\r\n\r\n")


def test_the_flat_repository_release_carries_the_index_checksum(tmp_path):
    lab.write_flat_repository_index(str(tmp_path), ["Package: a\n", "Package: b\n"])
    packages = (tmp_path / "Packages").read_bytes()
    assert packages == b"Package: a\n\nPackage: b\n"
    release = (tmp_path / "Release").read_text()
    assert " %s %d Packages\n" % (hashlib.sha256(packages).hexdigest(), len(packages)) in release
