"""The install role on SUSE (issue 11, item 13): the o2cb tools' package, and the repositories'
signature settings."""

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
