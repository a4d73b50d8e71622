# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""status.yml's health report: what each node of the cluster reported, judged across the nodes,
as a report (JSON) and as a table for people. Pure: no I/O, the playbook passes what it read.

What a node reported (status.yml's ``status_node``, the shape of the fixtures that
tests/unit/fixtures/lab/health/capture.yml wrote, with ``files`` keyed by purpose)::

    {"kernel": "6.1.0-50-amd64",                 # ansible_facts.kernel
     "os_family": "Debian",                      # ansible_facts.os_family
     "o2cb_info": {...},          # ocfs2.cluster.o2cb_info's result (its msg when it failed)
     "multipath_info": {...},     # ocfs2.cluster.multipath_info's, name: the LUN; "map", or msg
     "filesystem_info": {...},    # ocfs2.cluster.filesystem_info's on the LUN's partition; msg
                                  # when it failed, skipped when the map is missing
     "findmnt": {"rc": 0, "stdout": "{\\"filesystems\\": [...]}", "stderr": ""},
     "livenodes": "0 1 2 \\n",   # /sys/kernel/debug/o2hb/livenodes; None when unreadable
     "packages": {"rc": 0, "stdout": "ocfs2-tools\\t1.8.7-1+b1\\n..."},  # skipped: unknown
     "files": {"cluster_conf": {"path": "/etc/ocfs2/cluster.conf", "sha1": "8836..."},
               "o2cb_settings": {"path": "/etc/default/o2cb", "sha1": "2cec..."}}}

``findmnt`` is ``findmnt --json --bytes --types ocfs2 --output UUID,SOURCE,TARGET,SIZE,USED,
OPTIONS``; ``sha1`` is None for a missing file. A host of the play without an entry did not
answer: it is named as such, and never takes another host's values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._resize import human

LIVENODES = "/sys/kernel/debug/o2hb/livenodes"
# Sources that name the same filesystem after a reboot and on every host. by-id's dm-name-
# links carry the map's name, which user_friendly_names numbers per host.
STABLE_FSTAB_SOURCES = ("UUID=", "LABEL=", "/dev/disk/by-id/", "/dev/disk/by-uuid/",
                        "/dev/disk/by-label/")
UNSTABLE_BY_ID = "/dev/disk/by-id/dm-name-"
# What status.yml's table shows, after the node's name: (title, key of _table_cells).
STATE_COLUMNS = (("O2CB", "o2cb"), ("SEES", "sees"), ("PATHS", "paths"), ("MOUNTED", "mounted"),
                 ("SIZE", "size"), ("USED", "used"), ("FSTAB", "fstab"))
VERSION_COLUMNS = (("HEARTBEAT", "heartbeat"), ("KERNEL", "kernel"),
                   ("OCFS2-TOOLS", "ocfs2_tools"), ("MULTIPATH-TOOLS", "multipath_tools"))


def parse_findmnt(stdout):
    """The mounts in findmnt's JSON, {"filesystems": [{"uuid": "f3f9...", "source":
    "/dev/mapper/mpatha-part1", "target": "/srv/ocfs2", "size": 3219128320, "used": 291680256,
    "options": "rw,noatime,_netdev,..."}]}; older findmnt prints nothing when nothing is
    mounted."""
    if not (stdout or "").strip():
        return []
    return json.loads(stdout).get("filesystems") or []


def parse_packages(stdout):
    """{package: version} from lines "ocfs2-tools\\t1.8.7-1+b1" (dpkg-query --showformat, rpm
    --queryformat); "package device-mapper-multipath is not installed" (rpm) is no version."""
    versions = {}
    for line in (stdout or "").splitlines():
        name, tab, version = line.partition("\t")
        if tab and name.strip() and version.strip():
            versions[name.strip()] = version.strip()
    return versions


def parse_livenodes(text):
    """The O2CB node numbers in /sys/kernel/debug/o2hb/livenodes ("0 1 2 \\n"); None when the
    file could not be read."""
    if text is None:
        return None
    return [int(word) for word in text.split() if word.isdigit()]


def _local_node(o2cb):
    """This host in the O2CB cluster ({"name": "node1", "number": 0}): the registered node,
    else cluster.conf's, that o2cb_info marks local; None when neither is known."""
    for node in list(o2cb.get("nodes") or []) + list(o2cb.get("config_nodes") or []):
        if node.get("local"):
            return {"name": node["name"], "number": node["number"]}
    return None


def _names_by_number(reported):
    names = {}
    for report in reported.values():
        o2cb = report.get("o2cb_info") or {}
        for node in list(o2cb.get("nodes") or []) + list(o2cb.get("config_nodes") or []):
            names.setdefault(node["number"], node["name"])
    return names


def _groups(values_by_host):
    """[(value, [hosts])] in the hosts' order; None (unknown, missing) is a value too."""
    groups = []
    for host, value in values_by_host:
        for known, hosts in groups:
            if known == value:
                hosts.append(host)
                break
        else:
            groups.append((value, [host]))
    return groups


def _spell_groups(groups, spell=str):
    return "; ".join("%s on %s" % (spell(value), ", ".join(hosts)) for value, hosts in groups)


def _names(hosts):
    return ", ".join(hosts)


def _result(reported, key, returned):
    """A read's return values; None when the read failed (no `returned` key: the module's msg
    says why) or was skipped."""
    result = reported.get(key) or {}
    return result if returned in result else None


def _read_node(reported, names_by_number):
    """What the report says of one node that answered, and what the checks need of it."""
    o2cb = _result(reported, "o2cb_info", "online")
    multipath = _result(reported, "multipath_info", "map") or {}
    filesystem_info = _result(reported, "filesystem_info", "filesystem")
    filesystem_read = reported.get("filesystem_info") or {}
    findmnt = reported.get("findmnt") or {}
    packages = reported.get("packages") or {}
    local = _local_node(o2cb or {})
    live_numbers = parse_livenodes(reported.get("livenodes"))
    versions = parse_packages(packages.get("stdout"))
    multipath_map = multipath.get("map")
    node = {
        "o2cb_online": None if o2cb is None else bool(o2cb.get("online")),
        "o2cb_node": local,
        "live_nodes": None if live_numbers is None else [
            names_by_number.get(number, number) for number in live_numbers],
        "heartbeat_mode": (o2cb or {}).get("heartbeat_mode"),
        "timeouts": dict((o2cb or {}).get("timeouts") or {}),
        "cluster_conf_sha1": reported["files"]["cluster_conf"]["sha1"],
        "o2cb_settings": dict(reported["files"]["o2cb_settings"]),
        "map": multipath_map and multipath_map["name"],
        "wwid": multipath_map and multipath_map["wwid"],
        "paths": [{"device": path["device"], "healthy": bool(path.get("healthy")),
                   "state": "%s/%s" % (path.get("dm_state"), path.get("checker_state"))}
                  for path in (multipath_map or {}).get("paths") or []],
        "mounted": False,
        "mount_point": None,
        "size_bytes": None,
        "used_bytes": None,
        "fstab_ok": None,
        "fstab_source": None,
        "kernel": reported.get("kernel"),
        "os_family": reported.get("os_family"),
        "ocfs2_tools": versions.get("ocfs2-tools"),
        "multipath_tools": versions.get("multipath-tools",
                                        versions.get("device-mapper-multipath")),
    }
    read = {
        "o2cb": o2cb,
        "o2cb_error": None if o2cb is not None else (
            (reported.get("o2cb_info") or {}).get("msg") or "no result"),
        "live_numbers": live_numbers,
        "map": multipath_map,
        "multipath_error": None if multipath_map else (
            (reported.get("multipath_info") or {}).get("msg") or "no result"),
        "filesystem_info": filesystem_info,
        "filesystem_error": None if filesystem_info is not None or filesystem_read.get(
            "skipped") else filesystem_read.get("msg") or "no result",
        "findmnt_ok": findmnt.get("rc", 0) in (0, 1),
        "findmnt": findmnt,
        "mounts": parse_findmnt(findmnt.get("stdout")) if findmnt.get("rc", 0) in (0, 1) else [],
        "packages_read": not packages.get("skipped"),
    }
    return node, read


def _pick_filesystem(answered, reads):
    """The filesystem as the first host that reads it sees it, preferring one where o2cb is
    online (mounted.ocfs2 names the mounting nodes then; offline it gives their numbers)."""
    seen = [host for host in answered
            if (reads[host]["filesystem_info"] or {}).get("filesystem")]
    online = [host for host in seen if (reads[host]["o2cb"] or {}).get("online")]
    chosen = (online or seen or [None])[0]
    return chosen and reads[chosen]["filesystem_info"]["filesystem"]


def _mounted_names(filesystem, names_by_number):
    return [names_by_number.get(int(name), name) if str(name).isdigit() else name
            for name in filesystem.get("mounted_nodes") or []]


def _in_play_order(names, hosts):
    return ([name for name in hosts if name in names]
            + [name for name in names if name not in hosts])


def _apply_mounts(node, read, uuid, mount_point):
    ours = [mount for mount in read["mounts"] if uuid is None or mount.get("uuid") == uuid]
    if not read["findmnt_ok"] and read["filesystem_info"] and read["filesystem_info"].get("mount"):
        ours = [{"target": read["filesystem_info"]["mount"]["mount_point"]}]
    here = [mount for mount in ours if mount.get("target") == mount_point]
    chosen = (here or ours or [None])[0]
    node["mounted"] = bool(here)
    if chosen:
        node["mount_point"] = chosen.get("target")
        node["size_bytes"] = chosen.get("size")
        node["used_bytes"] = chosen.get("used")


def _fstab_problems(host, read, uuid, mount_point):
    """What is wrong with the node's /etc/fstab entries of the filesystem (filesystem_info
    lists the entries that mount it by UUID=, LABEL= or a path that leads to the device)."""
    entries = read["filesystem_info"]["fstab"] or []
    problems = []
    here = [entry for entry in entries if entry["mount_point"] == mount_point]
    if not here:
        problems.append(
            "%s: /etc/fstab has no entry that mounts the filesystem at %s: it is not mounted "
            "again after a reboot. Run site.yml (the filesystem role adds it by UUID, with "
            "_netdev)." % (host, mount_point))
    for entry in entries:
        if entry["mount_point"] != mount_point:
            problems.append(
                "%s: /etc/fstab mounts the filesystem at %s, not at %s: remove that entry, or "
                "run site.yml with filesystem_move_mount: true." % (
                    host, entry["mount_point"], mount_point))
    for entry in here:
        source = entry["source"]
        if not source.startswith(STABLE_FSTAB_SOURCES) or source.startswith(UNSTABLE_BY_ID):
            problems.append(
                "%s: /etc/fstab mounts %s from %s, a name that can change (multipathd numbers "
                "its maps per host, the kernel its dm-N devices at boot, kpartx names "
                "partitions after its settings): mount it by UUID=%s instead (site.yml writes it "
                "so)." % (host, mount_point, source, uuid))
        if entry.get("fstype") != "ocfs2":
            problems.append("%s: /etc/fstab gives %s the type %s, not ocfs2: set ocfs2." % (
                host, mount_point, entry.get("fstype")))
        if "_netdev" not in (entry.get("options") or []):
            problems.append(
                "%s: the /etc/fstab entry of %s lacks _netdev: at boot it is mounted before the "
                "network and o2cb are up, and the mount fails. Add _netdev (site.yml writes "
                "it)." % (host, mount_point))
    return problems


def _drift_problems(answered, nodes):
    problems = []
    conf = _groups([(host, nodes[host]["cluster_conf_sha1"]) for host in answered])
    if len(conf) > 1:
        problems.append(
            "/etc/ocfs2/cluster.conf differs between the nodes (sha1 %s): every node needs the "
            "same file. Run site.yml (the cluster role writes it), or compare them: sha1sum "
            "/etc/ocfs2/cluster.conf." % _spell_groups(conf, _spell_sha1))
    elif conf and conf[0][0] is None:
        problems.append("%s: /etc/ocfs2/cluster.conf is missing: run site.yml (the cluster role "
                        "writes it)." % _names(conf[0][1]))
    settings = _groups([(host, nodes[host]["o2cb_settings"]["sha1"]) for host in answered])
    paths = ", ".join(path for path, _hosts in _groups(
        [(host, nodes[host]["o2cb_settings"]["path"]) for host in answered]))
    if len(settings) > 1:
        problems.append(
            "the o2cb settings (%s) differ between the nodes (sha1 %s): o2cb applies them when "
            "the cluster starts, and a node restarted with other timeouts than the running nodes "
            "cannot join them. Run site.yml (the cluster role writes the same settings on every "
            "node), or compare the files." % (paths, _spell_groups(settings, _spell_sha1)))
    elif settings and settings[0][0] is None:
        problems.append("%s: the o2cb settings (%s) are missing: run site.yml (the cluster role "
                        "writes them)." % (_names(settings[0][1]), paths))
    online = [host for host in answered if nodes[host]["o2cb_online"]]
    keys = []
    for host in online:
        keys.extend(key for key in sorted(nodes[host]["timeouts"]) if key not in keys)
    for key in keys:
        running = _groups([(host, nodes[host]["timeouts"].get(key)) for host in online
                           if nodes[host]["timeouts"]])
        if len(running) > 1:
            problems.append(
                "%s differs between the running nodes (%s): nodes with other timeouts do not "
                "join each other. Restart o2cb on the odd nodes with the cluster's value (the "
                "filesystem unmounted there), after site.yml wrote it." % (
                    key, _spell_groups(running)))
    modes = _groups([(host, nodes[host]["heartbeat_mode"]) for host in answered
                     if nodes[host]["heartbeat_mode"]])
    if len(modes) > 1:
        problems.append(
            "the heartbeat mode differs between the nodes (%s): every node needs the same. "
            "Set cluster.conf's heartbeat mode once (site.yml), and restart the cluster." % (
                _spell_groups(modes),))
    return problems


def _spell_sha1(value):
    return "missing" if value is None else value[:8]


def _heartbeat_problems(answered, nodes, reads):
    """A node's disk heartbeat must see every other node whose heartbeat runs: online, and in
    local mode only where it mounts a filesystem (local heartbeat regions start at mount)."""
    def beating(host):
        node = nodes[host]
        return bool(node["o2cb_online"] and node["o2cb_node"] and (
            node["heartbeat_mode"] == "global" or node["mounted"]))

    running = [host for host in answered if beating(host)]
    problems = []
    for host in running:
        live = reads[host]["live_numbers"]
        if live is None:
            continue
        unseen = [other for other in running if other != host
                  and nodes[other]["o2cb_node"]["number"] not in live]
        if unseen:
            problems.append(
                "%s: its heartbeat does not see %s, where o2cb is online%s: the nodes do not "
                "see each other's disk heartbeat. Check their paths to the LUN and the kernel "
                "log on both (dmesg | grep -i o2hb)." % (
                    host, _names("%s (node %d)" % (other, nodes[other]["o2cb_node"]["number"])
                                 for other in unseen),
                    "" if nodes[host]["heartbeat_mode"] == "global"
                    else " and the filesystem mounted"))
    return problems


def _multipath_problems(host, node, read, expected):
    if not read["map"]:
        return ["%s: cannot read the LUN's multipath map (%s): %s" % (
            host, expected["device"], read["multipath_error"])]
    problems = []
    for path in read["map"].get("paths") or []:
        if not path.get("healthy"):
            problems.append(
                "%s: path %s of map %s is not usable (dm %s, checker %s): I/O to the LUN goes "
                "over the other paths only. Check the path and its link to the storage "
                "(multipathd show paths); multipathd takes it back once its checker finds it "
                "ready." % (
                    host, path["device"], node["map"], path.get("dm_state"),
                    path.get("checker_state")))
    wanted = [entry for entry in expected.get("expected_maps") or []
              if str(entry.get("wwid")) == node["wwid"] and entry.get("paths") is not None]
    if wanted and len(node["paths"]) < int(wanted[0]["paths"]):
        problems.append(
            "%s: map %s has %d path%s, and multipath_expected_maps expects %d: check the "
            "missing paths' links to the storage (multipathd show paths)." % (
                host, node["map"], len(node["paths"]), "" if len(node["paths"]) == 1 else "s",
                int(wanted[0]["paths"])))
    return problems


def _mount_problems(host, node, read, uuid, mount_point):
    if node["mounted"]:
        return []
    if node["mount_point"]:
        return ["%s: the filesystem is mounted at %s, not at %s: run site.yml with "
                "filesystem_move_mount: true to move it." % (
                    host, node["mount_point"], mount_point)]
    others = [mount for mount in read["mounts"] if mount.get("target") == mount_point]
    if others:
        return ["%s: another OCFS2 filesystem (UUID=%s) is mounted at %s, not the LUN's "
                "(UUID=%s): check filesystem_device and filesystem_mount_point." % (
                    host, others[0].get("uuid"), mount_point, uuid)]
    return ["%s: the filesystem is not mounted at %s: mount it (mount %s, or run site.yml)%s." % (
        host, mount_point, mount_point,
        "" if node["o2cb_online"] else " once the O2CB cluster is online")]


def _filesystem_problems(cluster_name, answered, nodes, reads, expected, filesystem):
    problems = []
    for host in answered:
        read = reads[host]
        if read["filesystem_error"]:
            problems.append("%s: cannot read the filesystem on the LUN (%s): %s" % (
                host, expected["device"], read["filesystem_error"]))
        elif read["filesystem_info"] and not read["filesystem_info"].get("filesystem"):
            problems.append(
                "%s: the LUN (%s) holds no OCFS2 filesystem%s: check filesystem_device, or run "
                "site.yml to make it." % (host, expected["device"], _signature(read)))
    uuids = _groups([(host, reads[host]["filesystem_info"]["filesystem"]["uuid"])
                     for host in answered if (reads[host]["filesystem_info"] or {}).get(
                         "filesystem")])
    if len(uuids) > 1:
        problems.append(
            "the nodes see different filesystems on %s (UUID %s): check that filesystem_device "
            "names the same LUN on every node." % (expected["device"], _spell_groups(uuids)))
    if filesystem and filesystem.get("cluster_name") not in (None, cluster_name):
        problems.append(
            "the filesystem belongs to the O2CB cluster %s, not %s: no node of %s can mount "
            "it. Check filesystem_device (tunefs.ocfs2 --update-cluster-stack changes it)." % (
                filesystem["cluster_name"], cluster_name, cluster_name))
    if filesystem and "aborted-tunefs" in (filesystem.get("features") or []):
        # A tunefs.ocfs2 run that stopped midway (seen on the lab after a failed -N): the
        # kernel refuses to mount it ("unsupported optional features (20)").
        problems.append(
            "the filesystem is marked aborted-tunefs (a tunefs.ocfs2 run stopped midway): no "
            "node can mount it again until fsck.ocfs2 -y finishes it. Repair it in a planned "
            "outage: ansible-playbook playbooks/fsck.yml -e fsck_repair=true.")
    sizes = _groups([(host, nodes[host]["size_bytes"]) for host in answered
                     if nodes[host]["mounted"] and nodes[host]["size_bytes"] is not None])
    if len(sizes) > 1:
        problems.append(
            "the mounted filesystem's size differs between the nodes (%s): run resize.yml "
            "again, which brings every node to the new size." % _spell_groups(sizes, human))
    return problems


def _signature(read):
    found = (read["filesystem_info"] or {}).get("signature") or {}
    return " (blkid finds %s)" % found["TYPE"] if found.get("TYPE") else ""


def _slot_problem(hosts, nodes, filesystem, mounted_names):
    if not filesystem or filesystem.get("node_slots") is None:
        return []
    name_of = dict((host, (nodes.get(host, {}).get("o2cb_node") or {}).get("name", host))
                   for host in hosts)
    waiting = [host for host in hosts if name_of[host] not in mounted_names]
    free = int(filesystem["node_slots"]) - len(mounted_names)
    if free >= len(waiting):
        return []
    return ["the filesystem has %d node slots, %d used: %d free for %d hosts that do not mount "
            "it (%s), and a host without a slot cannot mount it. Add slots in a planned outage: "
            "ansible-playbook playbooks/slots.yml -e slots=%d." % (
                int(filesystem["node_slots"]), len(mounted_names), max(free, 0), len(waiting),
                _names(waiting), len(mounted_names) + len(waiting))]


def _notes(answered, nodes, reads):
    notes = []
    for key, what in (("kernel", "the kernel"), ("ocfs2_tools", "ocfs2-tools"),
                      ("multipath_tools", "the multipath tools")):
        versions = _groups([(host, nodes[host][key]) for host in answered
                            if nodes[host][key] is not None])
        if len(versions) > 1:
            notes.append("%s differs between the nodes (%s): fine during a rolling upgrade; "
                         "bring them to the same version." % (what, _spell_groups(versions)))
    for host in answered:
        if reads[host]["packages_read"] and nodes[host]["ocfs2_tools"] is None:
            notes.append("%s: ocfs2-tools' version is unknown: the package query named none."
                         % host)
        if nodes[host]["o2cb_online"] and reads[host]["live_numbers"] is None:
            notes.append("%s: cannot read %s (is debugfs mounted?): which nodes its heartbeat "
                         "sees is not checked." % (host, LIVENODES))
        o2cb = reads[host]["o2cb"] or {}
        configured = o2cb.get("config_heartbeat_mode")
        if o2cb.get("online") and configured and configured != o2cb.get("heartbeat_mode"):
            notes.append("%s: runs %s heartbeat, while cluster.conf gives %s: it takes effect "
                         "when the cluster restarts." % (
                             host, o2cb.get("heartbeat_mode"), configured))
    return notes


def health_report(cluster_name, hosts, expected, reported):
    """The report on the cluster: {"cluster", "healthy", "problems", "notes", "hosts", "silent",
    "online", "nodes": {host: facts}, "filesystem": {...}}.

    `hosts` is every host of the play, in order; `expected` is {"mount_point": "/srv/ocfs2",
    "device": filesystem_device, "expected_maps": multipath_expected_maps ([{wwid, paths}],
    optional)}; `reported` is {host: what it reported} (the module's docstring) for the hosts
    that answered. "healthy" is whether "problems" is empty; "notes" (versions that differ, a
    check that could not be made) do not make it unhealthy.
    """
    hosts = list(hosts)
    mount_point = expected["mount_point"]
    answered = [host for host in hosts if host in reported]
    silent = [host for host in hosts if host not in reported]
    names_by_number = _names_by_number(reported)
    nodes, reads = {}, {}
    for host in answered:
        nodes[host], reads[host] = _read_node(reported[host], names_by_number)
    filesystem = _pick_filesystem(answered, reads)
    uuid = filesystem and filesystem.get("uuid")
    fstab_problems = {}
    for host in answered:
        _apply_mounts(nodes[host], reads[host], uuid, mount_point)
        if (reads[host]["filesystem_info"] or {}).get("filesystem"):
            fstab_problems[host] = _fstab_problems(host, reads[host], uuid, mount_point)
            nodes[host]["fstab_ok"] = not fstab_problems[host]
            nodes[host]["fstab_source"] = next((
                entry["source"] for entry in reads[host]["filesystem_info"]["fstab"] or []
                if entry["mount_point"] == mount_point), None)
    mounted_names = _in_play_order(_mounted_names(filesystem or {}, names_by_number), hosts)

    problems = ["%s: did not answer (unreachable, or a read failed: see its tasks above): its "
                "state is unknown. Check that it is up and that Ansible reaches it: ansible -m "
                "ping %s" % (host, host) for host in silent]
    for host in answered:
        if nodes[host]["o2cb_online"] is None:
            problems.append("%s: cannot read the O2CB cluster %s: %s" % (
                host, cluster_name, reads[host]["o2cb_error"]))
        elif not nodes[host]["o2cb_online"]:
            problems.append("%s: the O2CB cluster %s is offline: start it (systemctl start o2cb, "
                            "or run site.yml), then mount %s." % (
                                host, cluster_name, mount_point))
    problems += _heartbeat_problems(answered, nodes, reads)
    problems += _drift_problems(answered, nodes)
    for host in answered:
        problems += _multipath_problems(host, nodes[host], reads[host], expected)
        if not reads[host]["findmnt_ok"]:
            problems.append("%s: findmnt failed (rc=%s): %s" % (
                host, reads[host]["findmnt"].get("rc"),
                (reads[host]["findmnt"].get("stderr") or "").strip()))
    problems += _filesystem_problems(cluster_name, answered, nodes, reads, expected, filesystem)
    for host in answered:
        problems += _mount_problems(host, nodes[host], reads[host], uuid, mount_point)
    for host in answered:
        problems += fstab_problems.get(host, [])
    problems += _slot_problem(hosts, nodes, filesystem, mounted_names)

    report_filesystem = None
    if filesystem:
        mounted_here = [host for host in answered if nodes[host]["mounted"]]
        report_filesystem = {
            "uuid": uuid, "label": filesystem.get("label") or None,
            "cluster_name": filesystem.get("cluster_name"), "device": expected["device"],
            "mount_point": mount_point, "size_bytes": filesystem.get("size_bytes"),
            "used_bytes": nodes[mounted_here[0]]["used_bytes"] if mounted_here else None,
            "slots": filesystem.get("node_slots"), "slots_used": len(mounted_names),
            "slots_free": None if filesystem.get("node_slots") is None else max(
                int(filesystem["node_slots"]) - len(mounted_names), 0),
            "mounted_nodes": mounted_names}
    return {
        "cluster": cluster_name,
        "healthy": not problems,
        "problems": problems,
        "notes": _notes(answered, nodes, reads),
        "hosts": hosts,
        "silent": silent,
        "online": [host for host in answered if nodes[host]["o2cb_online"]],
        "nodes": nodes,
        "filesystem": report_filesystem,
    }


def _paths_cell(node):
    if not node["paths"]:
        return "-" if node["map"] is None else "none"
    return " ".join("%s:%s" % (path["device"], "ok" if path["healthy"] else
                               path["state"].split("/")[0]) for path in node["paths"])


def _table_cells(node):
    """The node's cells, by column key; "?" where the node could not tell."""
    if node is None:
        return dict([(key, "?") for _title, key in STATE_COLUMNS + VERSION_COLUMNS],
                    o2cb="no answer")
    online = node["o2cb_online"]
    return {
        "o2cb": "?" if online is None else "online" if online else "offline",
        "sees": "?" if node["live_nodes"] is None else " ".join(
            str(name) for name in node["live_nodes"]) or "-",
        "paths": _paths_cell(node),
        "mounted": node["mount_point"] or "no",
        "size": "-" if node["size_bytes"] is None else human(int(node["size_bytes"])),
        "used": "-" if node["used_bytes"] is None else human(int(node["used_bytes"])),
        "fstab": "?" if node["fstab_ok"] is None else "ok" if node["fstab_ok"]
                 else "wrong" if node["fstab_source"] else "missing",
        "heartbeat": node["heartbeat_mode"] or "?",
        "kernel": node["kernel"] or "?",
        "ocfs2_tools": node["ocfs2_tools"] or "?",
        "multipath_tools": node["multipath_tools"] or "?",
    }


def _table(hosts, cells, columns):
    rows = [["NODE"] + [title for title, _key in columns]]
    rows += [[host] + [cells[host][key] for _title, key in columns] for host in hosts]
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
            for row in rows]


def health_lines(report):
    """The report for people: the cluster and filesystem in a line each, a table of the
    nodes' state and one of their versions (fixed-width columns, a header line each), then
    the problems and notes, and the verdict."""
    hosts = report["hosts"]
    lines = ["cluster %s: online on %d of %d nodes (%s)" % (
        report["cluster"], len(report["online"]), len(hosts), ", ".join(report["online"])
        or "none")]
    if report["silent"]:
        lines.append("no answer from %s: %s state is unknown" % (
            ", ".join(report["silent"]), "its" if len(report["silent"]) == 1 else "their"))
    filesystem = report["filesystem"]
    if filesystem:
        lines.append("filesystem UUID=%s at %s: %s, %s used" % (
            filesystem["uuid"], filesystem["mount_point"],
            "?" if filesystem["size_bytes"] is None else human(int(filesystem["size_bytes"])),
            "?" if filesystem["used_bytes"] is None else human(int(filesystem["used_bytes"]))))
        lines.append("node slots: %s, %d used, %s free; mounted on %s" % (
            filesystem["slots"], filesystem["slots_used"], filesystem["slots_free"],
            ", ".join(filesystem["mounted_nodes"]) or "no node"))
    else:
        lines.append("no OCFS2 filesystem found on the LUN by any node%s" % (
            " that answered" if report["silent"] else ""))
    cells = dict((host, _table_cells(report["nodes"].get(host))) for host in hosts)
    lines += _table(hosts, cells, STATE_COLUMNS)
    lines += _table(hosts, cells, VERSION_COLUMNS)
    for title, entries in (("problem", report["problems"]), ("note", report["notes"])):
        if entries:
            lines.append("%d %s%s:" % (len(entries), title, "" if len(entries) == 1 else "s"))
            lines += ["%d. %s" % (number, entry) for number, entry in enumerate(entries, 1)]
    lines.append("healthy" if report["healthy"] else "NOT HEALTHY: %d problem%s" % (
        len(report["problems"]), "" if len(report["problems"]) == 1 else "s"))
    return lines
