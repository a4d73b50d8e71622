#!/usr/bin/python
# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudpods_storage
short_description: Register a shared filesystem as a Cloudpods GPFS storage and attach its hosts
version_added: 0.1.0
description:
  - Makes a Cloudpods shared-filesystem storage (type C(gpfs)) of the filesystem that is mounted
    at the same O(mount_point) on every hypervisor host, such as an OCFS2 filesystem, and
    attaches it to O(hosts), as the Cloudpods web console's Storage > Block storage > Create
    and Manage hosts > Associate host do.
  - Talks to the Cloudpods APIs directly, so it runs where they can be reached, usually on the
    controller once (C(delegate_to) set to C(localhost), and C(run_once)). Authenticates with
    keystone v3 and finds the region API in the token's catalog.
  - An existing storage of that name and type in the zone is reused; an existing attachment
    with the same mount point is left alone. Hosts not in O(hosts) that are attached already
    stay attached.
  - The region asks each host's agent, before it agrees, whether O(mount_point) is a mount
    point (C(mountpoint)) and whether it is on a local filesystem (C(findmnt)); after it
    agreed, the agent reports the mount's capacity. The module waits for that report (at most
    O(attach_timeout) seconds) and fails when the agent's step failed, which makes the region
    remove the attachment again.
  - Refuses, before any change, a host that is not online in Cloudpods and a mount point that
    another storage uses on a host.
  - With O(state=absent), detaches every host, then deletes the storage.
author:
  - ocfs2.cluster contributors (@ocfs2-cluster)
options:
  auth_url:
    description:
      - Keystone's v3 URL, for example C(https://cloudpods.example.com:30500/v3) (C(/v3) is
        added when missing).
      - When not set, the environment variable E(OS_AUTH_URL) is used.
    type: str
    required: true
  username:
    description:
      - The user to authenticate as. When not set, E(OS_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - The user's password. When not set, E(OS_PASSWORD) is used. Never shown in the output.
    type: str
    required: true
  domain_name:
    description:
      - The user's domain. When not set, E(OS_DOMAIN_NAME) is used, else C(Default).
    type: str
  project_name:
    description:
      - The project to scope the token to, usually C(system) for an administrator. When not
        set, E(OS_PROJECT_NAME) is used.
    type: str
    required: true
  project_domain_name:
    description:
      - The project's domain. When not set, E(OS_PROJECT_DOMAIN_NAME) (or climc's
        E(OS_PROJECT_DOMAIN)) is used, else O(domain_name).
    type: str
  region_name:
    description:
      - The Cloudpods region whose API to use, as the keystone catalog names it. When not set,
        E(OS_REGION_NAME) is used; when that is not set either, the catalog must offer one
        region only.
    type: str
  interface:
    description:
      - Which endpoint of the region service in the catalog to call.
    type: str
    choices: [public, internal, admin]
    default: public
  validate_certs:
    description:
      - Whether to check the APIs' TLS certificates. Set V(false) only for a test
        installation with self-signed certificates.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of the CA certificates that signed the APIs' certificates.
    type: path
  timeout:
    description:
      - Seconds to wait for each API answer.
    type: int
    default: 30
  name:
    description:
      - The storage's name. Names are unique in the region.
    type: str
    required: true
  zone:
    description:
      - The zone (name or id) the storage belongs to; its hosts are in that zone.
      - Required with O(state=present).
    type: str
  medium_type:
    description:
      - The medium the filesystem is on, as Cloudpods classifies storages.
      - At creation the region's default is V(ssd). An existing storage with another medium
        type is updated.
    type: str
    choices: [rotate, ssd, hybrid]
  capacity_mb:
    description:
      - The capacity in MB given at creation. The first host agent that attaches the storage
        replaces it with the mount's real size, so V(0) is the usual value.
    type: int
    default: 0
  hosts:
    description:
      - The hypervisor hosts (names or ids, as registered in Cloudpods) to attach the storage
        to, all at O(mount_point). They must be online in Cloudpods.
      - Ignored with O(state=absent), which detaches every host.
    type: list
    elements: str
    default: []
  mount_point:
    description:
      - Where the shared filesystem is mounted on every host in O(hosts), at the mount's root
        itself, since the host agent checks it with C(mountpoint).
      - Required when O(hosts) is not empty.
    type: str
  update_mount_point:
    description:
      - What to do when the storage is attached to a host at another mount point than
        O(mount_point).
      - V(false) fails and names the host and both mount points.
      - V(true) changes the attachment's mount point. The region does not ask the host agent
        about the new path then, so make sure the filesystem is mounted there.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the storage when missing and attaches O(hosts).
      - V(absent) detaches every host and deletes the storage. The region refuses while disks
        are on it.
    type: str
    choices: [present, absent]
    default: present
  attach_timeout:
    description:
      - Seconds to wait, per host, for the host agent to finish an attach the region accepted
        (it reports the mount's capacity).
    type: int
    default: 30
notes:
  - Check mode reads the current state, plans the same steps as a real run and makes no
    change; RV(actions) lists what would be done.
  - A failure says what was being done, on which storage, host and mount point, and what to do
    next. It also returns the API's C(status), C(error_class) and C(details), the C(method)
    and C(url) of the refused call, and C(done_actions), the steps made before it.
  - Cloudpods answers an attach only after the host agent confirmed that O(mount_point) is a
    mount point that is not a local filesystem, so mount the filesystem on every host first.
  - Uses only ansible-core's own HTTP client; the Cloudpods SDKs are not needed.
attributes:
  check_mode:
    support: full
    description: Reads the API, plans the same steps as a real run and reports the same
      C(changed), without any call that changes something.
  diff_mode:
    support: full
    description: Shows the storage (name, type, zone, medium type) and its hosts' mount points
      before and after.
  platform:
    description: Any host that reaches the Cloudpods APIs over HTTP(S).
    platforms: posix
    support: full
extends_documentation_fragment:
  - ocfs2.cluster.attributes
seealso:
  - name: Cloudpods source
    description: The storage and host-storage API this module calls is in
      pkg/compute/models/storages.go and hoststorages.go; the checks of an attach in
      pkg/compute/hostdrivers/kvm.go.
    link: https://github.com/yunionio/cloudpods
"""

EXAMPLES = r"""
- name: Register the OCFS2 filesystem as Cloudpods storage and attach every hypervisor
  ocfs2.cluster.cloudpods_storage:
    auth_url: https://cloudpods.example.com:30500/v3
    username: sysadmin
    password: "{{ cloudpods_password }}"
    project_name: system
    region_name: region0
    name: ocfs2-vmstore
    zone: zone0
    medium_type: ssd
    hosts: "{{ groups['hypervisors'] }}"
    mount_point: /srv/ocfs2
  delegate_to: localhost
  run_once: true
  register: cloudpods_vmstore

- name: Show the capacity the host agents reported
  ansible.builtin.debug:
    msg: >-
      {{ cloudpods_vmstore.storage.capacity }} MB on
      {{ cloudpods_vmstore.hosts | map(attribute='name') | join(', ') }}

- name: Attach a node added later, with the credentials from the OS_* environment
  ocfs2.cluster.cloudpods_storage:
    name: ocfs2-vmstore
    zone: zone0
    hosts: [node4]
    mount_point: /srv/ocfs2
  environment:
    OS_AUTH_URL: https://cloudpods.example.com:30500/v3
    OS_USERNAME: sysadmin
    OS_PASSWORD: "{{ cloudpods_password }}"
    OS_DOMAIN_NAME: Default
    OS_PROJECT_NAME: system
    OS_REGION_NAME: region0
  delegate_to: localhost
  run_once: true

- name: Move the storage to the filesystem's new mount point on every host
  ocfs2.cluster.cloudpods_storage:
    name: ocfs2-vmstore
    zone: zone0
    hosts: "{{ groups['hypervisors'] }}"
    mount_point: /srv/ocfs2-vm
    update_mount_point: true
  delegate_to: localhost
  run_once: true

- name: Detach every host and delete the storage
  ocfs2.cluster.cloudpods_storage:
    name: ocfs2-vmstore
    state: absent
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
storage:
  description: The storage after the run (in check mode, as planned, with C(id) null when it
    would be created); null when there is none (O(state=absent)).
  returned: always
  type: dict
  contains:
    id:
      description: The storage's id.
      type: str
    name:
      description: The storage's name.
      type: str
    status:
      description: The storage's status in Cloudpods (C(online) once created; C(offline) when
        no attached host is online).
      type: str
    capacity:
      description: The capacity in MB, as the last host agent reported it (O(capacity_mb)
        until one did).
      type: int
    zone:
      description: The zone's name.
      type: str
    medium_type:
      description: The medium type.
      type: str
  sample: {id: 49c6b6d0-291f-492c-8e76-ba48d35b837f, name: ocfs2-vmstore, status: online,
           capacity: 3069, zone: zone0, medium_type: ssd}
hosts:
  description: Every host the storage is attached to after the run (in check mode, as
    planned), sorted by name; empty when the storage is absent.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The host's name in Cloudpods.
      type: str
    id:
      description: The host's id.
      type: str
    mount_point:
      description: Where the storage is mounted on that host.
      type: str
    status:
      description: The host's status in Cloudpods (C(online) or C(offline)).
      type: str
  sample:
    - {name: node1, id: 6b072715-cd10-4a9f-8286-9ed455bb004e, mount_point: /srv/ocfs2,
       status: online}
actions:
  description:
    - The steps made, or that would be made in check mode, in order. C(action) is one of
      C(create), C(update), C(attach), C(update_mount_point), C(detach) or C(delete); the
      other keys name the storage, host and mount point concerned.
  returned: always
  type: list
  elements: dict
  sample:
    - {action: create, storage: ocfs2-vmstore, zone: zone0, medium_type: ssd, capacity_mb: 0}
    - {action: attach, host: node1, host_id: 6b072715-cd10-4a9f-8286-9ed455bb004e,
       mount_point: /srv/ocfs2}
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible_collections.ocfs2.cluster.plugins.module_utils._cloudpods import (
    INTERFACES, MEDIUM_TYPES, CloudpodsClient, CloudpodsError, plan_storage, predict_state,
    read_storage_state, run_plan, storage_diff, storage_report)

ARGUMENT_SPEC = dict(
    auth_url=dict(type="str", required=True, fallback=(env_fallback, ["OS_AUTH_URL"])),
    username=dict(type="str", required=True, fallback=(env_fallback, ["OS_USERNAME"])),
    password=dict(type="str", required=True, no_log=True,
                  fallback=(env_fallback, ["OS_PASSWORD"])),
    domain_name=dict(type="str", fallback=(env_fallback, ["OS_DOMAIN_NAME"])),
    project_name=dict(type="str", required=True, fallback=(env_fallback, ["OS_PROJECT_NAME"])),
    project_domain_name=dict(type="str", fallback=(
        env_fallback, ["OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN"])),
    region_name=dict(type="str", fallback=(env_fallback, ["OS_REGION_NAME"])),
    interface=dict(type="str", choices=list(INTERFACES), default="public"),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
    name=dict(type="str", required=True),
    zone=dict(type="str"),
    medium_type=dict(type="str", choices=list(MEDIUM_TYPES)),
    capacity_mb=dict(type="int", default=0),
    hosts=dict(type="list", elements="str", default=[]),
    mount_point=dict(type="str"),
    update_mount_point=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    attach_timeout=dict(type="int", default=30),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_if=[("state", "present", ["zone"])])
    params = dict(module.params)
    params["domain_name"] = params["domain_name"] or "Default"
    params["project_domain_name"] = params["project_domain_name"] or params["domain_name"]
    client = CloudpodsClient(params)
    try:
        client.authenticate()
        before = read_storage_state(client, params)
        steps = plan_storage(before, params)
        planned = predict_state(before, steps, params)
        after = planned
        if steps and not module.check_mode:
            run_plan(client, before, steps, params)
            after = read_storage_state(client, params)
    except CloudpodsError as error:
        module.fail_json(msg=str(error), **error.fields)
    module.exit_json(changed=bool(steps), actions=steps, diff=storage_diff(before, planned),
                     **storage_report(after))


if __name__ == "__main__":
    main()
