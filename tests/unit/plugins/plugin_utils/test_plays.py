"""The check that a play covers the group it manages (the resize, outage and upgrade roles'
preflights)."""

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._plays import (
    left_out_of_play, play_coverage_problem)


def test_a_play_on_the_whole_group_has_no_problem():
    assert play_coverage_problem(["node1", "node2", "node3"], "ocfs2_nodes",
                                 ["node1", "node2", "node3"], "Do not --limit it.") == ""


def test_a_play_on_more_hosts_than_the_group_has_no_problem():
    assert play_coverage_problem(["node1", "node2", "other"], "ocfs2_nodes", ["node2", "node1"],
                                 "Do not --limit it.") == ""


def test_an_empty_group_has_no_problem():
    assert play_coverage_problem(["node1"], "ocfs2_nodes", [], "Do not --limit it.") == ""


def test_a_limited_play_names_the_hosts_it_leaves_out_in_the_group_s_order():
    assert play_coverage_problem(
        ["node2"], "ocfs2_nodes", ["node3", "node1", "node2"],
        "every node that mounts the filesystem must see the new size. Do not --limit resize.yml."
    ) == ("The play runs on node2, but ocfs2_nodes also has node3, node1: every node that mounts "
          "the filesystem must see the new size. Do not --limit resize.yml.")


def test_a_host_listed_twice_is_left_out_once():
    assert left_out_of_play(["node1"], ["node2", "node1", "node2"]) == ["node2"]

