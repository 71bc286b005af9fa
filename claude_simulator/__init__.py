"""A local stand-in for the Claude Messages API: strict per-model rules, simulated replies.

Nothing here is Claude: replies come from a responder (by default `content.respond`, built from
the question bank), and faults and latency are injected on demand. Requests are checked
against the simulator's own table of the published per-model rules (`rules.py`), so a
request the real API would reject fails here too.
"""

from __future__ import annotations

from claude_simulator.rules import MODELS, ModelRules, Problem, request_problem
from claude_simulator.server import (
    FAULT_KINDS,
    LATENCY_PROFILES,
    TASK_KEYS,
    Fault,
    Responder,
    SimulatorServer,
)
from claude_simulator.thinking import thinking_tokens

__all__ = [
    "FAULT_KINDS",
    "LATENCY_PROFILES",
    "MODELS",
    "TASK_KEYS",
    "Fault",
    "ModelRules",
    "Problem",
    "Responder",
    "SimulatorServer",
    "request_problem",
    "thinking_tokens",
]
