"""Runner: how the modules run tools."""

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import Runner, ToolError


class HostWithout(object):
    """An AnsibleModule on a host where the tools in `missing` are not installed."""

    def __init__(self, *missing):
        self.missing = missing
        self.ran = []

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return None if name in self.missing else "/usr/sbin/%s" % name

    def run_command(self, command, **_options):
        self.ran.append(command)
        return 0, "", ""


def test_a_missing_tool_is_a_tool_error_that_names_it_and_the_fix():
    # As on a minimal host before site.yml's install step: the filesystem preflight reads the
    # partition table with sfdisk (fdisk's package on Debian).
    module = HostWithout("sfdisk")
    with pytest.raises(ToolError, match=r"^sfdisk is not installed on this node \(looked in PATH "
                                        r"and the sbin directories\)\. Install the package that "
                                        r"ships it: the install role") as failure:
        Runner(module)(["sfdisk", "--json", "/dev/vdb"])
    assert failure.value.details == {"cmd": ["sfdisk"]}
    assert module.ran == []


def test_a_tool_is_run_by_its_full_path():
    module = HostWithout()
    Runner(module)(["blkid", "-p", "/dev/vdb"])
    assert module.ran == [["/usr/sbin/blkid", "-p", "/dev/vdb"]]
