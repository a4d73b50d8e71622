"""The upgrade role's defaults per OS family and architecture, rendered as Ansible renders them,
its argument spec against its defaults, and the preflight's description of a node against what
the filters read. The facts and module results are plausible inputs, not captured."""

import importlib

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._upgrade import (
    node_action, upgrade_problems)
from conftest import REPO

ROLE = REPO / "roles" / "upgrade"
COLLECTION_FILTERS = dict(
    ("ocfs2.cluster." + name, function)
    for path in sorted((REPO / "plugins" / "filter").glob("*.py"))
    for name, function in importlib.import_module(
        "ansible_collections.ocfs2.cluster.plugins.filter." + path.stem).FilterModule()
    .filters().items())
LOADER = DataLoader()


def load(path):
    return LOADER.load_from_file(str(path), trusted_as_template=True)


DEFAULTS = load(ROLE / "defaults" / "main.yml")
VARS = load(ROLE / "vars" / "main.yml")
SPECS = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]
INVENTORY = {"cluster_name": "ocfs2lab", "inventory_hostname": "node1",
             "filesystem_device": "/dev/disk/by-id/dm-uuid-mpath-35000c0ca1ab00001"}


def render(expression, facts, **variables):
    context = dict(DEFAULTS, **VARS)
    context.update(INVENTORY)
    context.update(variables)
    context["ansible_facts"] = facts
    if isinstance(expression, str):
        expression = trust_as_template(expression)
    templar = Templar(loader=LOADER, variables=context)
    # Outside ansible-playbook no collection loader finds ocfs2.cluster's filters (vars/main.yml
    # names partition_path): the templar gets them from the plugins themselves.
    for name, function in COLLECTION_FILTERS.items():
        templar._engine.environment.filters[name] = function
    return templar.template(expression)


DEBIAN_AMD64 = {"os_family": "Debian", "distribution": "Debian", "architecture": "x86_64"}


@pytest.mark.parametrize("facts, variables, packages, kernel_packages", [
    (DEBIAN_AMD64, {}, ["ocfs2-tools", "multipath-tools", "kpartx"], ["linux-image-amd64"]),
    (dict(DEBIAN_AMD64, architecture="aarch64"), {}, ["ocfs2-tools", "multipath-tools", "kpartx"],
     ["linux-image-arm64"]),
    (dict(DEBIAN_AMD64, architecture="ppc64le"), {}, ["ocfs2-tools", "multipath-tools", "kpartx"],
     None),
    (dict(DEBIAN_AMD64, distribution="Ubuntu"), {}, ["ocfs2-tools", "multipath-tools", "kpartx"],
     None),
    ({"os_family": "RedHat", "distribution": "OracleLinux", "architecture": "x86_64"}, {},
     ["ocfs2-tools", "device-mapper-multipath", "kpartx"], ["kernel"]),
    ({"os_family": "RedHat", "distribution": "RedHat", "architecture": "x86_64"},
     {"install_kernel_package": "kernel-uek"},
     ["ocfs2-tools", "device-mapper-multipath", "kpartx"], ["kernel-uek"]),
    ({"os_family": "Suse", "distribution": "SLES", "architecture": "x86_64"}, {},
     ["ocfs2-tools", "ocfs2-tools-o2cb", "ocfs2-kmp-default", "multipath-tools", "kpartx"],
     ["kernel-default"]),
    ({"os_family": "Gentoo", "distribution": "Gentoo", "architecture": "x86_64"}, {}, [], None),
])
def test_packages_default_per_os_family_and_architecture(facts, variables, packages,
                                                         kernel_packages):
    assert render("{{ upgrade_packages }}", facts, **variables) == packages
    assert render("{{ upgrade_kernel_packages }}", facts, **variables) == kernel_packages


def test_an_empty_kernel_list_upgrades_no_kernel():
    assert render("{{ __upgrade_all_packages }}", DEBIAN_AMD64, upgrade_kernel_packages=[]) == [
        "ocfs2-tools", "multipath-tools", "kpartx"]


def test_the_defaults_render_before_the_facts_are_gathered():
    # The role's argument validation renders them before the preflight gathers the facts.
    assert render("{{ upgrade_packages }}", {}) == []
    assert render("{{ upgrade_kernel_packages }}", {}) is None


def test_the_packages_are_among_those_the_install_role_installs():
    installed = yaml.safe_load((REPO / "roles" / "install" / "vars" / "main.yml").read_text())
    upgraded = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
    for family, packages in upgraded["__upgrade_family_packages"].items():
        assert set(packages) <= set(installed["__install_packages"][family]), family


def test_every_entry_point_documents_every_default_with_its_value():
    for name, entry_point in SPECS.items():
        options = entry_point["options"]
        assert sorted(options) == sorted(DEFAULTS), name
        for option, spec in options.items():
            if "{{" not in str(DEFAULTS[option]):
                assert spec.get("default") == DEFAULTS[option], (name, option)


# The keys plugins/plugin_utils/_upgrade.py documents for a node.
DOCUMENTED_KEYS = [
    "name", "o2cb_node", "o2cb_online", "config_nodes", "o2cb_enabled", "filesystem", "mounted",
    "fstab", "other_mounts", "users", "marker", "target", "os_family", "distribution",
    "architecture", "packages", "kernel_packages", "package_plan", "running_kernel",
    "boot_files", "reboot_required"]
# The preflight's "Describe the node", rendered with plausible reads of a healthy node that
# upgrades.
PREFLIGHT = load(ROLE / "tasks" / "preflight.yml")
DESCRIBE = next(task for task in PREFLIGHT if task["name"] == "Describe the node")
READS = {
    "__upgrade_o2cb": {"online": True, "config_nodes": [
        {"name": "node1", "number": 0, "local": True}, {"name": "node2", "number": 1,
                                                        "local": False}],
        "nodes": [{"name": "node1", "number": 0, "local": True},
                  {"name": "node2", "number": 1, "local": False}]},
    "__upgrade_o2cb_enabled": {"rc": 0, "stdout": "enabled"},
    "__upgrade_map": {"map": {"name": "mpatha", "wwid": "35000c0ca1ab00001"}},
    "__upgrade_filesystem": {
        "filesystem": {"uuid": "f3f99241-a053-4a8f-8965-5b72656628c3",
                       "mounted_nodes": ["node1", "node2"]},
        "mount": {"source": "/dev/mapper/mpatha-part1", "mount_point": "/srv/ocfs2",
                  "fstype": "ocfs2"},
        "fstab": [{"source": "UUID=f3f99241-a053-4a8f-8965-5b72656628c3",
                   "mount_point": "/srv/ocfs2", "fstype": "ocfs2",
                   "options": ["_netdev", "noatime"]}]},
    "__upgrade_ocfs2_mounts": {"rc": 0, "stdout_lines": ["/srv/ocfs2"]},
    # What the outage role's tasks/users.yml keeps (fuser -m, then ps; tested with that role).
    "outage_mount_users": [{"pid": 2201, "command": "qemu-system-x86"}],
    "__upgrade_marker_stat": {"stat": {"exists": False}},
    "__upgrade_boot": {"stdout_lines": ["vmlinuz-6.1.0-27-amd64", "config-6.1.0-27-amd64"]},
    "__upgrade_reboot_required": {"stat": {"exists": False}},
    "__upgrade_package_plan": {"changed": True, "stdout": (
        "Inst ocfs2-tools [1.8.7-1] (1.8.7-1+b1 Debian:12.15/oldstable [amd64])\n")},
}


def test_the_preflight_describes_the_node_as_the_filters_read_it():
    facts = dict(DEBIAN_AMD64, kernel="6.1.0-27-amd64")
    expressions = dict(DESCRIBE["ansible.builtin.set_fact"]["__upgrade_node"])
    assert expressions["users"] == "{{ outage_mount_users }}"
    described = render(expressions, facts, **READS)
    assert described["users"] == [{"pid": 2201, "command": "qemu-system-x86"}]
    assert sorted(described) == sorted(DOCUMENTED_KEYS)
    assert described["o2cb_node"] == "node1"
    assert described["target"] == "/dev/disk/by-id/dm-uuid-part1-mpath-35000c0ca1ab00001"
    assert (described["mounted"], described["fstab"], described["o2cb_enabled"],
            described["filesystem"], described["marker"]) == (True, True, True, True, False)
    assert described["other_mounts"] == []
    assert described["kernel_packages"] == ["linux-image-amd64"]
    assert node_action(described) == "upgrade"
    settings = render("{{ __upgrade_settings }}", facts)
    assert settings["partitioned"] is True and settings["stop_users"] is False
    assert "1 process(es) use /srv/ocfs2 (2201 qemu-system-x86)" in upgrade_problems(
        [described], settings)[0]
