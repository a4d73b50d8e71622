"""The install role on SUSE (issue 11, item 13): the o2cb tools' package, and the repositories'
signature settings."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml
from ansible_collections.ocfs2.cluster.plugins.filter.install import zypper_addrepo_argv
from conftest import REPO

ROLE = REPO / "roles" / "install"


def test_suse_installs_the_package_that_has_o2cb_and_its_services():
    packages = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__install_packages"]
    assert "ocfs2-tools-o2cb" in packages["Suse"]


def test_zypper_checks_signatures_by_default():
    assert zypper_addrepo_argv({"name": "ha", "baseurl": "https://repo.example/ha/"}) == [
        "zypper", "--non-interactive", "addrepo", "--check", "--refresh", "--gpgcheck",
        "--name", "ha", "https://repo.example/ha/", "ha"]


def test_zypper_takes_gpgcheck_false_and_the_description():
    argv = zypper_addrepo_argv({"name": "ha", "baseurl": "https://repo.example/ha/",
                                "gpgcheck": "false", "description": "SUSE HA"})
    assert "--no-gpgcheck" in argv and "--gpgcheck" not in argv
    assert argv[argv.index("--name") + 1] == "SUSE HA"


def test_the_signing_keys_of_zypper_repositories_are_imported():
    tasks = yaml.safe_load((ROLE / "tasks" / "repositories.yml").read_text())
    imports = [task for task in tasks if "ansible.builtin.rpm_key" in task]
    assert imports and imports[0]["ansible.builtin.rpm_key"]["key"] == "{{ item.gpgkey }}"
    assert "Suse" in imports[0]["when"]


PACKAGES_PLAYBOOK = """
- name: Install packages as the install role and the multipath role do
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Read the OS family
      ansible.builtin.setup:
        gather_subset: ["!all", "!min", distribution, pkg_mgr]
    - name: Run the packages entry point
      ansible.builtin.include_role:
        name: ocfs2.cluster.install
        tasks_from: packages.yml
      vars:
        install_package_names: [dpkg, coreutils]
"""


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="not a Debian machine")
def test_a_host_that_has_every_package_does_not_refresh_the_package_lists(tmp_path):
    # This machine has them (dpkg and coreutils are Essential): the lists must not be
    # refreshed, so a cluster built by hand, or an offline site, never calls its mirror.
    (tmp_path / "playbook.yml").write_text(PACKAGES_PLAYBOOK)
    environment = dict(
        os.environ, ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
         "--check", str(tmp_path / "playbook.yml"),
         "-e", "ansible_python_interpreter=%s" % sys.executable],
        env=environment, cwd=str(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    tasks = dict((task["task"]["name"].split(" : ", 1)[-1], task["hosts"]["localhost"])
                 for play in report["plays"] for task in play["tasks"])
    assert sorted(tasks["Read which of the packages are installed"]["stdout_lines"]) == [
        "coreutils installed", "dpkg installed"]
    assert tasks["Refresh the package lists, a package being missing"].get("skipped") is True
    assert tasks["Install dpkg, coreutils"]["changed"] is False
