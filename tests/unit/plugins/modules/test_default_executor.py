"""Every module runs through Ansible's default executor on this machine: ansible-core's
recursive finder zips the module with every module_utils it imports (AnsiballZ), and a fresh
Python runs it. The lab runs most playbooks with Mitogen's strategy, which loads modules its
own way, so a module_utils import that only works under Mitogen would pass the lab and fail
for users.

One playbook runs each module once (one task each, errors ignored), with arguments that get
it past its imports and its argument spec into its own code, where it refuses or only reads:
a device that does not exist, check mode, a port nothing listens on, a stand-in multipathd
without maps. Nothing changes on this machine."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, read_fixture

MODULES = REPO / "plugins" / "modules"
COLLECTIONS = REPO / ".build" / "collections"
MISSING_DEVICE = "/dev/disk/by-id/does-not-exist"
# A path under a file: it cannot exist.
MISSING_CONFIG = "/dev/null/cluster.conf"
# The closed local port of conftest's THREE_NODES: connecting to it is refused at once.
CLOSED_PORT = 1

# Per module: its arguments, whether it runs in check mode (default: yes), and what only its
# own code says there (in msg, or in a warning when it succeeds).
CASES = {
    "cloudpods_storage": {
        "args": {"auth_url": "http://127.0.0.1:%d" % CLOSED_PORT, "username": "unit",
                 "password": "unit", "project_name": "system", "name": "ocfs2-unit",
                 "zone": "zone0", "timeout": 5},
        "says": "the Cloudpods API at http://127.0.0.1:%d/v3/auth/tokens is unreachable"
                % CLOSED_PORT,
    },
    "filesystem": {
        "args": {"device": MISSING_DEVICE, "cluster_name": "unittestcluster"},
        "says": "%s does not exist on this node; check mode plans as if it were the blank "
                "partition" % MISSING_DEVICE,
    },
    "filesystem_info": {
        "args": {"device": MISSING_DEVICE},
        "says": "device %s does not exist on this node" % MISSING_DEVICE,
    },
    "fsck": {
        "args": {"device": MISSING_DEVICE},
        "says": "device %s does not exist on this node" % MISSING_DEVICE,
    },
    "multipath": {
        "args": {"name": "does-not-exist"},
        "says": "multipath map does-not-exist does not exist on this node (maps: none)",
    },
    "multipath_info": {
        "args": {"name": "does-not-exist"},
        "says": "multipath map does-not-exist does not exist on this node (maps: none)",
    },
    "o2cb": {
        "args": {"cluster_name": "unittestcluster", "config_file": MISSING_CONFIG},
        "says": "%s does not exist, so cluster unittestcluster cannot be brought online"
                % MISSING_CONFIG,
    },
    "o2cb_info": {
        "args": {"cluster_name": "ocfs2-cluster-of-the-lab"},
        "says": "cluster name 'ocfs2-cluster-of-the-lab' is invalid: o2cb takes 1 to 16 "
                "alphanumeric characters",
    },
    "o2net_probe": {
        "args": {"peers": [{"name": "node2", "ip_address": "127.0.0.1", "port": CLOSED_PORT}],
                 "require_listening": True, "timeout": 2},
        "says": "reaches node2 (127.0.0.1:%d), but nothing listens there on the o2net port"
                % CLOSED_PORT,
    },
    "partition": {
        "args": {"device": MISSING_DEVICE},
        "says": "device %s does not exist on this node" % MISSING_DEVICE,
    },
}
IMPORT_FAILURES = ("ModuleNotFoundError", "ImportError", "No module named")

# multipathd answers as on a node where it runs without a map, the same on every machine (this
# one has no multipath-tools, the lab's nodes have maps); any other command is refused.
MULTIPATHD = """\
#!/bin/sh
if [ "$*" != "show maps json" ]; then
    echo "unit test stand-in for multipathd: unexpected arguments: $*" >&2
    exit 1
fi
cat <<'EOF'
%sEOF
"""


def module_names():
    return sorted(path.stem for path in MODULES.glob("*.py") if path.stem != "__init__")


def test_every_module_has_a_case():
    assert sorted(CASES) == module_names()


def playbook():
    tasks = [{"name": "Run ocfs2.cluster.%s" % name,
              "ocfs2.cluster.%s" % name: CASES[name]["args"],
              "check_mode": CASES[name].get("check_mode", True),
              "ignore_errors": True} for name in sorted(CASES)]
    return [{"name": "Run every module once through AnsiballZ", "hosts": "localhost",
             "gather_facts": False, "tasks": tasks}]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The CompletedProcess of one ansible-playbook -vvv run of every case."""
    work = tmp_path_factory.mktemp("default-executor")
    stub_bin = work / "bin"
    stub_bin.mkdir()
    multipathd = stub_bin / "multipathd"
    multipathd.write_text(MULTIPATHD % read_fixture(
        "multipath-tools-0.9.4/show_maps_json_no_maps.txt"))
    multipathd.chmod(0o755)
    (work / "ansible.cfg").write_text(
        "[defaults]\ncollections_path = %s\nstdout_callback = ansible.builtin.default\n"
        "callback_result_format = json\n" % COLLECTIONS)
    # The interpreter itself, not the virtual environment: a managed node has neither this
    # collection nor the controller's packages on its path, only what AnsiballZ ships.
    (work / "hosts.ini").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n"
        % os.path.realpath(sys.executable))
    (work / "playbook.yml").write_text(yaml.safe_dump(playbook(), sort_keys=False))
    # Nothing from the caller's environment: no ANSIBLE_STRATEGY (Mitogen), no PYTHONPATH
    # that would let a module import what AnsiballZ left out.
    environment = dict((key, value) for key, value in os.environ.items()
                       if not key.startswith(("ANSIBLE_", "MITOGEN_")) and key != "PYTHONPATH")
    environment.update(
        ANSIBLE_CONFIG=str(work / "ansible.cfg"), ANSIBLE_HOME=str(work / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(work / "local-tmp"), ANSIBLE_REMOTE_TEMP=str(work / "remote-tmp"),
        ANSIBLE_NOCOLOR="1", PATH="%s%s%s" % (stub_bin, os.pathsep, os.environ["PATH"]))
    ansible_playbook = pathlib.Path(sys.executable).parent / "ansible-playbook"
    # -vvv: the local connection logs the AnsiballZ_NAME.py it runs, and the callback prints
    # the module's whole answer, with the invocation that AnsibleModule adds. Warnings go to
    # stderr: one stream keeps them in their task.
    result = subprocess.run([str(ansible_playbook), "-vvv", "-i", str(work / "hosts.ini"),
                             str(work / "playbook.yml")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=environment,
                            cwd=str(work), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


def task_output(stdout, name):
    """What ansible-playbook -vvv printed for the task that ran the module."""
    return stdout.split("TASK [Run ocfs2.cluster.%s]" % name)[1].split("TASK [")[0]


def module_answer(output):
    """The result the callback printed after "ok: [localhost] => ", "changed: ..." or
    "fatal: [localhost]: FAILED! => "."""
    match = re.search(r"^(ok|changed|fatal): \[localhost\].* => \{", output, re.MULTILINE)
    assert match, output
    return json.JSONDecoder().raw_decode(output, match.end() - 1)[0]


@pytest.mark.parametrize("name", module_names())
def test_the_module_runs_through_ansiballz_into_its_own_code(run, name):
    assert name in CASES, "plugins/modules/%s.py has no case in CASES" % name
    output = task_output(run.stdout, name)
    assert "AnsiballZ_%s.py" % name in output, output
    for failure in IMPORT_FAILURES + ("MODULE FAILURE",):
        assert failure not in output, output
    # AnsibleModule's exit_json and fail_json add the invocation; a module that died on an
    # import answers "MODULE FAILURE" and its traceback instead.
    module_args = module_answer(output)["invocation"]["module_args"]
    for option, value in CASES[name]["args"].items():
        assert option in module_args, output
    # In msg, or in a warning (printed as [WARNING]: before the result).
    assert " ".join(CASES[name]["says"].split()) in " ".join(output.split()), output


def test_no_import_failed_anywhere_in_the_run(run):
    for failure in IMPORT_FAILURES:
        assert failure not in run.stdout
