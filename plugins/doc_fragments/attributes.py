# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The attributes every module of the collection shares; a module states its own support
    # and may say more in its own description.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Builds the same plan as a real run, runs nothing, and reports the same
      C(changed).
  diff_mode:
    description: Shows the state before and after.
  platform:
    description: Linux hosts with device-mapper multipath and ocfs2-tools.
    platforms: posix
    support: full
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Changes nothing, in check mode or not.
    support: full
  diff_mode:
    description: Changes nothing, so there is no difference to show.
    support: none
  platform:
    description: Linux hosts with device-mapper multipath and ocfs2-tools.
    platforms: posix
    support: full
"""
