# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""o2cb: parse cluster.conf, configfs and /proc/mounts, and plan the o2cb commands.

Everything here is pure except read_o2cb(), which gathers the inputs through the Runner.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import socket

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import parse_proc_mounts
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import (
    Step, ToolError, commands_of)

DEFAULT_CONFIG_FILE = "/etc/ocfs2/cluster.conf"
CONFIGFS_CLUSTERS = "/sys/kernel/config/cluster"
# o2cb.init as upstream and EL install it, then Debian's name for the same script.
INIT_SCRIPTS = ("/sbin/o2cb.init", "/usr/sbin/o2cb.init", "/etc/init.d/o2cb")
HEARTBEAT_MODES = ("local", "global")

# o2cbtool_validate_clustername: at most 16 characters, only alphanumerics.
CLUSTER_NAME = re.compile(r"^[0-9A-Za-z]{1,16}$")
STANZA_HEADER = re.compile(r"^(\w+):\s*$")
ATTRIBUTE = re.compile(r"^\s+(\w+)\s*=\s*(.*?)\s*$")
NODE_FIELDS = ("name", "number", "ip_address", "ip_port", "cluster")


def cluster_name_problem(name):
    """Why o2cb refuses the cluster name, or None when it takes it. The one rule, for the
    modules (check_cluster_name) and the controller's inventory checks."""
    if not CLUSTER_NAME.match(name or ""):
        return ("cluster name %r is invalid: o2cb takes 1 to 16 alphanumeric characters "
                "(A-Z, a-z, 0-9; no '-', '_' or '.'). Choose another cluster_name." % (name,))
    return None


def check_cluster_name(name):
    problem = cluster_name_problem(name)
    if problem:
        raise ToolError(problem)


def is_local_node(node_name, hostname):
    """True when o2cb would register `node_name` as this host (o2cb_ctl/op_register.c).

    The node name matches the start of the host name, case-insensitively, up to its end or a '.'.
    """
    if len(hostname) < len(node_name):
        return False
    head, rest = hostname[:len(node_name)], hostname[len(node_name):]
    return head.lower() == node_name.lower() and (rest == "" or rest.startswith("."))


def parse_cluster_conf(text, path=DEFAULT_CONFIG_FILE):
    """Parse an o2cb cluster.conf into {cluster name: cluster}.

    Expects stanzas whose header starts in column 1 and indented "key = value" lines:
    "node:" then "\\tip_port = 7777", "\\tip_address = 192.168.7.11", "\\tnumber = 1",
    "\\tname = node1", "\\tcluster = ocfs2lab". A cluster is {"name", "heartbeat_mode",
    "node_count", "nodes": [...], "heartbeat_regions": [...]}; nodes are sorted by number.
    """
    stanzas = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = STANZA_HEADER.match(line)
        attribute = ATTRIBUTE.match(line)
        if header:
            stanzas.append((header.group(1), lineno, {}))
        elif attribute and stanzas:
            stanzas[-1][2][attribute.group(1)] = attribute.group(2)
        else:
            raise ToolError(
                "%s line %d is not a stanza header ('node:') nor an indented 'key = value' "
                "under one: %r. Fix the file (ocfs2.cluster.conf(5)); o2cb cannot read it "
                "either." % (path, lineno, line))

    clusters = {}
    for kind, lineno, values in stanzas:
        if kind == "cluster":
            name = values.get("name")
            if not name:
                raise ToolError("%s line %d: the cluster stanza has no name. Fix the file."
                                % (path, lineno))
            clusters[name] = {
                "name": name,
                "heartbeat_mode": values.get("heartbeat_mode", "local"),
                "node_count": _number(values.get("node_count", "0"), path, lineno, "node_count"),
                "nodes": [],
                "heartbeat_regions": [],
            }
    for kind, lineno, values in stanzas:
        cluster = clusters.get(values.get("cluster"))
        if kind == "node":
            missing = [field for field in NODE_FIELDS if not values.get(field)]
            if missing:
                raise ToolError("%s line %d: the node stanza lacks %s. Fix the file." % (
                    path, lineno, ", ".join(missing)))
            if cluster is not None:
                cluster["nodes"].append({
                    "name": values["name"],
                    "number": _number(values["number"], path, lineno, "number"),
                    "ip_address": values["ip_address"],
                    "port": _number(values["ip_port"], path, lineno, "ip_port"),
                })
        elif kind == "heartbeat" and cluster is not None and values.get("region"):
            cluster["heartbeat_regions"].append(values["region"])
    for cluster in clusters.values():
        cluster["nodes"].sort(key=lambda node: node["number"])
        cluster["heartbeat_regions"].sort()
    return clusters


def _number(text, path, lineno, field):
    if not text.isdigit():
        raise ToolError("%s line %d: %s = %r is not a number. Fix the file." % (
            path, lineno, field, text))
    return int(text)


# The o2cb timeouts a running cluster uses, in configfs, by the cluster role's variable names.
CONFIGFS_TIMEOUTS = {
    ("heartbeat", "dead_threshold"): "cluster_heartbeat_threshold",
    ("idle_timeout_ms",): "cluster_idle_timeout_ms",
    ("keepalive_delay_ms",): "cluster_keepalive_delay_ms",
    ("reconnect_delay_ms",): "cluster_reconnect_delay_ms",
}


def parse_configfs(text, root=CONFIGFS_CLUSTERS):
    """Parse `grep -r -H . /sys/kernel/config/cluster` into {cluster name: registration}.

    Expects lines like "/sys/kernel/config/cluster/ocfs2lab/node/node1/num:1" and
    "/sys/kernel/config/cluster/ocfs2lab/heartbeat/mode:local". A registration is
    {"name", "heartbeat_mode", "nodes": [...], "heartbeat_regions": [...]}: the regions are the
    heartbeat/<UUID>/ directories, one per active heartbeat (a mount in local mode); the
    timeouts it runs with are {"cluster_heartbeat_threshold": 31, "cluster_idle_timeout_ms": ...}.
    """
    prefix = root.rstrip("/") + "/"
    clusters = {}
    node_files = {}
    for line in text.splitlines():
        if not line.startswith(prefix) or ":" not in line:
            continue
        path, value = line[len(prefix):].split(":", 1)
        parts = path.split("/")
        cluster = clusters.setdefault(parts[0], {
            "name": parts[0], "heartbeat_mode": "local", "nodes": [], "heartbeat_regions": [],
            "timeouts": {}})
        if parts[1:] == ["heartbeat", "mode"]:
            cluster["heartbeat_mode"] = value.strip()
        elif tuple(parts[1:]) in CONFIGFS_TIMEOUTS and value.strip().isdigit():
            cluster["timeouts"][CONFIGFS_TIMEOUTS[tuple(parts[1:])]] = int(value.strip())
        elif len(parts) == 4 and parts[1] == "heartbeat":
            if parts[2] not in cluster["heartbeat_regions"]:
                cluster["heartbeat_regions"].append(parts[2])
        elif len(parts) == 4 and parts[1] == "node":
            node_files.setdefault((parts[0], parts[2]), {})[parts[3]] = value.strip()
    for (cluster_name, node_name), files in node_files.items():
        clusters[cluster_name]["nodes"].append({
            "name": node_name,
            "number": int(files["num"]) if files.get("num", "").isdigit() else None,
            "ip_address": files.get("ipv4_address"),
            "port": int(files["ipv4_port"]) if files.get("ipv4_port", "").isdigit() else None,
            "local": files.get("local") == "1",
        })
    for cluster in clusters.values():
        cluster["nodes"].sort(key=lambda node: (node["number"] is None, node["number"],
                                                node["name"]))
        cluster["heartbeat_regions"].sort()
    return clusters


def parse_ocfs2_mounts(text):
    """The OCFS2 mounts in /proc/mounts, as [{"device", "mount_point"}]; ocfs2_dlmfs is another
    type and does not count."""
    return [{"device": source, "mount_point": mount_point}
            for source, mount_point, fstype in parse_proc_mounts(text) if fstype == "ocfs2"]


def is_online(registration):
    """o2cb's own test (o2cb_ctl/o2cbutils.c): the local node is registered, and in global
    heartbeat mode at least one heartbeat region is active."""
    if registration is None or not any(node["local"] for node in registration["nodes"]):
        return False
    return registration["heartbeat_mode"] != "global" or bool(registration["heartbeat_regions"])


def config_nodes(found):
    """The nodes cluster.conf gives the cluster, each marked local when it is this host."""
    cluster = (found["config"] or {}).get(found["cluster_name"])
    if cluster is None:
        return []
    return [dict(node, local=is_local_node(node["name"], found["hostname"]))
            for node in cluster["nodes"]]


def _node_key(node):
    return (node["name"], node["number"], node["ip_address"], node["port"])


def _describe_node(node):
    return "%s (number %s, %s:%s)" % (node["name"], node["number"], node["ip_address"],
                                      node["port"])


def _config_cluster(found, purpose):
    """The cluster's stanzas in cluster.conf, or a refusal that says how to provide them."""
    path, name = found["config_file"], found["cluster_name"]
    if found["config"] is None:
        raise ToolError(
            "%s does not exist, so cluster %s cannot be %s. Write it first, e.g. with the "
            "ocfs2.cluster cluster role, the same on every node." % (path, name, purpose))
    cluster = found["config"].get(name)
    if cluster is None:
        raise ToolError(
            "%s describes no cluster %s (it describes: %s), so the cluster cannot be %s. "
            "Fix cluster_name, or write the cluster into the file, e.g. with the ocfs2.cluster "
            "cluster role." % (path, name, ", ".join(sorted(found["config"])) or "none", purpose))
    return cluster


def _o2cb(found, *words):
    return Step(["o2cb", "--config-file", found["config_file"]] + list(words))


def _init_script(found, verb):
    if not found["init_script"]:
        raise ToolError(
            "No o2cb init script on this host (looked for %s); it is what brings cluster %s %s "
            "with the timeouts of the o2cb sysconfig file. Install ocfs2-tools." % (
                ", ".join(INIT_SCRIPTS), found["cluster_name"], verb))
    return Step([found["init_script"], verb, found["cluster_name"]])


def find_init_script(exists=os.path.exists):
    """The first of INIT_SCRIPTS on this host, or None. ocfs2-tools 1.8.7 (Debian 12) ships
    only /etc/init.d/o2cb; 1.8.8 (Debian 13) also /usr/sbin/o2cb.init, a link to it, found as
    /sbin/o2cb.init where /sbin is /usr/sbin."""
    return next((script for script in INIT_SCRIPTS if exists(script)), None)


def plan_o2cb(found, params):
    """The Steps that bring `found` to params["state"]; [] when it is there already.

    `found` is what read_o2cb() returns. Refusals raise ToolError before anything runs.
    """
    name = params["cluster_name"]
    check_cluster_name(name)
    if params["state"] == "offline":
        return _plan_offline(found, params)
    return _plan_online(found, params)


def _plan_heartbeat_mode(found, params, cluster):
    """Set the requested heartbeat mode in cluster.conf; the callers refuse a running change."""
    wanted = params.get("heartbeat_mode")
    if not wanted or wanted == cluster["heartbeat_mode"]:
        return []
    return [_o2cb(found, "heartbeat-mode", found["cluster_name"], wanted)]


def _plan_offline(found, params):
    name = found["cluster_name"]
    steps = []
    if name in found["registered"]:
        if found["mounts"]:
            raise ToolError(
                "%s mounted on this node; refusing to take cluster %s offline under it. Unmount "
                "it first (umount %s), then set state: offline again." % (
                    ", ".join("OCFS2 %s is" % mount["mount_point"] for mount in found["mounts"]),
                    name, " ".join(mount["mount_point"] for mount in found["mounts"])),
                mounts=found["mounts"])
        steps.append(_init_script(found, "offline"))
    if params.get("heartbeat_mode"):
        cluster = _config_cluster(found, "switched to %s heartbeat" % params["heartbeat_mode"])
        steps += _plan_heartbeat_mode(found, params, cluster)
    return steps


def _plan_online(found, params):
    name, path = found["cluster_name"], found["config_file"]
    cluster = _config_cluster(found, "brought online")
    wanted_nodes = config_nodes(found)
    if not any(node["local"] for node in wanted_nodes):
        raise ToolError(
            "this host's name %s is not a node of cluster %s in %s (nodes: %s). o2cb registers "
            "the node whose name equals the host name (up to the first '.'): node names must "
            "equal the hosts' names. Rename the node in %s or the host." % (
                found["hostname"], name, path,
                ", ".join(node["name"] for node in wanted_nodes) or "none", path))
    others = sorted(other for other in found["registered"] if other != name)
    if others:
        raise ToolError(
            "cluster %s is registered on this node, and o2cb runs one cluster at a time. Take it "
            "offline first (state: offline, cluster_name: %s), then bring %s online." % (
                others[0], others[0], name))

    registration = found["registered"].get(name)
    online = is_online(registration)
    mode = params.get("heartbeat_mode") or cluster["heartbeat_mode"]
    if online and registration["heartbeat_mode"] != mode:
        running = registration["heartbeat_mode"]
        if params.get("heartbeat_mode"):
            source, remedy = "heartbeat_mode: %s was asked" % mode, (
                "Set state: offline on every node first, then heartbeat_mode: %s." % mode)
        else:
            source, remedy = "%s says %s" % (path, mode), (
                "Restore heartbeat_mode = %s in %s, or set state: offline on every node first "
                "to switch." % (running, path))
        raise ToolError(
            "cluster %s is online on this node in %s heartbeat mode, and %s; the mode cannot "
            "change while the cluster is online (the kernel keeps the mode while heartbeat "
            "regions are active, and without them o2cb switches the node out of the cluster). "
            "%s" % (name, running, source, remedy))
    if mode == "global" and not cluster["heartbeat_regions"]:
        raise ToolError(
            "cluster %s would run in global heartbeat mode, but %s lists no heartbeat region for "
            "it. Add one (o2cb add-heartbeat %s DEVICE, on a device formatted with "
            "mkfs.ocfs2 --global-heartbeat) or use heartbeat_mode: local." % (name, path, name))
    # Only the file changes here: a running cluster keeps its mode (refused above otherwise).
    steps = _plan_heartbeat_mode(found, params, cluster)

    if not online:
        if path != DEFAULT_CONFIG_FILE:
            raise ToolError(
                "cluster %s is offline on this node, and the o2cb init script that brings it "
                "online (with the timeouts of the o2cb sysconfig file, as at boot) reads %s only, "
                "not %s. Install the file as %s or leave config_file at its default." % (
                    name, DEFAULT_CONFIG_FILE, path, DEFAULT_CONFIG_FILE))
        return steps + [_init_script(found, "online")]

    registered = dict((node["name"], node) for node in registration["nodes"])
    wanted = dict((node["name"], node) for node in wanted_nodes)
    changed = [node for node in wanted_nodes if node["name"] in registered
               and _node_key(node) != _node_key(registered[node["name"]])]
    if changed:
        raise ToolError(
            "%s gives %s, but cluster %s runs with %s. A node's number, address or port cannot "
            "change while the cluster is online: set state: offline on every node, then online "
            "again, or restore the old values in %s." % (
                path, ", ".join(_describe_node(node) for node in changed), name,
                ", ".join(_describe_node(registered[node["name"]]) for node in changed), path))
    dropped_local = [node for node in registration["nodes"]
                     if node["local"] and node["name"] not in wanted]
    if dropped_local:
        raise ToolError(
            "%s no longer lists %s, the node cluster %s runs as on this host; re-registering would "
            "take this node out of the cluster. Restore it in %s, or set state: offline." % (
                path, dropped_local[0]["name"], name, path))
    if _needs_registering(registration, registered, wanted):
        # register-cluster makes configfs match the file (op_register.c): it registers the
        # added nodes and also unregisters the removed ones, which remove_node.yml took
        # offline first.
        steps.append(_o2cb(found, "register-cluster", name))
    if mode == "global" and registration["heartbeat_regions"] != cluster["heartbeat_regions"]:
        steps.append(_o2cb(found, "start-heartbeat", name))
    return steps


def _needs_registering(registration, registered, wanted):
    """Whether a running cluster must be re-registered from cluster.conf: for any difference
    in global heartbeat mode, where o2cb removes nodes online (o2cb(7)); only for added nodes
    in local mode, where it cannot, and a removed node stays registered until the cluster
    restarts on this node (removed_nodes reports it)."""
    if registration["heartbeat_mode"] == "global":
        return set(registered) != set(wanted)
    return bool(set(wanted) - set(registered))


def removed_nodes(found):
    """The names of the nodes registered in the running cluster that cluster.conf no longer
    lists; [] when it is not registered, or the file does not describe it."""
    registration = found["registered"].get(found["cluster_name"])
    if registration is None or (found["config"] or {}).get(found["cluster_name"]) is None:
        return []
    listed = set(node["name"] for node in config_nodes(found))
    return [node["name"] for node in registration["nodes"] if node["name"] not in listed]


def o2cb_summary(online, nodes, heartbeat_mode):
    """One shape for both sides of the diff."""
    return {
        "online": online,
        "heartbeat_mode": heartbeat_mode,
        "nodes": ["%s %s %s:%s%s" % (node["number"], node["name"], node["ip_address"],
                                     node["port"], " (local)" if node["local"] else "")
                  for node in nodes],
    }


def o2cb_report(found):
    """The module's return values for what read_o2cb() found."""
    name = found["cluster_name"]
    registration = found["registered"].get(name)
    cluster = (found["config"] or {}).get(name)
    if registration is not None:
        heartbeat_mode = registration["heartbeat_mode"]
    else:
        heartbeat_mode = cluster["heartbeat_mode"] if cluster else None
    return {
        "cluster_name": name,
        "online": is_online(registration),
        "heartbeat_mode": heartbeat_mode,
        "nodes": registration["nodes"] if registration else [],
        "config_nodes": config_nodes(found),
        "config_heartbeat_mode": cluster["heartbeat_mode"] if cluster else None,
        "config_heartbeat_regions": cluster["heartbeat_regions"] if cluster else [],
        "timeouts": registration.get("timeouts", {}) if registration else {},
        "removed_nodes": removed_nodes(found),
    }


def o2cb_diff(found, params, steps):
    """The diff of plan_o2cb()'s `steps` for what read_o2cb() found."""
    report = o2cb_report(found)
    before = o2cb_summary(report["online"], report["nodes"], report["heartbeat_mode"])
    if not steps:
        return {"before": before, "after": before}
    if params["state"] == "offline":
        mode = params.get("heartbeat_mode") or report["heartbeat_mode"]
        return {"before": before, "after": o2cb_summary(False, [], mode)}
    cluster = found["config"][found["cluster_name"]]
    mode = params.get("heartbeat_mode") or cluster["heartbeat_mode"]
    return {"before": before, "after": o2cb_summary(True, report["config_nodes"], mode)}


def check_outcome(found, params, steps, output):
    """After plan_o2cb()'s `steps` ran (their stdout: `output`): refuse to report success when
    the cluster did not get there.

    The init script and `o2cb register-cluster` both exit 0 after some failures (for example
    "Registering O2CB cluster ...: Failed"), so the state is read back instead of trusted.
    """
    report = o2cb_report(found)
    name = found["cluster_name"]
    commands = commands_of(steps)
    ran = "; ".join(" ".join(argv) for argv in commands)
    if params["state"] == "offline" and name in found["registered"]:
        raise ToolError("%s ran, yet cluster %s is still registered on this node. Its output: %s"
                        % (ran, name, output.strip()), commands=commands)
    if params["state"] == "online":
        wanted = sorted(_node_key(node) for node in report["config_nodes"])
        # In local mode a removed node may stay registered until the next restart.
        kept = report["removed_nodes"] if report["heartbeat_mode"] == "local" else []
        running = sorted(_node_key(node) for node in report["nodes"] if node["name"] not in kept)
        if not report["online"] or running != wanted:
            raise ToolError(
                "%s ran, yet cluster %s is %s on this node with nodes %s (%s lists %s). Its "
                "output: %s" % (
                    ran, name, "online" if report["online"] else "offline",
                    ", ".join(node["name"] for node in report["nodes"]) or "none",
                    found["config_file"],
                    ", ".join(node["name"] for node in report["config_nodes"]),
                    output.strip()), commands=commands)


def read_o2cb(run, params):
    """Gather what plan_o2cb() needs: cluster.conf, configfs, mounts, host name, init script."""
    path = params["config_file"]
    config = None
    if os.path.exists(path):
        config = parse_cluster_conf(run.read_file(path), path)
    rc, stdout, stderr = run(["grep", "-r", "-H", ".", CONFIGFS_CLUSTERS], check=False)
    # grep exits 1 when no cluster is registered, 2 when configfs has no cluster directory
    # because the o2cb modules are not loaded: both mean nothing is registered.
    if rc > 1 and os.path.isdir(CONFIGFS_CLUSTERS):
        raise ToolError("reading %s failed (rc=%d): %s" % (CONFIGFS_CLUSTERS, rc, stderr.strip()),
                        rc=rc, stderr=stderr)
    return {
        "cluster_name": params["cluster_name"],
        "config_file": path,
        "config": config,
        "registered": parse_configfs(stdout),
        "mounts": parse_ocfs2_mounts(run.read_file("/proc/mounts")),
        "hostname": socket.gethostname(),
        "init_script": find_init_script(),
    }
