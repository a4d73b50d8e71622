"""One step of a role run by ansible-playbook on this machine (localhost), with stand-ins for
the tools it runs first in PATH; what the ansible.posix.json callback reports of each task."""

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"


def make_host(directory, stand_ins, playbook):
    """`directory` with the stand-ins ({name: script}) in stubs/, playbook.yml and an empty
    ansible.cfg; the stand-ins write their files in it (STUB_DIR)."""
    stubs = directory / "stubs"
    stubs.mkdir()
    for name, text in stand_ins.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    (directory / "playbook.yml").write_text(playbook)
    (directory / "ansible.cfg").write_text("[defaults]\n")
    return directory


def run_playbook(host, *arguments):
    """ansible-playbook HOST/playbook.yml on localhost; its exit code, and each task's result
    on localhost by its name (without the "ocfs2.cluster.ROLE : ")."""
    environment = dict(
        os.environ, STUB_DIR=str(host), PATH="%s:%s" % (host / "stubs", os.environ["PATH"]),
        ANSIBLE_CONFIG=str(host / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCAL_TEMP=str(host / "tmp"),
        ANSIBLE_HOME=str(host / "ansible-home"))
    result = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(host / "playbook.yml"),
         "-e", "ansible_python_interpreter=%s" % sys.executable] + list(arguments),
        env=environment, cwd=str(host), capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(result.stdout[-3000:] + result.stderr[-3000:])
    tasks = dict((task["task"]["name"].split(" : ", 1)[-1], task["hosts"].get("localhost", {}))
                 for play in report["plays"] for task in play["tasks"])
    return result.returncode, tasks
