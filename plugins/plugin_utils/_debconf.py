# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debconf answers of a package: which ones differ from what debconf-show prints, and the
input of debconf-set-selections that gives them. Pure: the cluster role passes the output it
read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# debconf-show marks a question asked already with "* ", the others with "  ".
_SHOWN_MARK = re.compile(r"^[* ] ")


def parse_debconf_show(lines):
    """The answers as debconf-show prints them, one "question: value" string per line, without
    the mark; from ["* ocfs2-tools/init: true", "  ocfs2-tools/clustername: ocfs2"]."""
    return [_SHOWN_MARK.sub("", line, count=1) for line in lines]


def _shown(answer):
    return "%s: %s" % (answer["question"], answer["value"])


def debconf_selections(shown_lines, package, answers):
    """The input of debconf-set-selections that sets every answer of `answers` ([{"question":
    "ocfs2-tools/init", "vtype": "boolean", "value": "true"}, ...], as ansible.builtin.debconf
    names them), one "PACKAGE QUESTION VTYPE VALUE" line each, when debconf-show's
    `shown_lines` lack any of them as they would print it; "" when each one is there."""
    shown = parse_debconf_show(shown_lines)
    if all(_shown(answer) in shown for answer in answers):
        return ""
    return "".join("%s %s %s %s\n" % (package, answer["question"], answer["vtype"], answer["value"])
                   for answer in answers)
