"""A local stand-in for the Claude Messages API: simulated replies for tests, demos and benchmarks.

Nothing here is Claude: replies come from a responder (by default `content.respond`, built from
the question bank), and faults and latency are injected on demand.
"""

from __future__ import annotations

from generation.simulator.server import (
    FAULT_KINDS,
    LATENCY_PROFILES,
    Fault,
    Responder,
    SimulatorServer,
)

__all__ = ["FAULT_KINDS", "LATENCY_PROFILES", "Fault", "Responder", "SimulatorServer"]
