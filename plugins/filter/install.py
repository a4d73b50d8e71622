# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the install role."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean


def zypper_addrepo_argv(repository):
    """`zypper addrepo` for one entry of install_repositories, with its signature check as the
    entry says (gpgcheck, true by default); the signing key (gpgkey) is imported separately,
    since zypper addrepo takes no key."""
    argv = ["zypper", "--non-interactive", "addrepo", "--check", "--refresh",
            "--gpgcheck" if boolean(repository.get("gpgcheck", True)) else "--no-gpgcheck",
            "--name", repository.get("description") or repository["name"],
            repository["baseurl"], repository["name"]]
    return argv


class FilterModule(object):
    def filters(self):
        return {"zypper_addrepo_argv": zypper_addrepo_argv}
