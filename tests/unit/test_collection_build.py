"""The collection tarball holds what a user needs and nothing of the lab, tests or CI."""

import os
import subprocess
import sys
import tarfile

import pytest

import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]

# The ansible-galaxy of the Python running the tests, whatever PATH says.
ANSIBLE_GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
LEFT_OUT = (".ci/", ".lab/", ".venv/", ".build/", "tools/", "tests/", "molecule/", "Makefile",
            "ansible.cfg", "requirements.txt", "inventories/lab/", ".git/", ".config/",
            ".ansible-lint", "pytest.ini", ".gitignore", "awx/",
            "collections/")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    output = tmp_path_factory.mktemp("dist")
    subprocess.run([ANSIBLE_GALAXY, "collection", "build", "--output-path", str(output), str(REPO)],
                   check=True, capture_output=True, text=True)
    (path,) = output.glob("ocfs2-cluster-*.tar.gz")
    return path


def test_tarball_is_named_for_the_collection_version(tarball):
    assert tarball.name == "ocfs2-cluster-0.1.0.tar.gz"


def test_tarball_holds_what_a_user_needs_and_nothing_else(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for needed in ("MANIFEST.json", "FILES.json", "README.md", "COPYING", "meta/runtime.yml",
                   "playbooks/site.yml", "requirements.yml"):
        assert needed in names
    leaked = [name for name in names if name.startswith(LEFT_OUT) or "__pycache__" in name]
    assert leaked == []


def test_tarball_installs(tarball, tmp_path):
    # Only the scratch folder is a collections path: the repository's own link must not
    # count as "already installed". --no-deps: no Galaxy here; ansible.posix is in the venv.
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path))
    subprocess.run([ANSIBLE_GALAXY, "collection", "install", "--no-deps", "--offline",
                    "-p", str(tmp_path), str(tarball)], check=True, capture_output=True, text=True,
                   env=environment)
    listing = subprocess.run([ANSIBLE_GALAXY, "collection", "list", "ocfs2.cluster",
                              "-p", str(tmp_path)], check=True, capture_output=True, text=True,
                             env=environment)
    assert "0.1.0" in listing.stdout
    assert (tmp_path / "ansible_collections" / "ocfs2" / "cluster" / "playbooks" / "site.yml").is_file()
