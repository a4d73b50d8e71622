"""Fixtures shared by the Molecule verifiers."""

import pytest
from labcheck import lab_hosts, lab_status


@pytest.fixture(scope="session")
def lab():
    """The running lab: nodes with their cluster addresses, LUNs with WWID and size."""
    status = lab_status()
    assert status["up"], "the lab is down: Molecule's create step should have started it"
    return status


@pytest.fixture(scope="session")
def nodes():
    """Every node of the lab as a testinfra host, by name."""
    return lab_hosts()
