"""Helpers for the Molecule verifiers: the lab as tools/lab describes it, and what a node sees."""

import concurrent.futures
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import testinfra

LAB_TOOL = pathlib.Path(__file__).resolve().parent.parent / "tools" / "lab"


def lab_status():
    result = subprocess.run([str(LAB_TOOL), "status", "--json"], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


def run_lab(*arguments):
    return subprocess.run([str(LAB_TOOL)] + list(arguments), check=True,
                          capture_output=True, text=True).stdout


def multipath_map(host, wwid):
    """The multipath map of one WWID as `multipathd show maps json` prints it."""
    maps = json.loads(host.check_output("multipathd show maps json"))["maps"]
    matching = [entry for entry in maps if entry["uuid"] == wwid]
    assert len(matching) == 1, "expected one map for WWID %s, found %d: %s" % (
        wwid, len(matching), [entry["name"] for entry in maps])
    return matching[0]


def map_paths(multipath):
    return [path for group in multipath["path_groups"] for path in group["paths"]]


def block_size_bytes(host, device):
    return int(host.check_output("blockdev --getsize64 %s", device))


GIB = 1 << 30


def map_path(lab, index=0):
    """LUN `index`'s multipath map, by the path that names it on every node."""
    return "/dev/disk/by-id/dm-uuid-mpath-%s" % lab["luns"][index]["wwid"]


def lun_size(index=0):
    """LUN `index`'s size on the storage side now."""
    return lab_status()["luns"][index]["size_bytes"]


def grow_lun(index=0):
    """What the SAN does: LUN `index` 1 GiB larger on every path of every node; its new size."""
    new_size = lun_size(index) + GIB
    run_lab("grow", "lun%d" % (index + 1), str(new_size))
    return new_size


def mounted_size(node, mount_point):
    """The size the kernel reports for the filesystem mounted there; None when none is."""
    mounted = node.run("findmnt --bytes --noheadings --output SIZE --mountpoint %s", mount_point)
    return int(mounted.stdout) if mounted.rc == 0 else None


def lab_hosts():
    """Every node of the lab as a testinfra host, by name, through the inventory the lab
    writes (the one users run site.yml with)."""
    inventory = lab_status()["inventory"]
    hosts = testinfra.get_hosts(["ansible://ocfs2_nodes"], ansible_inventory=inventory)
    return dict((host.backend.get_hostname(), host) for host in hosts)


def mounted_nodes(node, mount_point):
    """The nodes `mounted.ocfs2 -f` lists for the filesystem mounted at `mount_point` on
    `node`, sorted."""
    source = node.check_output("findmnt --noheadings --output SOURCE %s", mount_point)
    header, row = node.check_output("mounted.ocfs2 -f %s", source).splitlines()[:2]
    return sorted(name.strip() for name in row[header.index("Nodes"):].split(","))


def kernel_mount_count(node):
    """How many times this boot's kernel mounted an OCFS2 filesystem ("ocfs2: Mounting device"
    in its log): an unmount and mount again adds one (mount IDs are reused, so not those)."""
    return int(node.check_output("dmesg | grep -c 'ocfs2: Mounting device' || true"))


def on_every_node(nodes, action):
    """action(name, node) on every node at once (test setup that need not wait for one node
    before the next); {name: what it returned}. Each node has its own SSH connection."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        futures = dict((name, pool.submit(action, name, node)) for name, node in nodes.items())
        return dict((name, future.result()) for name, future in futures.items())


REPO = LAB_TOOL.parent.parent

# Ansible's default strategy, the one users run: a task costs 3.5 to 5 s of Python start-up
# and imports on an emulated node. Mitogen's keeps one interpreter per node (about 0.5 s a
# task, `make bench-lab`) and runs the same modules and task files. The suite runs resize.yml
# online (the grow scenario's online grow and its control run, whose writer stalls stand for
# what users see) with DEFAULT; every other run (site.yml from bare hosts, idempotence,
# refusals, the adoption, the offline mode, the day-2 playbooks, test setup) with FAST. What
# only the default strategy does, packing each module with its module_utils (AnsiballZ) and
# running it in a fresh Python, the unit tests do for every module
# (tests/unit/plugins/modules/test_default_executor.py); `make bench-site` runs site.yml
# with it on the lab.
DEFAULT = "linear"
FAST = "mitogen_linear"
STRATEGY_PLUGINS = REPO / ".build" / "strategy"
# Mitogen's connection timeout covers starting its Python on the node, which takes longer than
# Ansible's default 10 s on an emulated node that is busy (seen: "Connection timed out").
MITOGEN_CONNECT_TIMEOUT = "120"


def playbook_env(strategy=FAST):
    """The environment the README's commands run in, not Molecule's, with `strategy`."""
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "MOLECULE_")))
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_FORCE_COLOR="false",
               ANSIBLE_NOCOLOR="true")
    if strategy != DEFAULT:
        env.update(ANSIBLE_STRATEGY_PLUGINS=str(STRATEGY_PLUGINS), ANSIBLE_STRATEGY=strategy,
                   ANSIBLE_TIMEOUT=MITOGEN_CONNECT_TIMEOUT)
    return env


def run_playbook(playbook, *arguments, strategy=FAST, env=None):
    """ansible-playbook playbooks/PLAYBOOK on the lab's own inventory, as the README runs it,
    with `env` added to its environment; the CompletedProcess, output merged."""
    return subprocess.run(["ansible-playbook", "playbooks/" + playbook] + list(arguments),
                          cwd=str(REPO), env=dict(playbook_env(strategy), **(env or {})),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_site(*arguments, strategy=FAST):
    return run_playbook("site.yml", *arguments, strategy=strategy)


def assert_nothing_changed(result):
    """A playbook run that succeeded and changed nothing on any host (Molecule's idempotence
    check, on a run with the strategy the caller chose)."""
    assert result.returncode == 0, result.stdout[-3000:]
    recap = play_recap(result.stdout)
    assert recap, result.stdout[-3000:]
    changed = dict((host, counts["changed"]) for host, counts in recap.items()
                   if counts["changed"])
    assert not changed, ("the run changed tasks: %s" % changed, result.stdout[-5000:])


def kill_playbook_at(playbook, marker, *arguments, timeout=1800, strategy=FAST):
    """Start ansible-playbook and kill it, with every process it started, as soon as its output
    shows `marker` (as a controller killed mid-run); the output up to there."""
    process = subprocess.Popen(["ansible-playbook", "playbooks/" + playbook] + list(arguments),
                               cwd=str(REPO), env=playbook_env(strategy), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    deadline = time.time() + timeout
    try:
        for line in process.stdout:
            output.append(line)
            if marker in line or time.time() > deadline:
                break
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    text = "".join(output)
    assert marker in text, "the play never reached %r:\n%s" % (marker, text[-3000:])
    return text


def play_recap(output):
    """{host: {"ok": n, "changed": n, "failed": n, ...}} from a play's PLAY RECAP."""
    recap = {}
    for match in re.finditer(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", output, re.MULTILINE):
        recap[match.group(1)] = dict((key, int(value)) for key, value in
                                     re.findall(r"(\w+)=(\d+)", match.group(2)))
    return recap


def task_results(output, task):
    """{host: "ok"|"changed"|"skipping"|"fatal"} for the task named `task` in a play's output
    (its last run when it ran more than once, as with serial)."""
    results = {}
    for block in re.split(r"^(?=TASK \[|PLAY )", output, flags=re.MULTILINE):
        if block.startswith("TASK [") and block.split("]", 1)[0].endswith(task):
            for status, host in re.findall(r"^(ok|changed|skipping|fatal): \[([^\]]+)\]",
                                           block, re.MULTILINE):
                results[host] = status
    return results


def stop_writer(node, name):
    """Stop tools/fs-probe `name` on `node`; its summary (iterations, errors, longest_gap_s)."""
    node.check_output("touch /run/%s.stop", name)
    deadline = time.time() + 120
    while time.time() < deadline:
        result = node.run("cat /run/%s.json", name)
        if result.rc == 0:
            return json.loads(result.stdout)
        time.sleep(2)
    raise AssertionError("the writer %s did not stop within 120 s" % name)


def start_writer(node, name, directory):
    """tools/fs-probe writing into `directory` on `node`, as the transient unit `name`."""
    # Nice -10: on a one-CPU emulated guest, the writer would otherwise measure how much CPU
    # Ansible's Python leaves it (seconds per module run) rather than how long the filesystem
    # makes it wait; a VM on a real host has its own CPUs.
    node.check_output("rm -f /run/%s.stop /run/%s.json", name, name)
    node.check_output(
        "systemd-run --property=Nice=-10 --unit=%s --collect /usr/local/bin/fs-probe --dir %s "
        "--stop-file /run/%s.stop --result /run/%s.json", name, directory, name, name)
