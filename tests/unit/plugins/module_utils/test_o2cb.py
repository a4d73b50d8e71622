"""o2cb parsing and planning, on cluster.conf, configfs and /proc/mounts captured in the lab."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._o2cb import (
    DEFAULT_CONFIG_FILE, check_cluster_name, check_outcome, config_nodes, find_init_script,
    is_local_node, is_online, o2cb_diff, o2cb_report, parse_cluster_conf, parse_configfs,
    parse_ocfs2_mounts, plan_o2cb)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Step, ToolError
from conftest import read_fixture

FIXTURES = "ocfs2-tools-1.8.7/"
DEBIAN13 = "ocfs2-tools-1.8.8/"
INIT = "/etc/init.d/o2cb"
REGION = "98D608B2A251485783B9D9EE45A7DDF5"
NODE1 = {"name": "node1", "number": 1, "ip_address": "192.168.7.11", "port": 7777}
NODE2 = {"name": "node2", "number": 2, "ip_address": "192.168.7.12", "port": 7777}
NODE3 = {"name": "node3", "number": 3, "ip_address": "192.168.7.13", "port": 7777}
REGISTER = Step(["o2cb", "--config-file", DEFAULT_CONFIG_FILE, "register-cluster", "ocfs2lab"])
ONLINE = Step([INIT, "online", "ocfs2lab"])
OFFLINE = Step([INIT, "offline", "ocfs2lab"])


def o2cb_step(*words):
    return Step(["o2cb", "--config-file", DEFAULT_CONFIG_FILE] + list(words))


def conf(fixture, ocfs2_tools=FIXTURES):
    return parse_cluster_conf(read_fixture(ocfs2_tools + fixture))


def configfs(fixture, ocfs2_tools=FIXTURES):
    return parse_configfs(read_fixture(ocfs2_tools + fixture))


def found(conf_fixture="cluster_conf_two_nodes.txt", configfs_fixture="configfs_online.txt",
          mounts_fixture="proc_mounts_no_ocfs2.txt", hostname="node1", cluster_name="ocfs2lab",
          config_file=DEFAULT_CONFIG_FILE, init_script=INIT, conf_text=None, configfs_text=None,
          ocfs2_tools=FIXTURES):
    """What read_o2cb() would return on node1 in the lab state the fixtures captured."""
    if conf_text is None and conf_fixture:
        conf_text = read_fixture(ocfs2_tools + conf_fixture)
    if configfs_text is None:
        configfs_text = read_fixture(ocfs2_tools + configfs_fixture)
    return {
        "cluster_name": cluster_name,
        "config_file": config_file,
        "config": None if conf_text is None else parse_cluster_conf(conf_text, config_file),
        "registered": parse_configfs(configfs_text),
        "mounts": parse_ocfs2_mounts(read_fixture(ocfs2_tools + mounts_fixture)),
        "hostname": hostname,
        "init_script": init_script,
    }


def params(state="online", cluster_name="ocfs2lab", heartbeat_mode=None,
           config_file=DEFAULT_CONFIG_FILE):
    return {"state": state, "cluster_name": cluster_name, "heartbeat_mode": heartbeat_mode,
            "config_file": config_file}


def local(node, is_local):
    return dict(node, local=is_local)


# cluster.conf


def test_parse_cluster_conf_written_by_hand():
    assert conf("cluster_conf_two_nodes.txt") == {"ocfs2lab": {
        "name": "ocfs2lab", "heartbeat_mode": "local", "node_count": 2,
        "nodes": [NODE1, NODE2], "heartbeat_regions": []}}


def test_parse_cluster_conf_as_o2cb_add_node_rewrote_it():
    cluster = conf("cluster_conf_o2cb_add_node.txt")["ocfs2lab"]
    assert cluster["nodes"] == [NODE1, NODE2, NODE3]
    assert cluster["node_count"] == 3


def test_parse_cluster_conf_as_the_role_wrote_it_on_debian13():
    # The role numbers the nodes from 0 in inventory order.
    assert conf("cluster_conf_three_nodes.txt", DEBIAN13) == {"ocfs2lab": {
        "name": "ocfs2lab", "heartbeat_mode": "local", "node_count": 3,
        "nodes": [dict(NODE1, number=0), dict(NODE2, number=1), dict(NODE3, number=2)],
        "heartbeat_regions": []}}


def test_parse_cluster_conf_with_global_heartbeat_region():
    cluster = conf("cluster_conf_global_one_region.txt")["ocfs2lab"]
    assert cluster["heartbeat_mode"] == "global"
    assert cluster["heartbeat_regions"] == [REGION]
    assert cluster["nodes"] == [NODE1, NODE2]


def test_parse_cluster_conf_names_the_file_and_line_it_cannot_read():
    text = read_fixture(FIXTURES + "cluster_conf_two_nodes.txt").replace(
        "\tnumber = 1", "\tnumber: 1")
    with pytest.raises(ToolError, match=r"/etc/ocfs2/cluster.conf line 9 .*'\\tnumber: 1'"):
        parse_cluster_conf(text, "/etc/ocfs2/cluster.conf")


def test_parse_cluster_conf_refuses_a_node_without_address():
    text = read_fixture(FIXTURES + "cluster_conf_two_nodes.txt").replace(
        "\tip_address = 192.168.7.12\n", "")
    with pytest.raises(ToolError, match=r"line 13: the node stanza lacks ip_address"):
        parse_cluster_conf(text)


def test_parse_cluster_conf_refuses_a_non_numeric_node_number():
    text = read_fixture(FIXTURES + "cluster_conf_two_nodes.txt").replace(
        "number = 2", "number = two")
    with pytest.raises(ToolError, match=r"number = 'two' is not a number"):
        parse_cluster_conf(text)


# configfs


def test_parse_configfs_online_cluster():
    assert configfs("configfs_online.txt") == {"ocfs2lab": {
        "name": "ocfs2lab", "heartbeat_mode": "local", "heartbeat_regions": [],
        "nodes": [local(NODE1, True), local(NODE2, False)],
        # The package's defaults, as a cluster built by hand runs.
        "timeouts": {"cluster_heartbeat_threshold": 31, "cluster_idle_timeout_ms": 30000,
                     "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000}}}


def test_parse_configfs_mounted_cluster_has_an_active_region():
    registration = configfs("configfs_online_mounted.txt")["ocfs2lab"]
    assert registration["heartbeat_regions"] == [REGION]
    assert registration["nodes"] == [local(NODE1, True), local(NODE2, False)]


def test_parse_configfs_of_the_debian13_lab_mounted_on_three_nodes():
    # The region is the filesystem's UUID; the timeouts are the role's (threshold 61).
    assert configfs("configfs_online_mounted.txt", DEBIAN13) == {"ocfs2lab": {
        "name": "ocfs2lab", "heartbeat_mode": "local",
        "heartbeat_regions": ["14544FAD09B447E2A66FE6C89DD03C45"],
        "nodes": [local(dict(NODE1, number=0), True), local(dict(NODE2, number=1), False),
                  local(dict(NODE3, number=2), False)],
        "timeouts": {"cluster_heartbeat_threshold": 61, "cluster_idle_timeout_ms": 30000,
                     "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000}}}
    assert is_online(configfs("configfs_online_mounted.txt", DEBIAN13)["ocfs2lab"]) is True


def test_parse_configfs_after_a_node_was_added_online():
    registration = configfs("configfs_online_node3_registered.txt")["ocfs2lab"]
    assert registration["nodes"] == [local(NODE1, True), local(NODE2, False), local(NODE3, False)]


def test_parse_configfs_stack_not_loaded_is_no_cluster():
    assert configfs("configfs_stack_not_loaded.txt") == {}


def test_parse_configfs_other_cluster():
    assert list(configfs("configfs_other_cluster_online.txt")) == ["other"]


@pytest.mark.parametrize("fixture, online", [
    ("configfs_online.txt", True),
    ("configfs_online_mounted.txt", True),
    ("configfs_online_global.txt", True),
    # Both states below were reached by commands that exited 0; o2cb cluster-status said offline.
    ("configfs_registered_without_local_node.txt", False),
    ("configfs_registered_global_no_region.txt", False),
])
def test_is_online_agrees_with_o2cb_cluster_status(fixture, online):
    assert is_online(configfs(fixture)["ocfs2lab"]) is online


def test_is_online_without_registration():
    assert is_online(None) is False


# /proc/mounts and names


@pytest.mark.parametrize("fixture, mount", [
    (FIXTURES + "proc_mounts_ocfs2_mounted.txt", {"device": "/dev/sda",
                                                  "mount_point": "/mnt/shared"}),
    (DEBIAN13 + "proc_mounts_node1_mounted.txt", {"device": "/dev/mapper/mpatha-part1",
                                                  "mount_point": "/srv/ocfs2"}),
], ids=["debian12", "debian13"])
def test_parse_ocfs2_mounts_finds_the_shared_mount(fixture, mount):
    assert parse_ocfs2_mounts(read_fixture(fixture)) == [mount]


def test_parse_ocfs2_mounts_does_not_count_dlmfs():
    assert parse_ocfs2_mounts(read_fixture(FIXTURES + "proc_mounts_no_ocfs2.txt")) == []


def test_parse_ocfs2_mounts_decodes_spaces():
    text = read_fixture(FIXTURES + "proc_mounts_ocfs2_mounted.txt").replace(
        "/mnt/shared", "/mnt/vm\\040disks")
    assert parse_ocfs2_mounts(text)[0]["mount_point"] == "/mnt/vm disks"


@pytest.mark.parametrize("node_name, hostname, expected", [
    ("node1", "node1", True),
    ("NODE1", "node1", True),
    ("node1", "node1.lab.example", True),
    ("node1", "node10", False),
    ("node1", "node", False),
    ("node1.lab", "node1", False),
])
def test_is_local_node_matches_like_o2cb(node_name, hostname, expected):
    assert is_local_node(node_name, hostname) is expected


@pytest.mark.parametrize("name", ["ocfs2lab", "A", "a234567890123456"])
def test_check_cluster_name_accepts_alphanumerics(name):
    check_cluster_name(name)


@pytest.mark.parametrize("name", ["", "ocfs2-lab", "ocfs2_lab", "a2345678901234567", "é"])
def test_check_cluster_name_refuses(name):
    with pytest.raises(ToolError, match=r"1 to 16 alphanumeric characters"):
        check_cluster_name(name)


# Plans: state online


def test_plan_is_empty_when_cluster_is_online_with_the_nodes_of_cluster_conf():
    assert plan_o2cb(found(), params()) == []


def test_plan_is_empty_when_mounted_and_heartbeat_mode_already_matches():
    state = found(configfs_fixture="configfs_online_mounted.txt",
                  mounts_fixture="proc_mounts_ocfs2_mounted.txt")
    assert plan_o2cb(state, params(heartbeat_mode="local")) == []


def test_plan_is_empty_on_the_debian13_lab_as_site_yml_left_it():
    state = found("cluster_conf_three_nodes.txt", "configfs_online_mounted.txt",
                  "proc_mounts_node1_mounted.txt", ocfs2_tools=DEBIAN13)
    assert plan_o2cb(state, params(heartbeat_mode="local")) == []


def test_plan_is_empty_when_host_name_has_a_domain():
    assert plan_o2cb(found(hostname="node1.lab.example"), params()) == []


def test_plan_brings_offline_cluster_online_with_the_init_script():
    state = found(configfs_fixture="configfs_stack_not_loaded.txt")
    assert plan_o2cb(state, params()) == [ONLINE]


def test_plan_brings_online_a_cluster_registered_without_the_local_node():
    state = found(configfs_fixture="configfs_registered_without_local_node.txt")
    assert plan_o2cb(state, params()) == [ONLINE]


def test_plan_registers_a_node_added_to_cluster_conf_while_online():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt")
    assert plan_o2cb(state, params()) == [REGISTER]


def test_plan_registers_from_the_given_config_file():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt", config_file="/tmp/add.conf")
    assert plan_o2cb(state, params(config_file="/tmp/add.conf")) == [
        Step(["o2cb", "--config-file", "/tmp/add.conf", "register-cluster", "ocfs2lab"])]


def removed_node3(**changes):
    """node1 after playbooks/remove_node.yml took node3 out (local heartbeat): node3 is no longer
    in cluster.conf, and still registered. Two captured files combined: the two-node cluster.conf
    and the configfs of node1 after node3 was registered."""
    return found(configfs_fixture="configfs_online_node3_registered.txt", **changes)


def test_plan_is_empty_when_only_a_removed_node_is_still_registered_in_local_mode():
    # register-cluster would unregister node3 under the running cluster; it is forgotten at the
    # next restart instead. Unchanged, so re-runs are idempotent.
    state = removed_node3()
    assert plan_o2cb(state, params()) == []
    assert o2cb_report(state)["removed_nodes"] == ["node3"]
    assert o2cb_diff(state, params(), [])["before"] == o2cb_diff(state, params(), [])["after"]


def test_plan_registers_an_added_node_while_a_removed_one_is_still_registered():
    # node3's stanza of the captured o2cb add-node file, renamed node4 (number 4, .14): node4
    # joins while node3, removed, is still registered. register-cluster also unregisters node3.
    text = read_fixture(FIXTURES + "cluster_conf_o2cb_add_node.txt").replace(
        "number = 3", "number = 4").replace("192.168.7.13", "192.168.7.14").replace(
        "name = node3", "name = node4")
    state = removed_node3(conf_text=text)
    assert plan_o2cb(state, params()) == [REGISTER]
    assert o2cb_report(state)["removed_nodes"] == ["node3"]
    assert o2cb_diff(state, params(), [REGISTER])["after"]["nodes"] == [
        "1 node1 192.168.7.11:7777 (local)", "2 node2 192.168.7.12:7777",
        "4 node4 192.168.7.14:7777"]


def global_with_node3_registered():
    """The captured global heartbeat configfs, with node3's lines of the captured local one:
    node3 removed from the global cluster.conf while registered."""
    node3_lines = [line for line in read_fixture(
        FIXTURES + "configfs_online_node3_registered.txt").splitlines(keepends=True)
        if "/node/node3/" in line]
    return found(conf_fixture="cluster_conf_global_one_region.txt",
                 configfs_text=read_fixture(FIXTURES + "configfs_online_global.txt")
                 + "".join(node3_lines))


def test_plan_unregisters_a_node_removed_from_cluster_conf_in_global_mode():
    # o2cb removes a node from a running cluster in global heartbeat mode (o2cb(7)).
    state = global_with_node3_registered()
    assert plan_o2cb(state, params()) == [REGISTER]
    assert o2cb_report(state)["removed_nodes"] == ["node3"]


def test_plan_is_empty_once_the_added_node_is_registered():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt",
                  configfs_fixture="configfs_online_node3_registered.txt")
    assert plan_o2cb(state, params()) == []


def test_plan_refuses_when_host_name_is_not_in_cluster_conf():
    with pytest.raises(ToolError) as error:
        plan_o2cb(found(hostname="node3"), params())
    message = str(error.value)
    assert "this host's name node3 is not a node of cluster ocfs2lab" in message
    assert DEFAULT_CONFIG_FILE in message and "(nodes: node1, node2)" in message
    assert "node names must equal the hosts' names" in message


def test_plan_refuses_a_bad_cluster_name_before_reading_anything():
    with pytest.raises(ToolError, match=r"cluster name 'ocfs2-lab' is invalid"):
        plan_o2cb(found(conf_fixture=None, cluster_name="ocfs2-lab"),
                  params(cluster_name="ocfs2-lab"))


def test_plan_refuses_without_cluster_conf():
    with pytest.raises(ToolError, match=r"/etc/ocfs2/cluster.conf does not exist.*Write it first, "
                                        r"e.g. with the ocfs2.cluster cluster role"):
        plan_o2cb(found(conf_fixture=None, configfs_fixture="configfs_stack_not_loaded.txt"),
                  params())


def test_plan_refuses_a_cluster_that_cluster_conf_does_not_describe():
    with pytest.raises(ToolError, match=r"describes no cluster prod \(it describes: ocfs2lab\)"):
        plan_o2cb(found(cluster_name="prod"), params(cluster_name="prod"))


def test_plan_refuses_while_another_cluster_is_registered():
    state = found(configfs_fixture="configfs_other_cluster_online.txt")
    with pytest.raises(ToolError, match=r"cluster other is registered on this node.*"
                                        r"state: offline, cluster_name: other"):
        plan_o2cb(state, params())


def test_plan_refuses_heartbeat_mode_change_while_online():
    with pytest.raises(ToolError, match=r"online on this node in local heartbeat mode, and "
                                        r"heartbeat_mode: global was asked; the mode cannot "
                                        r"change .* Set state: offline on every node first, "
                                        r"then heartbeat_mode: global\.$"):
        plan_o2cb(found(), params(heartbeat_mode="global"))
    state = found(conf_fixture="cluster_conf_global_one_region.txt",
                  configfs_fixture="configfs_online_global.txt")
    with pytest.raises(ToolError, match=r"online on this node in global heartbeat mode, and "
                                        r"heartbeat_mode: local was asked; the mode cannot"):
        plan_o2cb(state, params(heartbeat_mode="local"))


def test_plan_refuses_cluster_conf_edited_to_global_while_running_local():
    with pytest.raises(ToolError, match=r"online on this node in local heartbeat mode, and "
                                        r"/etc/ocfs2/cluster.conf says global; the mode cannot.*"
                                        r"Restore heartbeat_mode = local in "
                                        r"/etc/ocfs2/cluster\.conf"):
        plan_o2cb(found(conf_fixture="cluster_conf_global_one_region.txt"), params())


def test_plan_restores_the_running_mode_in_cluster_conf_when_asked():
    state = found(conf_fixture="cluster_conf_global_one_region.txt")
    assert plan_o2cb(state, params(heartbeat_mode="local")) == [
        o2cb_step("heartbeat-mode", "ocfs2lab", "local")]


def test_plan_refuses_global_heartbeat_without_region():
    state = found(configfs_fixture="configfs_stack_not_loaded.txt")
    with pytest.raises(ToolError, match=r"lists no heartbeat region"):
        plan_o2cb(state, params(heartbeat_mode="global"))


def test_plan_switches_offline_cluster_to_global_then_brings_it_online():
    text = read_fixture(FIXTURES + "cluster_conf_global_one_region.txt").replace(
        "heartbeat_mode = global", "heartbeat_mode = local")
    state = found(conf_text=text, configfs_fixture="configfs_stack_not_loaded.txt")
    assert plan_o2cb(state, params(heartbeat_mode="global")) == [
        o2cb_step("heartbeat-mode", "ocfs2lab", "global"), ONLINE]


def test_plan_is_empty_when_global_cluster_runs_its_region():
    state = found(conf_fixture="cluster_conf_global_one_region.txt",
                  configfs_fixture="configfs_online_global.txt")
    assert plan_o2cb(state, params(heartbeat_mode="global")) == []


def test_plan_starts_heartbeat_on_a_region_added_while_online():
    text = read_fixture(FIXTURES + "cluster_conf_global_one_region.txt") + (
        "\nheartbeat:\n\tcluster = ocfs2lab\n\tregion = 0A1B2C3D4E5F60718293A4B5C6D7E8F9\n")
    state = found(conf_text=text, configfs_fixture="configfs_online_global.txt")
    assert plan_o2cb(state, params()) == [o2cb_step("start-heartbeat", "ocfs2lab")]


def test_plan_refuses_to_change_a_node_address_while_online():
    text = read_fixture(FIXTURES + "cluster_conf_two_nodes.txt").replace(
        "192.168.7.12", "192.168.7.22")
    with pytest.raises(ToolError, match=r"gives node2 \(number 2, 192.168.7.22:7777\), but "
                                        r"cluster ocfs2lab runs with node2 \(number 2, "
                                        r"192.168.7.12:7777\)"):
        plan_o2cb(found(conf_text=text), params())


def test_plan_refuses_to_unregister_the_node_this_host_runs_as():
    # NODE1 still matches the host name, but register-cluster would drop the node1 it runs as.
    text = read_fixture(FIXTURES + "cluster_conf_two_nodes.txt").replace(
        "name = node1", "name = NODE1")
    with pytest.raises(ToolError, match=r"no longer lists node1, the node cluster ocfs2lab runs "
                                        r"as on this host"):
        plan_o2cb(found(conf_text=text), params())


def test_plan_refuses_offline_cluster_with_another_config_file():
    state = found(configfs_fixture="configfs_stack_not_loaded.txt", config_file="/tmp/c.conf")
    with pytest.raises(ToolError, match=r"reads /etc/ocfs2/cluster.conf only, not /tmp/c.conf"):
        plan_o2cb(state, params(config_file="/tmp/c.conf"))


def test_plan_refuses_without_init_script():
    state = found(configfs_fixture="configfs_stack_not_loaded.txt", init_script=None)
    with pytest.raises(ToolError, match=r"No o2cb init script on this host.*/etc/init.d/o2cb"):
        plan_o2cb(state, params())


# Plans: state offline; the report of a stopped stack


def test_plan_takes_online_cluster_offline_with_the_init_script():
    assert plan_o2cb(found(), params(state="offline")) == [OFFLINE]


def test_plan_offline_is_empty_when_not_registered():
    state = found(conf_fixture=None, configfs_fixture="configfs_stack_not_loaded.txt")
    assert plan_o2cb(state, params(state="offline")) == []


def test_plan_offline_leaves_another_cluster_alone():
    state = found(configfs_fixture="configfs_other_cluster_online.txt")
    assert plan_o2cb(state, params(state="offline")) == []


def test_plan_refuses_offline_under_a_mounted_filesystem():
    state = found(configfs_fixture="configfs_online_mounted.txt",
                  mounts_fixture="proc_mounts_ocfs2_mounted.txt")
    with pytest.raises(ToolError, match=r"OCFS2 /mnt/shared is mounted on this node; refusing to "
                                        r"take cluster ocfs2lab offline.*umount /mnt/shared"):
        plan_o2cb(state, params(state="offline"))


def test_plan_offline_then_sets_heartbeat_mode():
    assert plan_o2cb(found(), params(state="offline", heartbeat_mode="global")) == [
        OFFLINE, o2cb_step("heartbeat-mode", "ocfs2lab", "global")]


def test_report_of_a_node_where_the_stack_is_not_loaded():
    # What o2cb_info returns there: offline, nothing registered, cluster.conf's mode unknown.
    state = found(conf_fixture=None, configfs_fixture="configfs_stack_not_loaded.txt")
    assert o2cb_report(state) == {"cluster_name": "ocfs2lab", "online": False,
                                  "heartbeat_mode": None, "nodes": [], "config_nodes": [],
                                  "config_heartbeat_mode": None, "config_heartbeat_regions": [],
                                  "timeouts": {}, "removed_nodes": []}


# Report, diff and the check after running


def test_report_of_online_cluster():
    assert o2cb_report(found()) == {
        "cluster_name": "ocfs2lab", "online": True, "heartbeat_mode": "local",
        "nodes": [local(NODE1, True), local(NODE2, False)],
        "config_nodes": [local(NODE1, True), local(NODE2, False)],
        "config_heartbeat_mode": "local", "config_heartbeat_regions": [],
        "timeouts": {"cluster_heartbeat_threshold": 31, "cluster_idle_timeout_ms": 30000,
                     "cluster_keepalive_delay_ms": 2000, "cluster_reconnect_delay_ms": 2000},
        "removed_nodes": []}


def test_report_of_a_removed_node_still_registered():
    report = o2cb_report(removed_node3())
    assert [node["name"] for node in report["nodes"]] == ["node1", "node2", "node3"]
    assert [node["name"] for node in report["config_nodes"]] == ["node1", "node2"]
    assert report["removed_nodes"] == ["node3"]


def test_report_names_no_removed_node_without_cluster_conf():
    state = found(conf_fixture=None, configfs_fixture="configfs_online_node3_registered.txt")
    assert o2cb_report(state)["removed_nodes"] == []


def test_report_of_offline_cluster_takes_heartbeat_mode_from_cluster_conf():
    state = found(conf_fixture="cluster_conf_global_one_region.txt",
                  configfs_fixture="configfs_stack_not_loaded.txt")
    report = o2cb_report(state)
    assert (report["online"], report["heartbeat_mode"], report["nodes"]) == (False, "global", [])
    assert (report["config_heartbeat_mode"], report["config_heartbeat_regions"]) == (
        "global", [REGION])


def test_config_nodes_mark_the_local_node_for_node2():
    assert config_nodes(found(hostname="node2")) == [local(NODE1, False), local(NODE2, True)]


def test_diff_of_a_node_add():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt")
    assert o2cb_diff(state, params(), [REGISTER]) == {
        "before": {"online": True, "heartbeat_mode": "local",
                   "nodes": ["1 node1 192.168.7.11:7777 (local)", "2 node2 192.168.7.12:7777"]},
        "after": {"online": True, "heartbeat_mode": "local",
                  "nodes": ["1 node1 192.168.7.11:7777 (local)", "2 node2 192.168.7.12:7777",
                            "3 node3 192.168.7.13:7777"]}}


def test_diff_of_going_offline():
    diff = o2cb_diff(found(), params(state="offline"), [OFFLINE])
    assert diff["after"] == {"online": False, "heartbeat_mode": "local", "nodes": []}
    assert diff["before"]["online"] is True


def test_check_outcome_accepts_the_registered_node_add():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt",
                  configfs_fixture="configfs_online_node3_registered.txt")
    check_outcome(state, params(), [REGISTER], "")


def test_check_outcome_accepts_a_removed_node_still_registered_in_local_mode():
    check_outcome(removed_node3(), params(), [REGISTER], "")


def test_check_outcome_refuses_a_removed_node_still_registered_in_global_mode():
    with pytest.raises(ToolError, match=r"register-cluster ocfs2lab ran, yet cluster ocfs2lab is "
                                        r"online on this node with nodes node1, node2, node3 "
                                        r"\(/etc/ocfs2/cluster.conf lists node1, node2\)"):
        check_outcome(global_with_node3_registered(), params(), [REGISTER], "")


def test_check_outcome_refuses_success_when_the_init_script_left_it_offline():
    state = found(configfs_fixture="configfs_registered_without_local_node.txt")
    output = 'Registering O2CB cluster "ocfs2lab": OK\n'
    with pytest.raises(ToolError, match=r"/etc/init.d/o2cb online ocfs2lab ran, yet cluster "
                                        r"ocfs2lab is offline on this node with nodes "
                                        r"nodeX, node2"):
        check_outcome(state, params(), [ONLINE], output)


def test_check_outcome_refuses_success_when_a_node_is_still_missing():
    state = found(conf_fixture="cluster_conf_o2cb_add_node.txt")
    with pytest.raises(ToolError, match=r"is online on this node with nodes node1, node2 "
                                        r"\(/etc/ocfs2/cluster.conf lists node1, node2, node3\)"
                       ) as refused:
        check_outcome(state, params(), [REGISTER], "")
    # The failed result carries the commands as argv lists, as the module returns them.
    assert refused.value.details == {"commands": [REGISTER.argv]}


def test_check_outcome_refuses_success_when_still_registered_after_offline():
    with pytest.raises(ToolError, match=r"offline ocfs2lab ran, yet cluster ocfs2lab is still "
                                        r"registered"):
        check_outcome(found(), params(state="offline"), [OFFLINE], "")


def package_files(ocfs2_tools):
    """The files the lab's ocfs2-tools package ships (dpkg-deb -c), as a merged-/usr host sees
    them: /sbin/X is /usr/sbin/X."""
    files = set(line.split()[5].lstrip(".")
                for line in read_fixture(ocfs2_tools + "dpkg_deb_c_o2cb.txt").splitlines())
    return files | set(path.replace("/usr/sbin/", "/sbin/", 1) for path in files)


@pytest.mark.parametrize("ocfs2_tools, script", [
    ("ocfs2-tools-1.8.7/", "/etc/init.d/o2cb"),
    ("ocfs2-tools-1.8.8/", "/sbin/o2cb.init"),
], ids=["debian12", "debian13"])
def test_the_init_script_each_release_ships(ocfs2_tools, script):
    # The modules scenario expects the same on the lab's nodes.
    assert find_init_script(exists=package_files(ocfs2_tools).__contains__) == script


def test_no_init_script_without_ocfs2_tools():
    assert find_init_script(exists=lambda path: False) is None
