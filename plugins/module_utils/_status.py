# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""status.yml's summary: which nodes have the cluster online, where each filesystem is mounted.

Pure: the playbook passes what each host that answered returned, by host name, so a host that
did not answer is named as such and never takes another host's values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.common.text.formatters import bytes_to_human


def _filesystems(findmnt_stdout):
    """The mounts in `findmnt --json --bytes --output UUID,TARGET,SIZE,USED`, as
    {"filesystems": [{"uuid": "83e2...", "target": "/srv/ocfs2", "size": 3219128320,
    "used": 104857600}]}; findmnt prints nothing when nothing is mounted."""
    if not (findmnt_stdout or "").strip():
        return []
    return json.loads(findmnt_stdout).get("filesystems") or []


def summarize_status(cluster_name, hosts, o2cb_by_host, findmnt_by_host):
    """The summary lines. `hosts` is every host of the play, in order; `o2cb_by_host` and
    `findmnt_by_host` hold the o2cb_info result and findmnt's output of the hosts that
    answered."""
    answered = [host for host in hosts if host in o2cb_by_host]
    silent = [host for host in hosts if host not in o2cb_by_host]
    online = [host for host in answered if o2cb_by_host[host].get("online")]
    lines = ["cluster %s: online on %d of %d nodes (%s)" % (
        cluster_name, len(online), len(hosts), ", ".join(online) or "none")]
    if silent:
        lines.append("no answer from %s: %s state is unknown" % (
            ", ".join(silent), "its" if len(silent) == 1 else "their"))
    by_uuid = {}
    order = []
    for host in answered:
        for mount in _filesystems(findmnt_by_host.get(host)):
            if mount["uuid"] not in by_uuid:
                order.append(mount["uuid"])
                by_uuid[mount["uuid"]] = {"size": mount["size"], "used": mount["used"],
                                          "where": []}
            by_uuid[mount["uuid"]]["where"].append("%s:%s" % (host, mount["target"]))
    for uuid in order:
        filesystem = by_uuid[uuid]
        lines.append("filesystem UUID=%s: %s, %s used, mounted on %s" % (
            uuid, bytes_to_human(int(filesystem["size"])), bytes_to_human(int(filesystem["used"])),
            ", ".join(filesystem["where"])))
    if not order:
        lines.append("no OCFS2 filesystem mounted on any node%s" % (
            " that answered" if silent else ""))
    return lines
