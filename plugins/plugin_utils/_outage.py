# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A planned outage of the shared filesystem (unmounted on every node, then mounted again),
for what needs it unmounted everywhere: tunefs.ocfs2 -N, a repair with fsck.ocfs2.

Pure: the outage role passes what each node reported. A node is {"name" (inventory host),
"o2cb_node" (its O2CB node name), "o2cb_online", "mounted" (the filesystem at the mount point),
"fstab" (filesystem_info's entries that mount it), "users" ([{"pid", "command"}] of processes
with files under the mount point)}.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _processes(users):
    return ", ".join("%s %s" % (user["pid"], user["command"]) for user in users)


def outage_problems(nodes, mounted_nodes, settings):
    """What stops the outage before anything is unmounted, as sentences that say what to do;
    [] when nothing does. `mounted_nodes`: the O2CB nodes that mount the filesystem
    (mounted.ocfs2 -f); `settings`: {"mount_point", "reason"}."""
    mount_point = settings["mount_point"]
    problems = []
    for node in nodes:
        if node["users"]:
            problems.append(
                "%s: %d process(es) use %s (%s); %s needs it unmounted on every node. Stop them, "
                "or move the VMs to a storage that stays, then run again" % (
                    node["name"], len(node["users"]), mount_point, _processes(node["users"]),
                    settings["reason"]))
        if not node["o2cb_online"]:
            problems.append(
                "%s: the O2CB cluster is offline here, so the filesystem could not be mounted "
                "again after the outage. Bring it online first (playbooks/site.yml)"
                % node["name"])
        if not any(entry["mount_point"] == mount_point for entry in node["fstab"]):
            problems.append(
                "%s: no /etc/fstab entry mounts the filesystem at %s, so it could not be mounted "
                "again after the outage. Run playbooks/site.yml first" % (
                    node["name"], mount_point))
    in_play = set(node["o2cb_node"].lower() for node in nodes)
    outside = [name for name in mounted_nodes if name.lower() not in in_play]
    if outside:
        problems.append(
            "%s %s the filesystem but %s not in the play; every node that mounts it must "
            "unmount it. Add %s to the inventory group, or unmount it there" % (
                ", ".join(outside), "mounts" if len(outside) == 1 else "mount",
                "is" if len(outside) == 1 else "are", "it" if len(outside) == 1 else "them"))
    return problems


def outage_plan(nodes, settings):
    """The outage in one sentence, for the operator to read before it starts."""
    mounted = [node["name"] for node in nodes if node["mounted"]]
    unmounted = [node["name"] for node in nodes if not node["mounted"]]
    return ("Outage for %s: %s unmounted on %s%s, then mounted again from /etc/fstab on %s. "
            "Nothing uses it now (checked on every node)." % (
                settings["reason"], settings["mount_point"], ", ".join(mounted) or "no node",
                " (not mounted now on %s)" % ", ".join(unmounted) if unmounted else "",
                ", ".join(node["name"] for node in nodes)))


def parse_users(ps_stdout):
    """[{"pid", "command"}] from `ps -o pid=,comm= -p PIDS`, the processes `fuser -m` found."""
    users = []
    for line in ps_stdout.splitlines():
        fields = line.split(None, 1)
        if len(fields) == 2 and fields[0].isdigit():
            users.append({"pid": int(fields[0]), "command": fields[1].strip()})
    return users
