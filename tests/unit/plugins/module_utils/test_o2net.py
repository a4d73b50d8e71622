"""The o2net probe on the loopback: a listener, a closed port, and an address nobody has."""

import errno
import socket

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2net import (
    CLOSED, LISTENING, UNREACHABLE, check_probes, classify, probe_peer)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError


@pytest.fixture
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    yield server.getsockname()[1]
    server.close()


def free_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def peer(port, name="node2", ip_address="127.0.0.1"):
    return {"name": name, "ip_address": ip_address, "port": port}


def test_a_listening_peer_is_listening(listener):
    result = probe_peer(peer(listener), "127.0.0.1", 2)
    assert result["state"] == LISTENING and result["error"] == ""


def test_a_peer_that_resets_is_closed():
    result = probe_peer(peer(free_port()), "127.0.0.1", 2)
    assert result["state"] == CLOSED
    assert "refused" in result["error"].lower()


def test_a_source_address_this_host_lacks_is_unreachable():
    # 192.0.2.0/24 is TEST-NET-1: no host has it, so bind() fails before any packet leaves.
    result = probe_peer(peer(free_port()), "192.0.2.1", 2)
    assert result["state"] == UNREACHABLE


@pytest.mark.parametrize("error, state", [
    (socket.timeout("timed out"), UNREACHABLE),
    (OSError(errno.ECONNREFUSED, "Connection refused"), CLOSED),
    (OSError(errno.EHOSTUNREACH, "No route to host"), UNREACHABLE),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), UNREACHABLE),
    (OSError(errno.EINVAL, "Invalid argument"), UNREACHABLE),
])
def test_classify(error, state):
    assert classify(error) == state


def result(state, name="node2"):
    return {"name": name, "ip_address": "192.168.7.12", "port": 7777, "state": state,
            "error": "" if state == LISTENING else "[Errno 113] No route to host"}


def test_closed_peers_pass_before_the_cluster_is_online():
    check_probes([result(CLOSED), result(LISTENING, "node3")], False, "192.168.7.11", "node1")


def test_an_unreachable_peer_is_refused_naming_both_nodes():
    with pytest.raises(ToolError, match=r"node1 \(192.168.7.11\) cannot reach node2 "
                                        r"\(192.168.7.12:7777\) on the o2net port"):
        check_probes([result(UNREACHABLE)], False, "192.168.7.11", "node1")


def test_a_closed_peer_is_refused_once_the_cluster_should_be_online():
    with pytest.raises(ToolError, match="nothing listens there"):
        check_probes([result(CLOSED)], True, "192.168.7.11", "node1")
