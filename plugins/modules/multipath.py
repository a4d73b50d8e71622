#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: multipath
short_description: Check a multipath map and grow it after its LUN grew
version_added: 0.1.0
description:
  - With O(state=present), checks that the map exists and reports it with its WWID, size in
    bytes, device-mapper name and each path with its device and state, from one
    C(multipathd show maps json) call and sysfs. M(ocfs2.cluster.multipath_info) lists all maps.
  - With O(state=resized), grows a map after the storage grew its LUN, the way Red Hat's
    procedure does it. It rescans every path of the map through
    C(/sys/class/block/DEV/device/rescan), checks that all paths report the same new size, then
    runs C(multipathd resize map NAME) and checks that the map grew.
  - Refuses, before any change, a map that does not exist, a map with a failed path, paths that
    disagree on the size after the rescan, and a LUN smaller than the map. A standby path of an
    active/passive array (checker state V(ghost)) is healthy; it is rescanned like the others.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  name:
    description:
      - The map, by its name (for example V(mpatha)), its WWID, or a path to its device (for
        example V(/dev/disk/by-id/dm-uuid-mpath-WWID) or V(/dev/mapper/ALIAS)).
    type: str
    required: true
  state:
    description:
      - V(present) checks that the map exists and changes nothing.
      - V(resized) makes the map as large as its LUN.
    type: str
    choices: [present, resized]
    default: present
notes:
  - In check mode the paths are not rescanned; the plan is made from the LUN size each path's
    device reports to a SCSI READ CAPACITY, which is what a rescan would make the kernel see.
    RV(rescanned) is then empty.
  - Map names are local to a node when C(user_friendly_names) is on; the WWID is the same
    everywhere.
attributes:
  check_mode:
    support: full
    description: Builds the same plan as a real run, from the sizes the devices report; the
      paths are not rescanned (see notes).
  diff_mode:
    support: full
    description: Shows the map's size before and after.
extends_documentation_fragment:
  - ocfs2.cluster.attributes
requirements:
  - multipath-tools 0.8 or later (C(multipathd show maps json)).
"""

EXAMPLES = r"""
- name: Check that the shared LUN's map exists
  ocfs2.cluster.multipath:
    name: 36001405abcdef0123456789abcdef012

- name: Grow the map of the shared LUN after the SAN grew it
  ocfs2.cluster.multipath:
    name: 36001405abcdef0123456789abcdef012
    state: resized
  register: shared_lun

- name: Show the new size
  ansible.builtin.debug:
    msg: "{{ shared_lun.size_before }} -> {{ shared_lun.size_after }} bytes"
"""

RETURN = r"""
maps:
  description: The map named by O(name), as a list of one, in the form of
    M(ocfs2.cluster.multipath_info).
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
        path of an active/passive array, V(ghost) for the checker), C(size_bytes) (the size the
        kernel knows) and, in the result of this module, C(lun_size_bytes) (the size the device reports now, larger than C(size_bytes)
        when the storage grew the LUN and the path was not rescanned since; null, with
        C(lun_size_error), when the device did not answer).
      type: list
      elements: dict
  sample:
    - name: mpatha
      wwid: "35000c0ca1ab00001"
      dm_name: dm-0
      size_bytes: 3221225472
      paths:
        - {device: sda, dev_t: "8:0", dm_state: active, checker_state: ready,
           device_state: running, healthy: true, size_bytes: 3221225472, lun_size_bytes: 3221225472}
map:
  description: The map named by O(name), after any change.
  returned: always
  type: dict
size_before:
  description: The map's size in bytes before the module ran.
  returned: when O(state=resized)
  type: int
size_after:
  description: The map's size in bytes afterwards (in check mode, the size it would have).
  returned: when O(state=resized)
  type: int
rescanned:
  description: The path devices that were rescanned.
  returned: when O(state=resized)
  type: list
  elements: str
commands:
  description: The commands run, or that would run in check mode.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._multipath import (
    Multipathd, present_map, resize_map)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "resized"], default="present"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    multipathd = Multipathd(Runner(module))
    name = module.params["name"]
    try:
        if module.params["state"] == "resized":
            result = resize_map(multipathd, name, module.check_mode)
        else:
            result = present_map(multipathd, name)
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
