#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: multipath_info
short_description: Read the multipath maps of a node
version_added: 0.1.0
description:
  - Reports the node's multipath maps with their WWID, size in bytes, device-mapper name and
    each path with its device, states and size, from one C(multipathd show maps json) call and
    sysfs.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  name:
    description:
      - Only this map, by its name (for example V(mpatha)) or its WWID. Fails when it does not
        exist.
    type: str
  wait_for:
    description:
      - WWIDs of LUNs whose maps may still be coming (after multipathd started or reloaded).
        The module reads the maps until each of them has one and udev has made its
        C(/dev/disk/by-id/dm-uuid-mpath-WWID) link, or O(wait_timeout) passed, lets udev finish
        what it has queued (C(udevadm settle)), and then reports the maps; it does not fail for
        a map still missing, but names it in RV(missing).
    type: list
    elements: str
    default: []
  wait_timeout:
    description: How many seconds to wait for the maps of O(wait_for).
    type: int
    default: 30
seealso:
  - module: ocfs2.cluster.multipath
extends_documentation_fragment:
  - ocfs2.cluster.attributes.info_module
requirements:
  - multipath-tools 0.8 or later (C(multipathd show maps json)).
"""

EXAMPLES = r"""
- name: Read the multipath maps
  ocfs2.cluster.multipath_info:
  register: multipath_maps

- name: Read the maps once the shared LUN has one, or after 30 seconds
  ocfs2.cluster.multipath_info:
    wait_for: [36001405abcdef0123456789abcdef012]
  register: multipath_maps

- name: Check that the shared LUN has two healthy paths (active, or standby)
  ansible.builtin.assert:
    that: >-
      (multipath_maps.maps | selectattr('wwid', 'eq', '36001405abcdef0123456789abcdef012')
      | first).paths | selectattr('healthy') | list | length == 2
"""

RETURN = r"""
maps:
  description: The node's multipath maps (only the one named by O(name) when it is given).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The map's name, for example V(mpatha).
      type: str
    wwid:
      description: The WWID of the LUN.
      type: str
    dm_name:
      description: The device-mapper kernel name, for example V(dm-0). It can change at boot.
      type: str
    size_bytes:
      description: The map's size in bytes.
      type: int
    paths:
      description: Each path with C(device), C(dev_t), C(dm_state), C(checker_state),
        C(device_state), C(healthy) (active in device-mapper, and V(ready) or, for a standby
        path of an active/passive array, V(ghost) for the checker) and C(size_bytes).
      type: list
      elements: dict
  sample:
    - name: mpatha
      wwid: "35000c0ca1ab00001"
      dm_name: dm-0
      size_bytes: 3221225472
      paths:
        - {device: sda, dev_t: "8:0", dm_state: active, checker_state: ready,
           device_state: running, healthy: true, size_bytes: 3221225472}
map:
  description: The map named by O(name).
  returned: when O(name) is given
  type: dict
missing:
  description: The WWIDs of O(wait_for) that have no map, or no udev link to it, after the wait.
  returned: always
  type: list
  elements: str
  sample: [36001405abcdef0123456789abcdef012]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._multipath import (
    Multipathd, find_map, wait_for_maps)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    wait_for=dict(type="list", elements="str", default=[]),
    wait_timeout=dict(type="int", default=30),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    name = module.params["name"]
    run = Runner(module)
    try:
        maps, missing = wait_for_maps(Multipathd(run).maps, module.params["wait_for"],
                                      module.params["wait_timeout"])
        if module.params["wait_for"]:
            # Whatever udev still has queued for the maps (a rename after a reload) is done
            # before the next step looks for them; its timeout is not an error here.
            run(["udevadm", "settle", "--timeout=%d" % module.params["wait_timeout"]], check=False)
        result = dict(changed=False, maps=maps, missing=missing)
        if name:
            result["map"] = find_map(maps, name)
            result["maps"] = [result["map"]]
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
