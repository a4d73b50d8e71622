# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nodes of cluster.conf, planned from the inventory: names, stable numbers, addresses.

Pure: the cluster role gathers each host's facts and its current cluster.conf, and the
ocfs2.cluster.cluster_nodes filter calls plan_cluster_nodes() once for the whole group. A
mistake in the inventory raises ValueError, which the filters turn into AnsibleFilterError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import (
    cluster_name_problem, is_local_node)

# O2NM_MAX_NODES: node numbers run from 0 to 254 (o2cb_ctl/op_node.c).
MAX_NODES = 255
# O2NM_MAX_NAME_LEN.
MAX_NODE_NAME = 64
IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")

# The o2cb timeouts: (variable, o2cb setting, o2cb's minimum, the kernel's maximum).
# The minimums are o2cb.init's (vendor/common/o2cb.init.sh, MIN_HEARTBEAT_THRESHOLD and the
# others, which `o2cb.init configure` enforces). The kernel refuses 0 and anything from 2^32-1
# on for the o2net delays (fs/ocfs2/cluster/nodemanager.c, o2nm_cluster_attr_write), and keeps
# the heartbeat's (threshold - 1) * 2000 ms in 32 bits (O2HB_MAX_WRITE_TIMEOUT_MS, heartbeat.h).
O2CB_TIMEOUTS = (
    ("cluster_heartbeat_threshold", "O2CB_HEARTBEAT_THRESHOLD", 7, (2 ** 32 - 1) // 2000 + 1),
    ("cluster_idle_timeout_ms", "O2CB_IDLE_TIMEOUT_MS", 5000, 2 ** 32 - 2),
    ("cluster_keepalive_delay_ms", "O2CB_KEEPALIVE_DELAY_MS", 1000, 2 ** 32 - 2),
    ("cluster_reconnect_delay_ms", "O2CB_RECONNECT_DELAY_MS", 2000, 2 ** 32 - 2),
)


def _check_cluster_name(name):
    problem = cluster_name_problem(name)
    if problem:
        raise ValueError(problem)


def _is_ipv4(text):
    match = IPV4.match(text or "")
    return bool(match) and all(int(part) <= 255 for part in match.groups())


def _check_member(member):
    host, name = member["host"], member["node_name"]
    if not name or len(name) > MAX_NODE_NAME or not re.match(r"^[A-Za-z0-9][A-Za-z0-9.-]*$", name):
        raise ValueError(
            "host %s: cluster_node_name %r is not a valid o2cb node name (1 to %d letters, digits, "
            "'-' or '.'). Set cluster_node_name to the host's name." % (host, name, MAX_NODE_NAME))
    if not is_local_node(name, member["hostname"]):
        raise ValueError(
            "host %s: its node name is %r, but the host calls itself %r (hostname). o2cb finds "
            "the local node by the host name, so the cluster would not come online there. Set "
            "cluster_node_name: %s for this host, or rename the host."
            % (host, name, member["hostname"], member["hostname"].split(".")[0]))
    if not member["ip_address"]:
        raise ValueError(
            "host %s: no cluster address. Set cluster_node_ip for it, or cluster_interface to "
            "the interface on the cluster network (it has no IPv4 address on %r)."
            % (host, member.get("interface") or ""))
    if not _is_ipv4(member["ip_address"]):
        raise ValueError("host %s: cluster_node_ip %r is not an IPv4 address; o2cb speaks IPv4 "
                         "only. Set an IPv4 address." % (host, member["ip_address"]))
    if member.get("addresses") is not None and member["ip_address"] not in member["addresses"]:
        raise ValueError(
            "host %s: cluster_node_ip %s is not an address of this host (it has %s); o2cb "
            "listens on it. Set the host's address on the cluster network."
            % (host, member["ip_address"], ", ".join(member["addresses"]) or "none"))
    port = member["port"]
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError("host %s: cluster_port %r is not a TCP port (1-65535)." % (host, port))
    number = member.get("number")
    if number is not None and (not isinstance(number, int) or not 0 <= number < MAX_NODES):
        raise ValueError(
            "host %s: cluster_node_number %r is out of range; o2cb numbers nodes 0 to %d."
            % (host, number, MAX_NODES - 1))


def _duplicates(members, key):
    seen = {}
    for member in members:
        value = key(member)
        if value is None:
            continue
        if value in seen:
            return seen[value], member
        seen[value] = member
    return None


def _current_numbers(members):
    """{node name (lower case): number} from the cluster.conf every host has now.

    The numbers a running cluster knows must not change, so they are kept; two hosts whose
    files disagree are a conflict the operator resolves.
    """
    numbers, seen_on = {}, {}
    for member in members:
        for node in member.get("config") or []:
            key = node["name"].lower()
            if key in numbers and numbers[key] != node["number"]:
                raise ValueError(
                    "node %s has number %d in the cluster.conf of %s but %d in that of %s; the "
                    "files must be identical. Set cluster_node_number for %s to the number the "
                    "running cluster uses (o2cb list-nodes on a node where it is online)."
                    % (node["name"], numbers[key], seen_on[key], node["number"], member["host"],
                       node["name"]))
            numbers[key], seen_on[key] = node["number"], member["host"]
    return numbers


def parse_ip_addresses(text):
    """`ip -4 -o addr show` as {interface: [IPv4 addresses]}.

    Lines look like "2: eth1    inet 192.168.7.11/24 brd 192.168.7.255 scope global eth1...".
    """
    addresses = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == "inet":
            addresses.setdefault(fields[1], []).append(fields[3].split("/")[0])
    return addresses


def _as_int(value):
    """Inventory values may arrive as strings ("3"); anything else stays as it is, for the
    checks to name."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _registered_numbers(members):
    """{node name (lower case): (number, name)} of the nodes registered in configfs on any host
    (the running cluster's own view); hosts that disagree are refused like their files."""
    numbers, seen_on = {}, {}
    for member in members:
        for node in member.get("registered") or []:
            key = node["name"].lower()
            if node.get("number") is None:
                continue
            if key in numbers and numbers[key][0] != node["number"]:
                raise ValueError(
                    "node %s is registered as number %d on %s but as %d on %s; the running "
                    "cluster disagrees with itself. Take the cluster offline on every node, fix "
                    "cluster.conf and bring it online again." % (
                        node["name"], numbers[key][0], seen_on[key], node["number"],
                        member["host"]))
            numbers[key], seen_on[key] = (node["number"], node["name"]), member["host"]
    return numbers


def _online_hosts(members):
    return [member["host"] for member in members if member.get("online")]


def plan_cluster_heartbeat(members, cluster_name):
    """The heartbeat of cluster.conf: {"mode": "local" or "global", "regions": [UUID, ...]}.

    Kept from the hosts' current cluster.conf (new hosts get the same), so that the `heartbeat:`
    stanzas of a global heartbeat cluster stay; "local" without regions for a new cluster.
    Refuses files that disagree, global heartbeat without a region, and a mode other than the
    one the cluster runs with on a node where it is online: the mode cannot change while any
    node is online (o2cb(7)).
    """
    files = [(member["host"], member["config_heartbeat_mode"],
              sorted(member.get("config_heartbeat_regions") or []))
             for member in members if member.get("config_heartbeat_mode")]
    for host, mode, regions in files[1:]:
        if (mode, regions) != files[0][1:]:
            raise ValueError(
                "the cluster.conf of %s gives cluster %s %s heartbeat%s, but that of %s %s "
                "heartbeat%s; the files must be identical. Make them the same on every node "
                "(as the running cluster has it: o2cb list-cluster %s on a node where it is "
                "online), then run again." % (
                    files[0][0], cluster_name, files[0][1], _regions(files[0][2]), host, mode,
                    _regions(regions), cluster_name))
    mode, regions = files[0][1:] if files else ("local", [])
    if mode not in ("local", "global"):
        raise ValueError("the cluster.conf of %s gives cluster %s heartbeat_mode = %s; o2cb knows "
                         "local and global. Fix the file." % (files[0][0], cluster_name, mode))
    if mode == "global" and not regions:
        raise ValueError(
            "the cluster.conf of %s gives cluster %s global heartbeat but no heartbeat region; "
            "o2cb cannot bring it online. Add the region (o2cb add-heartbeat %s DEVICE) on every "
            "node, or set heartbeat_mode = local with the cluster offline on every node."
            % (files[0][0], cluster_name, cluster_name))
    running = sorted(set((member.get("heartbeat_mode"), member["host"])
                         for member in members if member.get("online")
                         and member.get("heartbeat_mode") not in (None, mode)))
    if running:
        raise ValueError(
            "cluster %s runs in %s heartbeat mode on %s, but cluster.conf (%s) gives %s; the "
            "heartbeat mode cannot change while any node is online, and nothing was written. "
            "Restore heartbeat_mode = %s in cluster.conf on every node, or take the cluster "
            "offline on every node (unmount its filesystems, systemctl stop o2cb) to switch." % (
                cluster_name, running[0][0], ", ".join(host for _mode, host in running),
                ", ".join(host for host, _mode, _regions in files) or "none", mode,
                running[0][0]))
    return {"mode": mode, "regions": regions}


def _regions(regions):
    return " (regions %s)" % ", ".join(regions) if regions else ""


def plan_cluster_nodes(members, cluster_name, group="ocfs2_nodes", removing=()):
    """The node stanzas of cluster.conf, sorted by number: [{"host", "name", "number",
    "ip_address", "port"}].

    `members` lists every host of the group, in inventory order: {"host", "node_name",
    "hostname", "number" (explicit, or None), "ip_address", "addresses" (the host's IPv4
    addresses, or None when unknown), "interface", "port", "config" (the cluster's nodes in the
    host's current cluster.conf)}, and what M(o2cb_info) found running there: "registered" (the
    nodes in configfs), "online", "heartbeat_mode", "config_heartbeat_mode",
    "config_heartbeat_regions". A node keeps an explicit number, else the number the running
    cluster or cluster.conf gives it, else gets the lowest number no node uses or still has
    registered, in inventory order: adding hosts never renumbers the others.

    `removing` names hosts of `members` by their inventory name (playbooks/remove_node.yml's
    remove_node) that are being taken out of the cluster: they are left out of the result, the
    others keep their numbers, and their nodes' numbers are not handed out. Their own
    variables are not checked: they leave with whatever they have.

    Planned against the running cluster, before anything is written: refuses renumbering a
    node while the cluster is online on any host (or silently, to give its number to another
    host's explicit cluster_node_number), an explicit number still registered for a node that
    left the group, and (in local heartbeat mode, while online) a registered node that left
    the group while some host's cluster.conf still lists it; playbooks/remove_node.yml takes a
    node out instead (offline first, then out of every file). A registered node that no
    cluster.conf lists was removed that way or by hand: accepted, its number stays taken, and
    the running nodes forget it at their next restart. Bad input raises ValueError naming the
    host and the variable.
    """
    _check_cluster_name(cluster_name)
    members = [dict(member, number=_as_int(member.get("number")), port=_as_int(member["port"]))
               for member in members]
    staying, removed = _split_removed(members, removing, group)
    _check_members(staying, group)

    heartbeat = plan_cluster_heartbeat(members, cluster_name)
    online = _online_hosts(members)
    registered = _registered_numbers(members)
    # What the cluster knows now: the running cluster's numbers win over the files'.
    known = dict((key, (number, key)) for key, number in _current_numbers(members).items())
    known.update(registered)
    planned_names = set(member["node_name"].lower() for member in staying)
    removed_names = set(member["node_name"].lower() for member in removed)
    # Nodes that leave: their numbers are not handed out again by this run.
    leaving = dict((key, value) for key, value in known.items() if key not in planned_names)
    if online and heartbeat["mode"] == "local":
        _refuse_dropping_configured_nodes(members, registered, planned_names | removed_names,
                                          online, cluster_name, group)
    for member in staying:
        for key, (number, name) in leaving.items():
            if member["number"] == number and key in registered and online:
                raise ValueError(
                    "host %s: cluster_node_number %d is still registered for %s (no longer in "
                    "the group %s) in cluster %s, online on %s; two nodes would share it. "
                    "Choose another number, or leave cluster_node_number unset." % (
                        member["host"], number, name, group, cluster_name, ", ".join(online)))
    # A removed host's own explicit number too, should its node be known nowhere.
    leaving_numbers = set(number for number, _name in leaving.values()) | set(
        member["number"] for member in removed if member["number"] is not None)
    nodes = _number_nodes(staying, known, registered, leaving_numbers, online, cluster_name)
    if removed:
        _refuse_renumbering_on_removal(nodes, known, removed)
    return nodes


def _refuse_renumbering_on_removal(nodes, known, removed):
    """Taking a node out changes nothing else: even with the cluster offline everywhere, where
    plan_cluster_nodes() would renumber on an explicit cluster_node_number."""
    for node in nodes:
        old = known.get(node["name"].lower())
        if old is not None and old[0] != node["number"]:
            raise ValueError(
                "host %s: cluster_node_number %d, but node %s is number %d now; removing %s "
                "renumbers no other node, and nothing was written. Set cluster_node_number %d "
                "or leave it unset, and renumber afterwards with playbooks/site.yml." % (
                    node["host"], node["number"], node["name"], old[0],
                    ", ".join(member["host"] for member in removed), old[0]))


def _split_removed(members, removing, group):
    """(the members that stay, the members being removed); refuses a removed host that is not
    a member, and removing the last one."""
    if not members:
        raise ValueError("the group %s has no host; put the cluster's hosts in it." % group)
    removing = [removing] if isinstance(removing, str) else list(removing)
    hosts = [member["host"] for member in members]
    for host in removing:
        if host not in hosts:
            raise ValueError("remove_node is %s, not a host of the group %s: name a host of %s "
                             "(%s)." % (host, group, group, ", ".join(hosts)))
    staying = [member for member in members if member["host"] not in removing]
    removed = [member for member in members if member["host"] in removing]
    if not staying:
        raise ValueError(
            "remove_node is %s, the last host of the group %s: the cluster would have no node "
            "left, and nothing was written. To stop the cluster instead, unmount its "
            "filesystems and systemctl stop o2cb on %s." % (
                ", ".join(removing), group, ", ".join(removing)))
    return staying, removed


def _check_members(members, group):
    """Each host's variables, then what two hosts must not share."""
    if len(members) > MAX_NODES:
        raise ValueError("the group %s has %d hosts; an o2cb cluster has at most %d nodes."
                         % (group, len(members), MAX_NODES))
    for member in members:
        _check_member(member)
    clash = _duplicates(members, lambda member: member["node_name"].lower())
    if clash:
        raise ValueError("hosts %s and %s have the same node name %s; each node needs its own. "
                         "Fix cluster_node_name or the host names."
                         % (clash[0]["host"], clash[1]["host"], clash[1]["node_name"]))
    clash = _duplicates(members, lambda member: member["number"])
    if clash:
        raise ValueError("hosts %s and %s both have cluster_node_number %d; each node needs its "
                         "own number. Change one of them."
                         % (clash[0]["host"], clash[1]["host"], clash[1]["number"]))
    clash = _duplicates(members, lambda member: member["ip_address"])
    if clash:
        raise ValueError("hosts %s and %s both have the cluster address %s; each node needs its "
                         "own. Fix cluster_node_ip or cluster_interface."
                         % (clash[0]["host"], clash[1]["host"], clash[1]["ip_address"]))


def _configured_on(members):
    """{node name (lower case): [hosts whose current cluster.conf lists it]}."""
    hosts_by_node = {}
    for member in members:
        for node in member.get("config") or []:
            hosts_by_node.setdefault(node["name"].lower(), []).append(member["host"])
    return hosts_by_node


def _refuse_dropping_configured_nodes(members, registered, accounted, online, cluster_name,
                                      group):
    """A registered node that left the group while a cluster.conf still lists it, in a running
    local heartbeat cluster: o2cb cannot unregister it online, and it may still be online with
    the filesystem mounted. remove_node.yml takes it offline before rewriting the files; once
    no file lists it, the running nodes forget it at their next restart."""
    configured_on = _configured_on(members)
    dropped = sorted(registered[key][1] for key in registered
                     if key not in accounted and key in configured_on)
    if not dropped:
        return
    listing = sorted(set(host for name in dropped for host in configured_on[name.lower()]))
    one = len(dropped) == 1
    raise ValueError(
        "%s %s registered in cluster %s, online on %s, and still in the cluster.conf of %s, but "
        "no longer %s of the group %s. In local heartbeat mode o2cb cannot unregister a node "
        "from a running cluster, and nothing was written. To take %s out of the cluster, put "
        "%s back in the group and run playbooks/remove_node.yml -e remove_node=HOST (HOST: "
        "%s inventory name)%s; to keep %s, put %s back in the group. Or take the cluster "
        "offline on every node (unmount its filesystems, systemctl stop o2cb) and run again."
        % (
            ", ".join(dropped), "is" if one else "are", cluster_name, ", ".join(online),
            ", ".join(listing), "a host" if one else "hosts", group,
            "it" if one else "them", "its host" if one else "their hosts",
            "its" if one else "each one's", "" if one else " once for each",
            "it" if one else "them", "it" if one else "them"))


def _number_nodes(members, known, registered, leaving_numbers, online, cluster_name):
    """Each member's number: explicit, else kept, else the lowest one nobody has."""
    explicit = dict((member["number"], member) for member in members
                    if member["number"] is not None)
    numbers = {}
    for member in members:
        if member["number"] is not None:
            numbers[member["host"]] = member["number"]
            continue
        kept = known.get(member["node_name"].lower())
        if kept is not None and kept[0] not in explicit:
            numbers[member["host"]] = kept[0]
    taken = set(numbers.values())
    if len(taken) != len(numbers):
        # A number kept from cluster.conf equals another node's kept number: the files were
        # edited by hand. Name one of the pair.
        clash = _duplicates([dict(member, kept=numbers.get(member["host"])) for member in members],
                            lambda member: member["kept"])
        raise ValueError("hosts %s and %s both have number %d in the current cluster.conf; set "
                         "cluster_node_number for one of them." % (
                             clash[0]["host"], clash[1]["host"], clash[1]["kept"]))
    unavailable = taken | leaving_numbers
    free = (number for number in range(MAX_NODES) if number not in unavailable)
    nodes = []
    for member in members:
        number = numbers.get(member["host"])
        if number is None:
            number = next(free, None)
            if number is None:
                raise ValueError("no node number is left for host %s: the numbers 0-%d are used "
                                 "or still registered. Take the cluster offline to free the "
                                 "numbers of nodes that left." % (member["host"], MAX_NODES - 1))
        nodes.append({"host": member["host"], "name": member["node_name"], "number": number,
                      "ip_address": member["ip_address"], "port": member["port"]})
    _refuse_renumbering(members, nodes, known, registered, explicit, online, cluster_name)
    return sorted(nodes, key=lambda node: node["number"])


def _refuse_renumbering(members, nodes, known, registered, explicit, online, cluster_name):
    """A node whose number would change: refused while the cluster is online anywhere (o2cb
    cannot renumber a running node), and refused offline too unless its own
    cluster_node_number asks for it (rather than another host's taking its number)."""
    planned = dict((node["host"], node["number"]) for node in nodes)
    for member in members:
        key = member["node_name"].lower()
        if key not in known or known[key][0] == planned[member["host"]]:
            continue
        old, new = known[key][0], planned[member["host"]]
        where = "the running cluster" if key in registered else "the current cluster.conf"
        taker = explicit.get(old)
        if member["number"] is None and taker is not None:
            raise ValueError(
                "host %s: cluster_node_number %d is the number of node %s in %s%s; %s would be "
                "renumbered to %d. Choose a free number for %s (the lowest is %d), or leave "
                "cluster_node_number unset there; nothing was written." % (
                    taker["host"], old, member["node_name"], where,
                    " (online on %s)" % ", ".join(online) if online else "",
                    member["node_name"], new, taker["host"], new))
        if online:
            raise ValueError(
                "host %s: cluster_node_number %d, but node %s is number %d in %s, online on %s; "
                "a node's number cannot change while the cluster is online, and nothing was "
                "written. Set cluster_node_number %d or leave it unset, or take the cluster "
                "offline on every node first." % (
                    member["host"], new, member["node_name"], old, where, ", ".join(online), old))


def render_cluster_conf(cluster_name, nodes, heartbeat=None):
    """cluster.conf in o2cb's own layout (what `o2cb add-node` and `o2cb add-heartbeat`
    write), so o2cb tools that rewrite the file change nothing else. `heartbeat` is
    plan_cluster_heartbeat()'s {"mode", "regions"}; local without regions by default."""
    heartbeat = heartbeat or {"mode": "local", "regions": []}
    lines = ["cluster:", "\tname = %s" % cluster_name, "\theartbeat_mode = %s" % heartbeat["mode"],
             "\tnode_count = %d" % len(nodes), ""]
    for region in heartbeat["regions"]:
        lines += ["heartbeat:", "\tcluster = %s" % cluster_name, "\tregion = %s" % region, ""]
    for node in nodes:
        lines += ["node:", "\tcluster = %s" % cluster_name, "\tnumber = %d" % node["number"],
                  "\tip_port = %d" % node["port"], "\tip_address = %s" % node["ip_address"],
                  "\tname = %s" % node["name"], ""]
    return "\n".join(lines) + "\n"


def _whole_number(value):
    """An int, or the int an inventory string ("-5", "61") spells; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"^\s*-?\d+\s*$", value):
        return int(value)
    return None


def _on_hosts(problems):
    """One sentence per problem, after the hosts that have it: "node1, node2: ..."."""
    hosts_by_problem = {}
    for host, problem in problems:
        hosts_by_problem.setdefault(problem, []).append(host)
    return ["%s: %s" % (", ".join(hosts), problem) for problem, hosts in hosts_by_problem.items()]


def running_timeout_problems(wanted, running_by_host, cluster_name):
    """The o2cb timeouts of `wanted` ({variable: value}, checked already) that differ from the
    ones the running cluster uses, as sentences; [] when none does or the cluster runs nowhere.

    `running_by_host` is {host: o2cb_info's timeouts} ({} where the cluster is not registered).
    o2cb writes the timeouts into configfs only when the cluster starts: a node restarted with
    other values than the running nodes cannot join them (the kernel: "Node 1 on device dm-1
    has a dead count of 122000 ms, but our count is 62000 ms"), so a new value is refused
    while the cluster runs anywhere.
    """
    problems = []
    for variable, setting, _minimum, _maximum in O2CB_TIMEOUTS:
        value = _whole_number(wanted.get(variable))
        hosts_by_running = {}
        for host in sorted(running_by_host):
            running = (running_by_host[host] or {}).get(variable)
            if running is not None and running != value:
                hosts_by_running.setdefault(running, []).append(host)
        for running, hosts in sorted(hosts_by_running.items()):
            problems.append(
                "%s is %s, but the O2CB cluster %s runs with %d on %s: o2cb applies the timeouts "
                "only when the cluster starts, and a node restarted with another value than the "
                "running nodes cannot join them. Set %s: %d to keep the running value, or change "
                "it with the filesystem unmounted and the cluster offline on every node (%s)." % (
                    variable, wanted.get(variable), cluster_name, running, ", ".join(hosts),
                    variable, running, setting))
    return problems


def o2cb_timeout_problems(timeouts_by_host):
    """What is wrong with the o2cb timeouts, as sentences naming the variable and the hosts;
    [] when o2cb and the kernel will take them.

    `timeouts_by_host` is {host: {"cluster_heartbeat_threshold": 61, ...}}. o2cb.init writes the
    values into configfs when the cluster starts; a value the kernel refuses ("write error:
    Invalid argument") leaves that node with the kernel's defaults, and nodes whose values
    differ do not join each other: o2hb refuses a node with another dead count, and o2net one
    with other network timeouts (fs/ocfs2/cluster/heartbeat.c, tcp.c).
    """
    problems = []
    for host, timeouts in timeouts_by_host.items():
        values = {}
        for variable, setting, minimum, maximum in O2CB_TIMEOUTS:
            value = _whole_number(timeouts.get(variable))
            if value is None:
                problems.append((host, "%s is %r, not a whole number: o2cb takes a number of %s "
                                       "(%s). Set a number." % (
                                           variable, timeouts.get(variable),
                                           "heartbeats" if "threshold" in variable else "ms",
                                           setting)))
            elif not minimum <= value <= maximum:
                problems.append((host, "%s is %d, out of range: o2cb takes %d to %d (%s; "
                                       "o2cb.init's minimum, and the kernel refuses what is out "
                                       "of range). Set it within that range." % (
                                           variable, value, minimum, maximum, setting)))
            else:
                values[variable] = value
        idle, keepalive = (values.get("cluster_idle_timeout_ms"),
                           values.get("cluster_keepalive_delay_ms"))
        if idle is not None and keepalive is not None and keepalive >= idle:
            problems.append((host, "cluster_keepalive_delay_ms (%d) is not below "
                                   "cluster_idle_timeout_ms (%d): the kernel refuses a keepalive "
                                   "delay that is not smaller than the idle timeout. Lower "
                                   "cluster_keepalive_delay_ms or raise cluster_idle_timeout_ms."
                                   % (keepalive, idle)))
    messages = _on_hosts(problems)
    for variable, _setting, _minimum, _maximum in O2CB_TIMEOUTS:
        hosts_by_value = {}
        for host, timeouts in timeouts_by_host.items():
            value = _whole_number(timeouts.get(variable))
            # repr(): a value that is no number may be a list or a dict, which cannot be a key.
            hosts_by_value.setdefault(repr(timeouts.get(variable)) if value is None else value,
                                      []).append(host)
        if len(hosts_by_value) > 1:
            messages.append(
                "%s differs between the nodes (%s): every node needs the same value, or the "
                "nodes do not join each other (o2hb refuses a node with another dead count, "
                "o2net one with other timeouts). Set it once for the group." % (
                    variable, "; ".join("%s on %s" % (value, ", ".join(hosts))
                                        for value, hosts in hosts_by_value.items())))
    return messages


def cluster_name_problems(names_by_host):
    """What is wrong with the cluster name, as sentences naming the hosts; [] when o2cb takes
    it and every host has the same one.

    `names_by_host` is {host: cluster_name}. The rule is cluster_name_problem()'s, the one the
    modules apply on the nodes, so site.yml refuses on the controller what o2cb_info would
    refuse there.
    """
    problems = []
    hosts_by_name = {}
    for host, name in names_by_host.items():
        # A name the inventory gave as a number (cluster_name: 42) is templated as text.
        name = None if name is None else str(name)
        hosts_by_name.setdefault(name, []).append(host)
        problem = cluster_name_problem(name)
        if problem:
            problems.append((host, problem))
    messages = _on_hosts(problems)
    if len(hosts_by_name) > 1:
        messages.append(
            "cluster_name differs between the nodes (%s): the nodes of one O2CB cluster share "
            "its name, in cluster.conf and on the filesystem. Set it once for the group." % (
                "; ".join("%r on %s" % (name, ", ".join(hosts))
                          for name, hosts in hosts_by_name.items())))
    return messages
