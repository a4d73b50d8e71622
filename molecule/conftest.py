"""Fixtures shared by the Molecule verifiers."""

import pytest
from labcheck import lab_status


@pytest.fixture(scope="session")
def lab():
    """The running lab: nodes with their cluster addresses, LUNs with WWID and size."""
    status = lab_status()
    assert status["up"], "the lab is down: Molecule's create step should have started it"
    return status
