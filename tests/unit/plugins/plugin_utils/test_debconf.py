"""The debconf answers of ocfs2-tools (the cluster role on Debian): compared with what
debconf-show prints, and written with debconf-set-selections only when one differs."""

from ansible_collections.ocfs2.cluster.plugins.plugin_utils._debconf import (
    debconf_selections, parse_debconf_show)

ANSWERS = [
    {"question": "ocfs2-tools/init", "vtype": "boolean", "value": "true"},
    {"question": "ocfs2-tools/clustername", "vtype": "string", "value": "ocfs2lab"},
    {"question": "ocfs2-tools/heartbeat_threshold", "vtype": "string", "value": 61},
]
SHOWN = ["* ocfs2-tools/init: true", "  ocfs2-tools/clustername: ocfs2lab",
         "  ocfs2-tools/heartbeat_threshold: 61", "  ocfs2-tools/idle_timeout: 30000"]


def test_the_marks_of_debconf_show_are_dropped():
    assert parse_debconf_show(SHOWN[:2]) == ["ocfs2-tools/init: true",
                                             "ocfs2-tools/clustername: ocfs2lab"]


def test_answers_as_shown_need_no_write():
    assert debconf_selections(SHOWN, "ocfs2-tools", ANSWERS) == ""


def test_one_differing_answer_writes_every_answer():
    shown = [line.replace("61", "31") for line in SHOWN]
    assert debconf_selections(shown, "ocfs2-tools", ANSWERS) == (
        "ocfs2-tools ocfs2-tools/init boolean true\n"
        "ocfs2-tools ocfs2-tools/clustername string ocfs2lab\n"
        "ocfs2-tools ocfs2-tools/heartbeat_threshold string 61\n")


def test_a_boolean_debconf_shows_as_false_differs_from_true():
    shown = ["  ocfs2-tools/init: false"] + SHOWN[1:]
    assert debconf_selections(shown, "ocfs2-tools", ANSWERS).startswith(
        "ocfs2-tools ocfs2-tools/init boolean true\n")


def test_a_package_with_no_answers_yet_gets_them_all():
    assert debconf_selections([], "ocfs2-tools", ANSWERS).count("\n") == 3
