"""Unit tests import the collection as ansible_collections.ocfs2.cluster, through the link
that `make deps` puts in .build/collections."""

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
if not (COLLECTIONS / "ansible_collections" / "ocfs2" / "cluster").exists():
    raise RuntimeError("%s is missing: run `make deps` first" % COLLECTIONS)
sys.path.insert(0, str(COLLECTIONS))

FIXTURES = REPO / "tests" / "unit" / "fixtures"


def read_fixture(relative_path):
    """A captured tool output without its leading '# command' lines."""
    lines = (FIXTURES / relative_path).read_text().splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)
