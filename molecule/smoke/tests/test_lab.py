"""The lab presents, on every node, what the later scenarios build on."""

from labcheck import block_size_bytes, map_paths, multipath_map


def test_hostname_is_the_inventory_name(host):
    # o2cb matches the node stanza of cluster.conf against the hostname.
    assert host.check_output("hostname") == host.backend.get_hostname()


def test_each_lun_is_one_multipath_map_with_two_active_paths(host, lab):
    for lun in lab["luns"]:
        paths = map_paths(multipath_map(host, lun["wwid"]))
        assert len(paths) == lun["paths"] == 2
        for path in paths:
            assert (path["dm_st"], path["chk_st"]) == ("active", "ready"), path


def test_each_lun_map_has_the_lun_size(host, lab):
    for lun in lab["luns"]:
        multipath = multipath_map(host, lun["wwid"])
        assert block_size_bytes(host, "/dev/mapper/" + multipath["name"]) == lun["size_bytes"]


def test_inventory_describes_the_luns_the_node_sees(host, lab):
    inventory_luns = host.ansible.get_variables()["lab_luns"]
    assert [(lun["name"], lun["wwid"]) for lun in inventory_luns] == [
        (lun["name"], lun["wwid"]) for lun in lab["luns"]]


def test_ocfs2_module_loads(host):
    host.run_test("modprobe ocfs2")
    assert host.file("/sys/module/ocfs2").is_directory


def test_node_reaches_every_other_node_on_the_cluster_network(host, lab):
    variables = host.ansible.get_variables()
    me = variables["inventory_hostname"]
    interface = variables["lab_cluster_interface"]
    assert variables["lab_cluster_ip"] in host.interface(interface).addresses
    peers = [node["cluster_ip"] for node in lab["nodes"] if node["name"] != me]
    assert peers, "a lab of one node has no peer to reach"
    for address in peers:
        host.run_test("ping -c 1 -W 5 -I %s %s", interface, address)
