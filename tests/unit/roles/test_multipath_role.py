"""The multipath role's steps (config.yml, maps.yml), run by ansible-playbook on this machine
with stand-ins for unshare, mount, umount, multipath, multipathd, systemctl and udevadm, and the
configuration file in a temporary directory.

The stand-in multipath prints the file at the configuration's place, as `multipath -t` does,
and complains as multipath-tools does about a malformed one ("ignoring extra data"). The
stand-in multipathd answers `show maps json` with the captured
multipath-tools-0.9.4/show_maps_json_no_maps.txt.
"""

import shutil

import pytest

from stand_ins import ANSIBLE_PLAYBOOK, REPO, make_host, run_playbook

NO_MAPS = REPO / "tests" / "unit" / "fixtures" / "multipath-tools-0.9.4" / "show_maps_json_no_maps.txt"

STUBS = {
    # unshare --mount CMD...: no namespace here; the stand-in mount below never binds.
    "unshare": '#!/bin/sh\nwhile [ "${1#--}" != "$1" ]; do shift; done\nexec "$@"\n',
    # mount --bind RENDERED CONFIG: remember what multipath would see at CONFIG.
    "mount": '#!/bin/sh\n[ "$1" = --bind ] && cp "$2" "$STUB_DIR/seen-by-multipath"\n',
    "umount": "#!/bin/sh\nexit 0\n",
    "multipath": ('#!/bin/sh\n[ "$1" = -t ] || exit 1\n'
                  'echo "$LC_ALL" > "$STUB_DIR/multipath-locale"\n'
                  'cat "$STUB_DIR/seen-by-multipath"\n'
                  'if grep -q BROKEN "$STUB_DIR/seen-by-multipath"; then\n'
                  '  echo "ignoring extra data starting with \'BROKEN\' on line 4" >&2\nfi\n'),
    "multipathd": ('#!/bin/sh\n[ "$*" = "show maps json" ] || exit 1\n'
                   'grep -v "^#" "$STUB_DIR/maps.json"\n'),
    "udevadm": '#!/bin/sh\necho "$@" >> "$STUB_DIR/udevadm.log"\n',
    "systemctl": ('#!/bin/sh\necho "$@" >> "$STUB_DIR/systemctl.log"\n'
                  'if [ "$1" = show ]; then\n  printf "Id=multipathd.service\\nLoadState=loaded\\n'
                  'ActiveState=active\\nSubState=running\\nUnitFileState=enabled\\n"\nfi\n'),
}

PLAYBOOK = """
- name: Write /etc/multipath.conf as the multipath role does
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run one step of the role
      ansible.builtin.include_role:
        name: ocfs2.cluster.multipath
        tasks_from: "{{ role_tasks }}"
"""

# The stand-ins must be the only multipath tools found: a real one would read the real files.
pytestmark = pytest.mark.skipif(
    not ANSIBLE_PLAYBOOK.exists() or shutil.which("multipath") or shutil.which("multipathd"),
    reason="no ansible-playbook, or multipath-tools installed on this machine")


@pytest.fixture
def host(tmp_path):
    make_host(tmp_path, STUBS, PLAYBOOK)
    (tmp_path / "etc").mkdir()
    (tmp_path / "maps.json").write_text(NO_MAPS.read_text())
    return tmp_path


def run_role(host, *arguments, **options):
    return run_playbook(
        host, "-e", "__multipath_config_path=%s" % (host / "etc" / "multipath.conf"),
        "-e", "role_tasks=%s" % options.get("role_tasks", "config.yml"), *arguments)


def test_check_mode_checks_and_diffs_the_rendering_on_a_fresh_host_with_a_stale_candidate(host):
    # A fresh host (no /etc/multipath.conf) where an earlier version of the role left a
    # .candidate file: check mode used to fail on the skipped check, or copy the stale file.
    config = host / "etc" / "multipath.conf"
    stale = host / "etc" / "multipath.conf.candidate"
    stale.write_text("defaults {\n    user_friendly_names no\n}\n")
    rc, tasks = run_role(host, "--check", "--diff")
    assert rc == 0, tasks
    # multipath -t ran, in check mode, on the rendering.
    assert "    find_multipaths yes\n" in (host / "seen-by-multipath").read_text()
    installed = tasks["Install the checked configuration"]
    assert installed["changed"], installed
    after = installed["diff"][0]["after"] if isinstance(installed["diff"], list) \
        else installed["diff"]["after"]
    assert "user_friendly_names yes" in after and "find_multipaths yes" in after, after
    assert not config.exists()
    assert stale.read_text() == "defaults {\n    user_friendly_names no\n}\n"


def test_check_mode_refuses_a_configuration_multipath_would_misread(host):
    rc, tasks = run_role(host, "--check", "-e",
                         '{"multipath_defaults": {"polling_interval": "5 BROKEN"}}')
    assert rc != 0
    refused = tasks["Refuse a configuration multipath would misread"]
    assert "multipath would misread the configuration" in refused["msg"], refused
    assert "ignoring extra data starting with 'BROKEN'" in refused["msg"], refused
    # Read in English whatever the controller's locale.
    assert (host / "multipath-locale").read_text() == "C\n"
    assert "Install the checked configuration" not in tasks
    assert not (host / "etc" / "multipath.conf").exists()


def test_a_real_run_installs_the_checked_rendering_and_reloads_multipathd(host):
    config = host / "etc" / "multipath.conf"
    rc, tasks = run_role(host)
    assert rc == 0, tasks
    assert "    find_multipaths yes\n" in config.read_text()
    assert "reload multipathd" in (host / "systemctl.log").read_text()
    rc, tasks = run_role(host)
    assert rc == 0 and "Install the checked configuration" not in tasks, tasks


def test_a_lun_missing_on_the_host_ends_in_the_message_that_names_it(host):
    # multipath_expected_maps names a WWID no map has: the wait must not fail by itself (an
    # exhausted `until` fails with "Action failed: Unknown error."); the check names the LUN.
    rc, tasks = run_role(
        host, "-e", '{"multipath_expected_maps": [{"wwid": "36001405deadbeef", "paths": 2}]}',
        "-e", "__multipath_map_wait_seconds=2", role_tasks="maps.yml")
    assert rc != 0
    waited = tasks["Wait until every expected LUN has a map"]
    assert not waited.get("failed") and "Action failed" not in waited.get("msg", ""), waited
    assert waited["missing"] == ["36001405deadbeef"], waited
    assert (host / "udevadm.log").read_text() == "settle --timeout=2\n"
    refused = tasks["Check that every expected LUN has its map and its healthy paths"]
    message = refused["results"][0]["msg"]
    assert message.startswith(
        "localhost: LUN 36001405deadbeef of multipath_expected_maps has no multipath map on "
        "this node after 2 seconds (maps here: none)."), message


def test_check_mode_before_multipath_is_installed_shows_the_diff(host):
    # site.yml --check on a new host: the install step would install multipath-tools, so
    # there is no multipath to read the configuration yet.
    (host / "stubs" / "multipath").unlink()
    rc, tasks = run_role(host, "--check", "--diff")
    assert rc == 0, tasks
    assert tasks["Install the checked configuration"]["changed"]
    assert not (host / "etc" / "multipath.conf").exists()
    rc, tasks = run_role(host)
    assert rc != 0
    refused = tasks["Refuse a configuration multipath would misread"]
    assert "multipath is not installed, so nothing can check the configuration: install " \
        "multipath-tools first" in refused["msg"], refused
