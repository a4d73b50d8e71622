# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Can this node reach the other nodes on their o2net port? TCP connects, classified."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import socket
import time

from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

LISTENING = "listening"
# A reset: the host answered, nothing listens on the port (o2cb not online there yet).
CLOSED = "closed"
UNREACHABLE = "unreachable"


def classify(error):
    """The state a failed connect() leaves a peer in: CLOSED or UNREACHABLE."""
    if isinstance(error, socket.timeout):
        return UNREACHABLE
    if getattr(error, "errno", None) == errno.ECONNREFUSED:
        return CLOSED
    return UNREACHABLE


def probe_peer(peer, source_address, timeout, connect=socket.create_connection):
    """Connect to the peer's o2net port from the node's cluster address; {"name",
    "ip_address", "port", "state", "error", "seconds"}."""
    started = time.time()
    result = dict(peer, state=LISTENING, error="")
    try:
        source = (source_address, 0) if source_address else None
        connection = connect((peer["ip_address"], peer["port"]), timeout, source)
        connection.close()
    except (socket.error, socket.timeout) as error:
        result["state"] = classify(error)
        result["error"] = str(error) or error.__class__.__name__
    result["seconds"] = round(time.time() - started, 3)
    return result


def check_probes(results, require_listening, source_address, hostname):
    """Refuse when a peer is unreachable, or not listening when that is required."""
    unreachable = [result for result in results if result["state"] == UNREACHABLE]
    closed = [result for result in results if result["state"] == CLOSED]
    where = "%s (%s)" % (hostname, source_address) if source_address else hostname
    if unreachable:
        raise ToolError(
            "%s cannot reach %s on the o2net port: %s. The nodes of an OCFS2 cluster talk to "
            "each other over TCP on that port; check the cluster network, routes and firewalls "
            "between them (the port must be open both ways)." % (
                where, ", ".join(_describe(result) for result in unreachable),
                "; ".join("%s: %s" % (result["name"], result["error"]) for result in unreachable)),
            peers=results)
    if require_listening and closed:
        raise ToolError(
            "%s reaches %s, but nothing listens there on the o2net port (connection refused): "
            "the cluster is not online there, or a firewall rejects the port. Check o2cb "
            "cluster-status on %s and the firewall." % (
                where, ", ".join(_describe(result) for result in closed),
                ", ".join(result["name"] for result in closed)), peers=results)


def _describe(result):
    return "%s (%s:%d)" % (result["name"], result["ip_address"], result["port"])
