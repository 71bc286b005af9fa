"""The simulator as pytest fixtures, so SATgen's tests use it without importing it.

The root conftest.py loads this plugin; a test asks for `simulator` and every Claude call of
the code under test goes to one shared simulator server, reset before and after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claude_simulator.server import SimulatorServer


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[SimulatorServer]:
    server = SimulatorServer(record_bodies=True).start()
    yield server
    server.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorServer, settings) -> Iterator[SimulatorServer]:
    """The Claude simulator, reset, with every Claude call of the code under test sent to it."""
    simulator_server.reset()
    settings.CLAUDE_SIMULATED = True
    settings.CLAUDE_SIMULATOR_URL = simulator_server.url
    settings.CLAUDE_MAX_RETRIES = 2
    settings.CLAUDE_RETRY_BASE = 0.01
    settings.CLAUDE_BATCH_POLL_SECONDS = 0.05
    yield simulator_server
    simulator_server.reset()
