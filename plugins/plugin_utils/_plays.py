# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a play of the collection's playbooks checks about the hosts it runs on. Pure: the roles
pass ansible_play_hosts_all and the group's hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def left_out_of_play(play_hosts, group_hosts):
    """The hosts of the group that the play does not run on (--limit), in the group's order,
    each once."""
    left_out = []
    for host in group_hosts:
        if host not in play_hosts and host not in left_out:
            left_out.append(host)
    return left_out


def play_coverage_problem(play_hosts, group_name, group_hosts, consequence):
    """The sentence that stops a play which leaves out hosts of `group_name`, ending with
    `consequence` (why every node matters, and what to do); "" when the play runs on every one.
    For example "The play runs on node1, node2, but ocfs2_nodes also has node3: " + consequence.
    """
    left_out = left_out_of_play(play_hosts, group_hosts)
    if not left_out:
        return ""
    return "The play runs on %s, but %s also has %s: %s" % (
        ", ".join(play_hosts), group_name, ", ".join(left_out), consequence)
