"""Planning cluster.conf from the inventory: names, stable numbers, addresses, refusals."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.ocfs2.cluster.plugins.filter.cluster import (
    FilterModule, cluster_nodes_without)
from ansible_collections.ocfs2.cluster.plugins.plugin_utils._cluster import (
    cluster_name_problems, o2cb_timeout_problems, parse_ip_addresses, plan_cluster_heartbeat,
    plan_cluster_nodes, render_cluster_conf, running_timeout_problems)
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import (
    check_cluster_name, o2cb_report, parse_cluster_conf, parse_configfs)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError
from conftest import read_fixture


def member(index, **changes):
    """Host nodeN of the lab, as the cluster role describes it."""
    ip = "192.168.7.%d" % (10 + index)
    entry = {"host": "node%d" % index, "node_name": "node%d" % index,
             "hostname": "node%d" % index, "number": None, "ip_address": ip,
             "addresses": ["127.0.0.1", "10.0.2.15", ip], "interface": "eth1", "port": 7777,
             "config": []}
    entry.update(changes)
    return entry


def numbers(nodes):
    return dict((node["name"], node["number"]) for node in nodes)


def test_new_cluster_numbers_nodes_from_zero_in_inventory_order():
    nodes = plan_cluster_nodes([member(1), member(2), member(3)], "ocfs2lab")
    assert numbers(nodes) == {"node1": 0, "node2": 1, "node3": 2}
    assert nodes[0] == {"host": "node1", "name": "node1", "number": 0,
                        "ip_address": "192.168.7.11", "port": 7777}


def test_numbers_in_the_current_cluster_conf_are_kept_and_a_new_host_gets_a_free_one():
    # The file o2cb wrote for nodes 1-3; node4 is new and placed first in the inventory.
    current = parse_cluster_conf(read_fixture("ocfs2-tools-1.8.7/cluster_conf_o2cb_add_node.txt"))
    config = [dict(node, local=False) for node in current["ocfs2lab"]["nodes"]]
    members = [member(4)] + [member(index, config=config) for index in (1, 2, 3)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {
        "node4": 0, "node1": 1, "node2": 2, "node3": 3}


def test_an_explicit_number_wins_and_is_not_given_to_another_node():
    members = [member(1), member(2, number=0), member(3)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {
        "node2": 0, "node1": 1, "node3": 2}


def test_numbers_from_the_inventory_may_be_strings():
    assert numbers(plan_cluster_nodes([member(1, number="7", port="7777")], "ocfs2lab")) == {
        "node1": 7}


def test_node_name_matches_the_host_name_up_to_the_domain_case_insensitively():
    nodes = plan_cluster_nodes([member(1, hostname="NODE1.example.org")], "ocfs2lab")
    assert nodes[0]["name"] == "node1"


@pytest.mark.parametrize("members, cluster_name, message", [
    ([member(1)], "ocfs2-lab", "cluster name 'ocfs2-lab' is invalid"),
    ([member(1)], "averyveryverylongname", "1 to 16 alphanumeric"),
    ([member(1), member(2, node_name="client02")], "ocfs2lab",
     "host node2: its node name is 'client02', but the host calls itself 'node2'"),
    ([member(1), member(2, number=1), member(3, number=1)], "ocfs2lab",
     "hosts node2 and node3 both have cluster_node_number 1"),
    # Cloned hosts that kept the same address.
    ([member(1), member(2, ip_address="192.168.7.11", addresses=["192.168.7.11"])], "ocfs2lab",
     "hosts node1 and node2 both have the cluster address 192.168.7.11"),
    ([member(1, number=255)], "ocfs2lab", "cluster_node_number 255 is out of range"),
    ([member(1, ip_address="")], "ocfs2lab",
     "host node1: no cluster address. Set cluster_node_ip for it, or cluster_interface"),
    ([member(1, ip_address="192.168.7.99")], "ocfs2lab",
     "cluster_node_ip 192.168.7.99 is not an address of this host"),
    ([member(1, ip_address="fe80::1")], "ocfs2lab", "is not an IPv4 address"),
    ([member(1, port=70000)], "ocfs2lab", "cluster_port 70000 is not a TCP port"),
    ([], "ocfs2lab", "the group ocfs2_nodes has no host"),
])
def test_bad_input_is_refused_naming_the_host_and_the_variable(members, cluster_name, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        plan_cluster_nodes(members, cluster_name)


def test_more_than_255_hosts_are_refused():
    members = [member(index, ip_address="10.1.%d.%d" % divmod(index, 256), addresses=None)
               for index in range(256)]
    with pytest.raises(ValueError, match="256 hosts; an o2cb cluster has at most 255 nodes"):
        plan_cluster_nodes(members, "ocfs2lab")


def test_255_hosts_take_every_number():
    members = [member(index, ip_address="10.1.%d.%d" % divmod(index, 256), addresses=None)
               for index in range(255)]
    assert sorted(numbers(plan_cluster_nodes(members, "ocfs2lab")).values()) == list(range(255))


def test_current_files_that_disagree_on_a_number_are_refused():
    one = [{"name": "node1", "number": 1, "ip_address": "192.168.7.11", "port": 7777}]
    other = [{"name": "node1", "number": 2, "ip_address": "192.168.7.11", "port": 7777}]
    with pytest.raises(ValueError, match="node node1 has number 1 in the cluster.conf of node1 "
                                        "but 2 in that of node2"):
        plan_cluster_nodes([member(1, config=one), member(2, config=other)], "ocfs2lab")


def test_rendered_file_is_what_o2cb_itself_writes():
    nodes = [{"name": "node%d" % index, "number": index, "ip_address": "192.168.7.1%d" % index,
              "port": 7777} for index in (1, 2, 3)]
    expected = read_fixture("ocfs2-tools-1.8.7/cluster_conf_o2cb_add_node.txt")
    assert render_cluster_conf("ocfs2lab", nodes) == expected


def test_the_plan_renders_the_file_the_role_wrote_on_debian13():
    nodes = plan_cluster_nodes([member(1), member(2), member(3)], "ocfs2lab")
    expected = read_fixture("ocfs2-tools-1.8.8/cluster_conf_three_nodes.txt")
    assert render_cluster_conf("ocfs2lab", nodes) == expected


def test_rendered_file_reads_back_as_the_planned_nodes():
    nodes = plan_cluster_nodes([member(1), member(2), member(3)], "ocfs2lab")
    cluster = parse_cluster_conf(render_cluster_conf("ocfs2lab", nodes))["ocfs2lab"]
    assert cluster["node_count"] == 3
    assert [(node["name"], node["number"]) for node in cluster["nodes"]] == [
        ("node1", 0), ("node2", 1), ("node3", 2)]


@pytest.mark.parametrize("iproute2", ["iproute2-6.1.0/", "iproute2-6.15.0/"],
                         ids=["debian12", "debian13"])
def test_ip_addresses_by_interface(iproute2):
    text = read_fixture(iproute2 + "ip_4_o_addr_show.txt")
    assert parse_ip_addresses(text) == {"lo": ["127.0.0.1"], "eth0": ["10.0.2.15"],
                                        "eth1": ["192.168.7.11"]}


# o2cb timeouts

DEFAULT_TIMEOUTS = {"cluster_heartbeat_threshold": 61, "cluster_idle_timeout_ms": 30000,
                    "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000}


def timeouts(**changes):
    return dict(DEFAULT_TIMEOUTS, **changes)


def test_the_role_defaults_and_o2cb_defaults_are_within_bounds():
    assert o2cb_timeout_problems({"node1": timeouts(), "node2": timeouts()}) == []
    assert o2cb_timeout_problems({"node1": timeouts(cluster_heartbeat_threshold=31)}) == []


def test_the_smallest_values_o2cb_takes_are_accepted():
    assert o2cb_timeout_problems({"node1": timeouts(
        cluster_heartbeat_threshold=7, cluster_idle_timeout_ms=5000,
        cluster_keepalive_delay_ms=1000, cluster_reconnect_delay_ms=2000)}) == []


def test_a_negative_threshold_from_extra_vars_is_refused_on_every_host():
    # site.yml -e cluster_heartbeat_threshold=-5: the kernel answered "write error: Invalid
    # argument" at the next start, and the node stayed out of the cluster.
    every = dict((host, timeouts(cluster_heartbeat_threshold="-5"))
                 for host in ("node1", "node2", "node3"))
    assert o2cb_timeout_problems(every) == [
        "node1, node2, node3: cluster_heartbeat_threshold is -5, out of range: o2cb takes 7 to "
        "2147484 (O2CB_HEARTBEAT_THRESHOLD; o2cb.init's minimum, and the kernel refuses what is "
        "out of range). Set it within that range."]


@pytest.mark.parametrize("changes, message", [
    ({"cluster_heartbeat_threshold": 6}, "cluster_heartbeat_threshold is 6, out of range: o2cb "
                                         "takes 7 to"),
    ({"cluster_idle_timeout_ms": 4999}, "cluster_idle_timeout_ms is 4999, out of range: o2cb "
                                        "takes 5000 to 4294967294"),
    ({"cluster_keepalive_delay_ms": 0}, "cluster_keepalive_delay_ms is 0, out of range"),
    ({"cluster_reconnect_delay_ms": 1000}, "cluster_reconnect_delay_ms is 1000, out of range: "
                                           "o2cb takes 2000"),
    ({"cluster_reconnect_delay_ms": 2 ** 32 - 1}, "cluster_reconnect_delay_ms is 4294967295, "
                                                  "out of range"),
    ({"cluster_heartbeat_threshold": "sixty"}, "cluster_heartbeat_threshold is 'sixty', not a "
                                               "whole number"),
    ({"cluster_keepalive_delay_ms": 30000}, "cluster_keepalive_delay_ms (30000) is not below "
                                            "cluster_idle_timeout_ms (30000)"),
    ({"cluster_idle_timeout_ms": 5000, "cluster_keepalive_delay_ms": 6000},
     "cluster_keepalive_delay_ms (6000) is not below cluster_idle_timeout_ms (5000)"),
])
def test_values_o2cb_or_the_kernel_refuse_are_named(changes, message):
    problems = o2cb_timeout_problems({"node1": timeouts(**changes)})
    assert len(problems) == 1 and problems[0].startswith("node1: " + message), problems


def test_nodes_with_different_thresholds_are_refused():
    # The kernel: "Node 1 on device dm-1 has a dead count of 122000 ms, but our count is
    # 62000 ms": node3 did not join.
    problems = o2cb_timeout_problems({"node1": timeouts(), "node2": timeouts(),
                                      "node3": timeouts(cluster_heartbeat_threshold=31)})
    assert problems == [
        "cluster_heartbeat_threshold differs between the nodes (61 on node1, node2; 31 on "
        "node3): every node needs the same value, or the nodes do not join each other (o2hb "
        "refuses a node with another dead count, o2net one with other timeouts). Set it once "
        "for the group."]


def test_a_number_given_as_a_string_equals_the_number():
    assert o2cb_timeout_problems({"node1": timeouts(cluster_heartbeat_threshold="61"),
                                  "node2": timeouts()}) == []


# The cluster name, checked on the controller before any host is contacted

def test_one_name_o2cb_takes_on_every_node_is_fine():
    assert cluster_name_problems({"node1": "ocfs2lab", "node2": "ocfs2lab"}) == []


def test_an_invalid_name_is_refused_with_the_message_the_modules_give():
    # site.yml -e cluster_name=ocfs2-cluster-of-the-lab went on until o2cb_info refused it on
    # the nodes; the filter says the same, naming the hosts.
    with pytest.raises(ToolError) as refusal:
        check_cluster_name("ocfs2-cluster-of-the-lab")
    every = dict((host, "ocfs2-cluster-of-the-lab") for host in ("node1", "node2", "node3"))
    assert cluster_name_problems(every) == ["node1, node2, node3: " + str(refusal.value)]
    assert str(refusal.value) == (
        "cluster name 'ocfs2-cluster-of-the-lab' is invalid: o2cb takes 1 to 16 alphanumeric "
        "characters (A-Z, a-z, 0-9; no '-', '_' or '.'). Choose another cluster_name.")


def test_names_that_differ_between_the_nodes_are_refused():
    assert cluster_name_problems({"node1": "ocfs2lab", "node2": "ocfs2lab",
                                  "node3": "vmstore"}) == [
        "cluster_name differs between the nodes ('ocfs2lab' on node1, node2; 'vmstore' on "
        "node3): the nodes of one O2CB cluster share its name, in cluster.conf and on the "
        "filesystem. Set it once for the group."]


def test_a_name_the_inventory_gives_as_a_number_is_checked_as_text():
    assert cluster_name_problems({"node1": 42}) == []
    assert cluster_name_problems({"node1": 12345678901234567}) == [
        "node1: cluster name '12345678901234567' is invalid: o2cb takes 1 to 16 alphanumeric "
        "characters (A-Z, a-z, 0-9; no '-', '_' or '.'). Choose another cluster_name."]


def test_the_cluster_name_problems_filter_is_the_same_check():
    cluster_name_problems_filter = FilterModule().filters()["cluster_name_problems"]
    assert cluster_name_problems_filter({"node1": "ocfs2lab"}) == []
    assert cluster_name_problems_filter({"node1": "ocfs2_lab"}) == cluster_name_problems(
        {"node1": "ocfs2_lab"})


# Planned against the running cluster (issue 11, item 6)

REGION = "98D608B2A251485783B9D9EE45A7DDF5"


def running(index, conf="cluster_conf_two_nodes.txt", configfs="configfs_online.txt", **changes):
    """Host nodeN as the cluster role describes it from what o2cb_info found there: the
    cluster.conf and configfs captured in the lab (fixture None: no file, nothing registered)."""
    text = read_fixture("ocfs2-tools-1.8.7/" + conf) if conf else None
    report = o2cb_report({
        "cluster_name": "ocfs2lab", "config_file": "/etc/ocfs2/cluster.conf",
        "config": parse_cluster_conf(text) if text else None,
        "registered": parse_configfs(read_fixture("ocfs2-tools-1.8.7/" + configfs))
        if configfs else {}, "mounts": [], "hostname": "node%d" % index, "init_script": None})
    entry = member(index, config=report["config_nodes"], registered=report["nodes"],
                   online=report["online"], heartbeat_mode=report["heartbeat_mode"],
                   config_heartbeat_mode=report["config_heartbeat_mode"],
                   config_heartbeat_regions=report["config_heartbeat_regions"])
    entry.update(changes)
    return entry


def new_host(index, **changes):
    return member(index, registered=[], online=False, heartbeat_mode=None,
                  config_heartbeat_mode=None, config_heartbeat_regions=[], **changes)


def test_the_running_cluster_plans_itself_unchanged():
    members = [running(1), running(2)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {"node1": 1, "node2": 2}
    assert plan_cluster_heartbeat(members, "ocfs2lab") == {"mode": "local", "regions": []}


def test_a_new_host_joins_a_running_cluster_with_the_lowest_free_number():
    assert numbers(plan_cluster_nodes([running(1), running(2), new_host(3)], "ocfs2lab")) == {
        "node1": 1, "node2": 2, "node3": 0}


def test_an_explicit_number_that_a_running_node_has_is_refused():
    # node3 is new and asks for 2, node2's number: node2 used to be renumbered to 0.
    members = [running(1), running(2), new_host(3, number=2)]
    with pytest.raises(ValueError) as refused:
        plan_cluster_nodes(members, "ocfs2lab")
    assert str(refused.value) == (
        "host node3: cluster_node_number 2 is the number of node node2 in the running cluster "
        "(online on node1, node2); node2 would be renumbered to 0. Choose a free number for "
        "node3 (the lowest is 0), or leave cluster_node_number unset there; nothing was "
        "written.")


def test_an_explicit_number_that_a_stopped_node_has_in_cluster_conf_is_refused_too():
    members = [running(1, configfs=None), running(2, configfs=None), new_host(3, number=1)]
    with pytest.raises(ValueError, match="host node3: cluster_node_number 1 is the number of "
                                        "node node1 in the current cluster.conf; node1 would "
                                        "be renumbered"):
        plan_cluster_nodes(members, "ocfs2lab")


def test_renumbering_a_running_node_is_refused():
    with pytest.raises(ValueError, match=r"host node2: cluster_node_number 5, but node node2 is "
                                        r"number 2 in the running cluster, online on node1, "
                                        r"node2; a node's number cannot change while the "
                                        r"cluster is online"):
        plan_cluster_nodes([running(1), running(2, number=5)], "ocfs2lab")


def test_renumbering_asked_for_with_the_cluster_offline_everywhere_is_planned():
    members = [running(1, configfs=None), running(2, configfs=None, number=5)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {"node1": 1, "node2": 5}


def test_the_number_of_a_node_that_left_is_not_given_to_a_new_host():
    # node3 left the inventory; its number 3 stays out of the free numbers.
    conf = "cluster_conf_o2cb_add_node.txt"
    members = [running(1, conf, configfs=None), running(2, conf, configfs=None),
               new_host(4, number=0), new_host(5)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {
        "node4": 0, "node1": 1, "node2": 2, "node5": 4}


def test_dropping_a_registered_node_still_in_cluster_conf_in_local_mode_is_refused():
    # node3 registered and online with node1 and node2, and still in their cluster.conf; the
    # inventory no longer has it. It may still be online there with the filesystem mounted.
    conf, configfs = "cluster_conf_o2cb_add_node.txt", "configfs_online_node3_registered.txt"
    with pytest.raises(ValueError) as refused:
        plan_cluster_nodes([running(1, conf, configfs), running(2, conf, configfs)], "ocfs2lab")
    assert str(refused.value) == (
        "node3 is registered in cluster ocfs2lab, online on node1, node2, and still in the "
        "cluster.conf of node1, node2, but no longer a host of the group ocfs2_nodes. In local "
        "heartbeat mode o2cb cannot unregister a node from a running cluster, and nothing was "
        "written. To take it out of the cluster, put its host back in the group and run "
        "playbooks/remove_node.yml -e remove_node=HOST (HOST: its inventory name); to keep it, "
        "put it back in the group. Or take the cluster offline on every node (unmount its "
        "filesystems, systemctl stop o2cb) and run again.")


def test_a_node_still_in_one_cluster_conf_only_is_refused_naming_that_host():
    configfs = "configfs_online_node3_registered.txt"
    members = [running(1, "cluster_conf_two_nodes.txt", configfs),
               running(2, "cluster_conf_o2cb_add_node.txt", configfs)]
    with pytest.raises(ValueError, match="node3 is registered in cluster ocfs2lab, online on "
                                        "node1, node2, and still in the cluster.conf of node2, "
                                        "but no longer a host of the group ocfs2_nodes"):
        plan_cluster_nodes(members, "ocfs2lab")


# After playbooks/remove_node.yml: node3 offline, out of every cluster.conf, and still
# registered on node1 and node2 until their next restart of o2cb. The state combines two
# captured files: node1's configfs after node3 was registered, and the two-node cluster.conf.
REMOVED = {"conf": "cluster_conf_two_nodes.txt", "configfs": "configfs_online_node3_registered.txt"}


def test_a_removed_node_that_no_cluster_conf_lists_is_accepted():
    members = [running(1, **REMOVED), running(2, **REMOVED)]
    assert plan_cluster_nodes(members, "ocfs2lab") == [
        {"host": "node1", "name": "node1", "number": 1, "ip_address": "192.168.7.11",
         "port": 7777},
        {"host": "node2", "name": "node2", "number": 2, "ip_address": "192.168.7.12",
         "port": 7777}]


def test_the_number_of_a_removed_node_still_registered_is_not_handed_out():
    # 0 is node4's, 1 and 2 are node1's and node2's, 3 is still registered for node3.
    members = [running(1, **REMOVED), running(2, **REMOVED), new_host(4, number=0), new_host(5)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {
        "node4": 0, "node1": 1, "node2": 2, "node5": 4}


def test_an_explicit_number_still_registered_for_a_removed_node_is_refused():
    members = [running(1, **REMOVED), running(2, **REMOVED), new_host(4, number=3)]
    with pytest.raises(ValueError, match="host node4: cluster_node_number 3 is still registered "
                                        "for node3 \\(no longer in the group ocfs2_nodes\\)"):
        plan_cluster_nodes(members, "ocfs2lab")


# Taking a node out: playbooks/remove_node.yml, with the host still in the group

# node1, node2 and node3 online, each in everyone's cluster.conf (captured on node1).
THREE = {"conf": "cluster_conf_o2cb_add_node.txt",
         "configfs": "configfs_online_node3_registered.txt"}


def three_running(**changes_of_node3):
    return [running(1, **THREE), running(2, **THREE), running(3, **dict(THREE, **changes_of_node3))]


def test_removing_a_node_plans_the_others_with_their_numbers():
    nodes = plan_cluster_nodes(three_running(), "ocfs2lab", removing=["node3"])
    assert nodes == [
        {"host": "node1", "name": "node1", "number": 1, "ip_address": "192.168.7.11",
         "port": 7777},
        {"host": "node2", "name": "node2", "number": 2, "ip_address": "192.168.7.12",
         "port": 7777}]
    # The rewritten file has the nodes of the two-node file the lab started from.
    rewritten = parse_cluster_conf(render_cluster_conf("ocfs2lab", nodes))["ocfs2lab"]
    two_nodes = parse_cluster_conf(read_fixture("ocfs2-tools-1.8.7/cluster_conf_two_nodes.txt"))
    assert rewritten["nodes"] == two_nodes["ocfs2lab"]["nodes"]


def test_removing_the_first_node_renumbers_no_other():
    assert numbers(plan_cluster_nodes(three_running(), "ocfs2lab", removing=["node1"])) == {
        "node2": 2, "node3": 3}


def test_the_removed_number_is_not_handed_out_in_the_same_plan():
    # node4 takes 0; node1's 1 stays out of the free numbers, so node5 gets 4.
    members = three_running() + [new_host(4, number=0), new_host(5)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab", removing=["node1"])) == {
        "node4": 0, "node2": 2, "node3": 3, "node5": 4}


def test_the_explicit_number_of_a_removed_host_that_never_joined_is_not_handed_out():
    members = [running(1), running(2), new_host(3, number=0), new_host(4)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab", removing=["node3"])) == {
        "node1": 1, "node2": 2, "node4": 3}


def test_the_removed_host_variables_are_not_checked():
    # Its cluster address is gone already; it leaves the cluster anyway.
    members = three_running(ip_address="", addresses=[])
    assert numbers(plan_cluster_nodes(members, "ocfs2lab", removing=["node3"])) == {
        "node1": 1, "node2": 2}


def test_removing_a_node_does_not_excuse_another_that_left_the_group():
    # node2 left the inventory without remove_node.yml while node3 is being removed.
    members = [running(1, **THREE), running(3, **THREE)]
    with pytest.raises(ValueError, match="^node2 is registered in cluster ocfs2lab, online on "
                                        "node1, node3, and still in the cluster.conf of node1, "
                                        "node3, but no longer a host of the group"):
        plan_cluster_nodes(members, "ocfs2lab", removing=["node3"])


def test_removing_a_node_renumbers_no_other_even_offline():
    members = [running(1, THREE["conf"], None), running(2, THREE["conf"], None, number=5),
               running(3, THREE["conf"], None)]
    with pytest.raises(ValueError) as refused:
        plan_cluster_nodes(members, "ocfs2lab", removing=["node3"])
    assert str(refused.value) == (
        "host node2: cluster_node_number 5, but node node2 is number 2 now; removing node3 "
        "renumbers no other node, and nothing was written. Set cluster_node_number 2 or leave "
        "it unset, and renumber afterwards with playbooks/site.yml.")


def test_removing_a_host_that_is_not_in_the_group_is_refused():
    with pytest.raises(ValueError) as refused:
        plan_cluster_nodes(three_running(), "ocfs2lab", "ocfs2_nodes", removing=["node9"])
    assert str(refused.value) == (
        "remove_node is node9, not a host of the group ocfs2_nodes: name a host of ocfs2_nodes "
        "(node1, node2, node3).")


def test_removing_the_last_host_is_refused():
    with pytest.raises(ValueError, match="^remove_node is node1, the last host of the group "
                                        "ocfs2_nodes: the cluster would have no node left"):
        plan_cluster_nodes([running(1)], "ocfs2lab", removing=["node1"])


def test_an_invalid_cluster_name_is_the_controller_s_error_with_the_module_s_words():
    # The rule and its words are the modules' (cluster_name_problem); an inventory mistake
    # raises ValueError here, which the filter turns into AnsibleFilterError, never ToolError.
    words = ("cluster name 'ocfs2-lab' is invalid: o2cb takes 1 to 16 alphanumeric characters "
             "(A-Z, a-z, 0-9; no '-', '_' or '.'). Choose another cluster_name.")
    with pytest.raises(ValueError) as refused:
        plan_cluster_nodes(three_running(), "ocfs2-lab")
    assert not isinstance(refused.value, ToolError) and str(refused.value) == words
    with pytest.raises(AnsibleFilterError) as filtered:
        FilterModule().filters()["cluster_nodes"](three_running(), "ocfs2-lab")
    assert str(filtered.value) == words


def test_the_filter_plans_without_the_removed_host_and_names_a_wrong_one():
    assert numbers(cluster_nodes_without(three_running(), "node3", "ocfs2lab", "vmhosts")) == {
        "node1": 1, "node2": 2}
    with pytest.raises(AnsibleFilterError, match="^remove_node is node9, not a host of the "
                                                 "group vmhosts: name a host of vmhosts"):
        cluster_nodes_without(three_running(), "node9", "ocfs2lab", "vmhosts")


def test_dropping_a_node_with_the_cluster_offline_is_planned():
    conf = "cluster_conf_o2cb_add_node.txt"
    members = [running(1, conf, configfs=None), running(2, conf, configfs=None)]
    assert numbers(plan_cluster_nodes(members, "ocfs2lab")) == {"node1": 1, "node2": 2}


def global_host(index, **changes):
    return running(index, "cluster_conf_global_one_region.txt", "configfs_online_global.txt",
                   **changes)


def test_dropping_a_node_of_a_global_heartbeat_cluster_is_planned():
    assert numbers(plan_cluster_nodes([global_host(1)], "ocfs2lab")) == {"node1": 1}


def test_a_number_still_registered_for_a_node_that_left_is_refused():
    # Global heartbeat: node2 may leave the running cluster, but its number is still registered.
    with pytest.raises(ValueError, match="host node3: cluster_node_number 2 is still registered "
                                        "for node2 \\(no longer in the group ocfs2_nodes\\) in "
                                        "cluster ocfs2lab, online on node1"):
        plan_cluster_nodes([global_host(1), new_host(3, number=2)], "ocfs2lab")


def test_a_global_heartbeat_cluster_keeps_its_heartbeat_stanzas():
    # The file used to be rendered in local mode, without its heartbeat: stanza.
    members = [global_host(1), global_host(2)]
    heartbeat = plan_cluster_heartbeat(members, "ocfs2lab")
    assert heartbeat == {"mode": "global", "regions": [REGION]}
    nodes = plan_cluster_nodes(members, "ocfs2lab")
    assert render_cluster_conf("ocfs2lab", nodes, heartbeat) == read_fixture(
        "ocfs2-tools-1.8.7/cluster_conf_global_one_region.txt")


def test_a_new_host_of_a_global_heartbeat_cluster_gets_the_same_heartbeat():
    members = [global_host(1), global_host(2), new_host(3)]
    assert plan_cluster_heartbeat(members, "ocfs2lab") == {"mode": "global", "regions": [REGION]}


def test_cluster_conf_files_that_disagree_on_the_heartbeat_are_refused():
    members = [running(1, "cluster_conf_global_one_region.txt", None),
               running(2, "cluster_conf_two_nodes.txt", None)]
    with pytest.raises(ValueError, match="the cluster.conf of node1 gives cluster ocfs2lab "
                                        "global heartbeat \\(regions %s\\), but that of node2 "
                                        "local heartbeat; the files must be identical" % REGION):
        plan_cluster_nodes(members, "ocfs2lab")


def test_a_heartbeat_mode_change_while_online_is_refused():
    # Running in local mode, while the files (edited by hand) say global.
    members = [running(1, "cluster_conf_global_one_region.txt", "configfs_online.txt"),
               running(2, "cluster_conf_global_one_region.txt", None)]
    with pytest.raises(ValueError, match="cluster ocfs2lab runs in local heartbeat mode on node1, "
                                        "but cluster.conf \\(node1, node2\\) gives global; the "
                                        "heartbeat mode cannot change while any node is online"):
        plan_cluster_nodes(members, "ocfs2lab")


def test_a_value_that_is_no_number_at_all_is_named_not_crashed_on():
    problems = o2cb_timeout_problems({"node1": timeouts(cluster_reconnect_delay_ms=[2000]),
                                      "node2": timeouts()})
    assert problems[0].startswith("node1: cluster_reconnect_delay_ms is [2000], not a whole "
                                  "number")
    assert problems[1].startswith("cluster_reconnect_delay_ms differs between the nodes ([2000] "
                                  "on node1; 2000 on node2)")


# ------------------------------------------------------------------ the running cluster's timeouts

ROLE_TIMEOUTS = {"cluster_heartbeat_threshold": 61, "cluster_idle_timeout_ms": 30000,
                 "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000}


def running_timeouts(fixture="configfs_online.txt"):
    """o2cb_info's timeouts on a node, from configfs captured in the lab."""
    from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import parse_configfs
    return parse_configfs(read_fixture("ocfs2-tools-1.8.7/" + fixture))["ocfs2lab"]["timeouts"]


def test_a_threshold_the_running_cluster_does_not_use_is_refused():
    """A cluster built by hand runs with the package's threshold, 31 (captured); the role's
    default is 61, which a restarted node would start with and then not join the others."""
    running = {"node1": running_timeouts(), "node2": running_timeouts(), "node3": {}}
    assert running_timeout_problems(ROLE_TIMEOUTS, running, "ocfs2lab") == [
        "cluster_heartbeat_threshold is 61, but the O2CB cluster ocfs2lab runs with 31 on node1, "
        "node2: o2cb applies the timeouts only when the cluster starts, and a node restarted "
        "with another value than the running nodes cannot join them. Set "
        "cluster_heartbeat_threshold: 31 to keep the running value, or change it with the "
        "filesystem unmounted and the cluster offline on every node (O2CB_HEARTBEAT_THRESHOLD)."]


def test_the_running_values_or_a_cluster_running_nowhere_pass():
    running = dict(ROLE_TIMEOUTS, cluster_heartbeat_threshold=31)
    assert running_timeout_problems(running, {"node1": running_timeouts()}, "ocfs2lab") == []
    # Offline everywhere (bare hosts, or a planned outage): the new values apply at the start.
    assert running_timeout_problems(ROLE_TIMEOUTS, {"node1": {}, "node2": {}}, "ocfs2lab") == []
    # Given as strings, as extra vars are.
    assert running_timeout_problems(dict((key, str(value)) for key, value in running.items()),
                                    {"node1": running_timeouts()}, "ocfs2lab") == []
