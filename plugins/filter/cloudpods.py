# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the cloudpods role: check its variables, and what each host mounts at the mount
point before Cloudpods is asked to attach it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.ocfs2.cluster.plugins.module_utils._mounts import mount_point_problem


def cloudpods_input_problems(variables):
    problems = []
    if variables.get("cloudpods_state", "present") == "present":
        if not variables.get("cloudpods_zone"):
            problems.append("cloudpods_zone is not set. Set the Cloudpods zone (name or id) of "
                            "the hosts, as the console lists it under Zones.")
        problems.append(mount_point_problem(variables.get("cloudpods_mount_point"),
                                            "cloudpods_mount_point"))
    if not variables.get("cloudpods_storage_name"):
        problems.append("cloudpods_storage_name is empty. Name the storage.")
    return [problem for problem in problems if problem]


def cloudpods_mount_problems(findmnt_by_host, mount_point):
    """What stops Cloudpods from using `mount_point` on the hosts, from each host's
    `findmnt --json --mountpoint MOUNT_POINT --output TARGET,SOURCE,FSTYPE,FSROOT,UUID` output
    (empty when nothing is mounted there): one sentence per host, and one when the hosts mount
    different filesystems."""
    problems = []
    uuids = {}
    for host in sorted(findmnt_by_host):
        output = findmnt_by_host[host] or ""
        mounts = json.loads(output)["filesystems"] if output.strip() else []
        if not mounts:
            problems.append("%s: nothing is mounted at %s. Mount the OCFS2 filesystem there "
                            "first (site.yml), or set cloudpods_mount_point to where it is."
                            % (host, mount_point))
            continue
        mount = mounts[-1]   # the one on top, when several are stacked there
        if mount.get("fstype") != "ocfs2":
            problems.append("%s: %s is on %s (%s), not OCFS2: Cloudpods would place VM "
                            "disks on one host only." % (host, mount_point, mount.get("fstype"),
                                                         mount.get("source")))
        elif mount.get("fsroot", "/") != "/":
            problems.append("%s: %s mounts the directory %s of %s, not the filesystem's root. "
                            "Set cloudpods_mount_point to the filesystem's own mount point."
                            % (host, mount_point, mount.get("fsroot"), mount.get("source")))
        else:
            uuids.setdefault(mount.get("uuid"), []).append(host)
    if len(uuids) > 1:
        problems.append("The hosts mount different OCFS2 filesystems at %s: %s. Each host must "
                        "mount the same one." % (mount_point, "; ".join(
                            "UUID %s on %s" % (uuid, ", ".join(hosts))
                            for uuid, hosts in sorted(uuids.items(), key=str))))
    return problems


def action_line(step):
    """One step of cloudpods_storage's `actions`, for a person."""
    about = [step.get(key) for key in ("storage", "host") if step.get(key)]
    if step.get("mount_point"):
        about.append("at %s" % step["mount_point"])
    return "%s: %s %s" % (step.get("verb", "done"), step["action"].replace("_", " "),
                          " ".join(about))


def cloudpods_status_lines(result, storage_name, check_mode=False):
    """What cloudpods_storage returned, as lines for a person: what it did (or would do in
    check mode), the storage, then each host."""
    verb = "planned" if check_mode else "done"
    lines = [action_line(dict(step, verb=verb)) for step in result.get("actions") or []]
    storage = result.get("storage")
    if not storage:
        return lines + ["Cloudpods storage %s: absent" % storage_name]
    if not storage.get("id"):
        return lines + ["Cloudpods storage %s: not registered in zone %s "
                        "(playbooks/cloudpods.yml registers it)" % (storage_name,
                                                                    storage.get("zone"))]
    lines.append("Cloudpods storage %s: %s, %s MB, zone %s, medium %s" % (
        storage["name"], storage.get("status"), storage.get("capacity"), storage.get("zone"),
        storage.get("medium_type")))
    hosts = result.get("hosts") or []
    lines.extend("  %s (%s): %s" % (host.get("name"), host.get("status"), host.get("mount_point"))
                 for host in hosts)
    if not hosts:
        lines.append("  attached to no host")
    return lines


class FilterModule(object):
    def filters(self):
        return {"cloudpods_input_problems": cloudpods_input_problems,
                "cloudpods_mount_problems": cloudpods_mount_problems,
                "cloudpods_status_lines": cloudpods_status_lines}
