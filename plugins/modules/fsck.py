#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fsck
short_description: Check an OCFS2 filesystem with fsck.ocfs2, read-only or repairing
version_added: 0.2.0
description:
  - Runs C(fsck.ocfs2 -f -n) (read-only, the default) or C(fsck.ocfs2 -f -y) (O(repair)) on
    the device and reports each problem it found and whether it was fixed.
  - A read-only check runs while the filesystem is mounted, on this node and others; it
    answers fsck.ocfs2's "mounted filesystem" question with yes. Its findings may then be
    spurious where nodes write during the check.
  - A repair refuses to start while any node mounts the filesystem (C(mounted.ocfs2 -f)), and
    fsck.ocfs2's own cluster check stays on (never C(-F)).
  - fsck.ocfs2 exits 0 whether or not it found problems; the module reads its output. The
    module does not fail for problems found; RV(clean) says whether any is left.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  device:
    description: The device that holds the filesystem, for example
      V(/dev/disk/by-id/dm-uuid-part1-mpath-WWID).
    type: path
    required: true
  repair:
    description:
      - V(true) fixes what fsck.ocfs2 finds (C(-y)); the filesystem must be unmounted on every
        node.
      - V(false) changes nothing (C(-n)).
    type: bool
    default: false
attributes:
  check_mode:
    description: A repair in check mode runs the read-only check instead and reports as
      changed when it found something the repair would fix.
    support: full
  diff_mode:
    support: none
seealso:
  - module: ocfs2.cluster.filesystem_info
extends_documentation_fragment:
  - ocfs2.cluster.attributes
requirements:
  - ocfs2-tools (fsck.ocfs2, mounted.ocfs2).
"""

EXAMPLES = r"""
- name: Check the shared filesystem, read-only, while it stays mounted
  ocfs2.cluster.fsck:
    device: /dev/disk/by-id/dm-uuid-part1-mpath-36001405abcdef0123456789abcdef012
  register: shared_fsck

- name: Fail when it found problems
  ansible.builtin.assert:
    that: shared_fsck.clean
    fail_msg: "{{ shared_fsck.msg }}"
"""

RETURN = r"""
clean:
  description: Whether no problem is left (none found, or every one fixed).
  returned: always
  type: bool
problems:
  description: What fsck.ocfs2 found, in its order, each with its code, its message and
    whether it was fixed.
  returned: always
  type: list
  elements: dict
  sample:
    - code: INODE_COUNT
      message: Inode 96770 has a link count of 2 on disk but directory entry references come
        to 1. Update the count on disk to match?
      fixed: false
mounted_nodes:
  description: The nodes that mounted the filesystem when the check started
    (C(mounted.ocfs2 -f)).
  returned: always
  type: list
  elements: str
msg:
  description: One sentence on the outcome.
  returned: always
  type: str
  sample: no problem found while mounted on node1, node2 (findings may be spurious under writes)
stdout:
  description: fsck.ocfs2's output.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ocfs2.cluster.plugins.module_utils._fsck import (
    check_filesystem, fsck_result)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError

ARGUMENT_SPEC = dict(
    device=dict(type="path", required=True),
    repair=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    # A repair in check mode is the read-only check: it shows what the repair would fix.
    repair = module.params["repair"] and not module.check_mode
    try:
        found, mounted_nodes, stdout = check_filesystem(Runner(module), module.params["device"],
                                                        repair)
    except ToolError as error:
        module.fail_json(msg=str(error), **error.details)
    module.exit_json(**fsck_result(found, mounted_nodes, stdout, repair,
                                   module.params["repair"]))


if __name__ == "__main__":
    main()
