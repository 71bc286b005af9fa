"""A local stand-in for the Claude Messages API: strict per-model rules, simulated replies.

Nothing here is Claude. A request the real API would reject fails here too (`rules.py`);
the rest is answered from the question bank (`content.py`). See docs/simulator.md.
"""

from __future__ import annotations

from claude_simulator.controls import FAULT_KINDS, LATENCY_PROFILES, TASK_KEYS, Fault
from claude_simulator.rules import MODELS, ModelRules, Problem, request_problem
from claude_simulator.server import Responder, SimulatorServer
from claude_simulator.thinking import thinking_tokens

__all__ = [
    "FAULT_KINDS", "LATENCY_PROFILES", "MODELS", "TASK_KEYS", "Fault", "ModelRules", "Problem",
    "Responder", "SimulatorServer", "request_problem", "thinking_tokens",
]  # fmt: skip
