"""The simulator's controls, keyed by task: fault kinds, faults and latency profiles.

A task is what a request asks for ("extract", "generate", "solve", read from its output
schema); "*" matches any request, including ones with no task.
"""

from __future__ import annotations

from dataclasses import dataclass

from claude_simulator.outputs import TASKS

TASK_KEYS = (*TASKS, "*")
LATENCY_PROFILES: dict[str, dict[str, float]] = {
    # The old system's vision / generate / classify timings, for like-for-like benchmarks.
    "old-system": {"extract": 2.3, "generate": 3.1, "solve": 0.8},
    "none": {},
}
# Faults answered with an error status: (HTTP status, error type, message).
ERROR_FAULTS: dict[str, tuple[int, str, str]] = {
    "rate_limit": (429, "rate_limit_error", "Simulated rate limit: too many requests."),
    "overloaded": (529, "overloaded_error", "Simulated overload: the API is overloaded."),
    "server_error": (500, "api_error", "Simulated internal server error."),
}
FAULT_KINDS: tuple[str, ...] = (
    *ERROR_FAULTS, "connection_drop", "timeout", "truncated_stream", "stream_error", "max_tokens",
    "refusal", "invalid_output",
)  # fmt: skip
DEFAULT_TIMEOUT_DELAY = 30.0


@dataclass
class Fault:
    """A fault to inject into the next `count` requests for `task` ("*": any request)."""

    kind: str
    task: str = "*"
    count: int = 1
    retry_after: float = 0.0
    delay: float = 0.0

    def matches(self, task: str | None) -> bool:
        return self.count > 0 and self.task in ("*", task)

    def pause(self) -> float:
        """Return how long to wait before acting (a timeout waits 30 s unless told)."""
        if self.kind == "timeout" and self.delay <= 0:
            return DEFAULT_TIMEOUT_DELAY
        return self.delay


def check_task(task: str, *, wildcard: bool = True) -> None:
    """Raise ValueError unless `task` names a task (or "*", if allowed)."""
    allowed = TASK_KEYS if wildcard else TASKS
    if task not in allowed:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(allowed)}")


def check_fault(kind: str) -> None:
    """Raise ValueError unless `kind` names a fault."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
