# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the cluster role on Debian: the debconf answers of ocfs2-tools."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._debconf import (
    debconf_selections as _debconf_selections)


def debconf_selections(shown_lines, package, answers):
    return _debconf_selections(list(shown_lines), package, [dict(answer) for answer in answers])


class FilterModule(object):
    def filters(self):
        return {"debconf_selections": debconf_selections}
