"""The Message Batches API for the simulator: create, retrieve, results, cancel, list, delete.

Follows https://platform.claude.com/docs/en/build-with-claude/batch-processing and the
batch reference pages: 1 to 100,000 requests, custom_id `^[a-zA-Z0-9_-]{1,64}$` and unique,
each request's params checked by the same rules as a Messages call (an invalid one is an
`errored` result; the batch itself is accepted), results as JSONL once the batch has ended.
The simulator processes a batch in the background after `batch_delay` seconds.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from claude_simulator.controls import ERROR_FAULTS
from claude_simulator.outputs import task_of, task_or_none
from claude_simulator.replies import new_id
from claude_simulator.rules import Problem, Refused, fail, only

if TYPE_CHECKING:
    from claude_simulator.server import SimulatorServer

MAX_BATCH_REQUESTS = 100_000
CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
BATCH_LIFETIME = timedelta(hours=24)  # a batch expires 24 h after creation
POLL = 0.02


def _timestamp(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


@dataclass
class _Batch:
    id: str
    requests: list[tuple[str, dict]]
    betas: frozenset[str]
    created_at: datetime
    status: str = "in_progress"  # in_progress -> (canceling ->) ended
    ended_at: datetime | None = None
    cancel_initiated_at: datetime | None = None
    results: list[dict] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)


class Batches:
    """Hold the simulator's message batches and process them in the background."""

    def __init__(self, simulator: SimulatorServer) -> None:
        self._simulator = simulator
        self._lock = threading.Lock()
        self._batches: dict[str, _Batch] = {}

    def create(
        self, data: Any, *, betas: frozenset[str] = frozenset()
    ) -> tuple[Problem | None, dict]:
        """Accept a batch (or return the 400 for a malformed one) and start processing it."""
        try:
            _check_batch(data)
        except Refused as refused:
            return refused.problem, {}
        batch = _Batch(
            id=new_id("msgbatch_sim_"),
            requests=[(item["custom_id"], item["params"]) for item in data["requests"]],
            betas=betas,
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self._batches[batch.id] = batch
        threading.Thread(
            target=self._process, args=(batch,), name=f"batch-{batch.id}", daemon=True
        ).start()
        return None, self.describe(batch.id) or {}

    def describe(self, batch_id: str) -> dict | None:
        """Return the MessageBatch object, or None for an unknown id."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            ended = batch.status == "ended"
            counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
            if ended:
                for line in batch.results:
                    counts[line["result"]["type"]] += 1
            else:
                counts["processing"] = len(batch.requests)
            return {
                "id": batch.id,
                "type": "message_batch",
                "processing_status": batch.status,
                "request_counts": counts,
                "created_at": _timestamp(batch.created_at),
                "expires_at": _timestamp(batch.created_at + BATCH_LIFETIME),
                "ended_at": _timestamp(batch.ended_at),
                "archived_at": None,
                "cancel_initiated_at": _timestamp(batch.cancel_initiated_at),
                "results_url": (
                    f"{self._simulator.url}/v1/messages/batches/{batch.id}/results"
                    if ended
                    else None
                ),
            }

    def results(self, batch_id: str) -> list[dict] | None:
        """Return the result lines of an ended batch (None: unknown or not ended)."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None or batch.status != "ended":
                return None
            return list(batch.results)

    def cancel(self, batch_id: str) -> dict | None:
        """Cancel a batch still in progress; return its object."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            if batch.status == "in_progress":
                batch.status = "canceling"
                batch.cancel_initiated_at = datetime.now(UTC)
                batch.cancel.set()
        return self.describe(batch_id)

    def list(self) -> list[dict]:
        """Return every batch, newest first."""
        with self._lock:
            ids = list(reversed(self._batches))
        return [item for item in (self.describe(i) for i in ids) if item is not None]

    def delete(self, batch_id: str) -> bool | None:
        """Delete an ended batch; None: unknown, False: still processing."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            if batch.status != "ended":
                return False
            del self._batches[batch_id]
            return True

    def clear(self) -> None:
        """Forget every batch (those still processing end as canceled, unseen)."""
        with self._lock:
            for batch in self._batches.values():
                batch.cancel.set()
            self._batches.clear()

    def _process(self, batch: _Batch) -> None:
        simulator = self._simulator
        deadline = time.monotonic() + simulator.batch_delay
        while time.monotonic() < deadline and not batch.cancel.is_set():
            if simulator.stopping:
                return
            batch.cancel.wait(min(POLL, max(0.0, deadline - time.monotonic())))
        results = []
        for custom_id, params in batch.requests:
            if batch.cancel.is_set() or simulator.stopping:
                result: dict = {"type": "canceled"}
            else:
                result = self._answer(batch, custom_id, params)
            results.append({"custom_id": custom_id, "result": result})
        with self._lock:
            batch.results = results
            batch.status = "ended"
            batch.ended_at = datetime.now(UTC)

    def _answer(self, batch: _Batch, custom_id: str, params: dict) -> dict:
        """Answer one request of a batch; return its `result` object."""
        simulator = self._simulator
        entry = simulator.log_start(new_id("req_sim_"), batch=batch.id, custom_id=custom_id)
        simulator.log_update(entry, stream=False, model=params.get("model"))
        if simulator.record_bodies:
            simulator.log_update(entry, body=copy.deepcopy(params))

        def errored(status: int, error_type: str, message: str) -> dict:
            simulator.log_update(entry, error=message)
            simulator.log_finish(entry, status)
            error = {"type": "error", "error": {"type": error_type, "message": message}}
            return {"type": "errored", "error": error}

        if params.get("stream"):
            return errored(400, "invalid_request_error", "stream: Message Batches do not stream.")
        problem, body = simulator.admit(params, batch.betas)
        simulator.log_update(entry, task=task_or_none(params))
        if problem is not None:
            return errored(problem.status, problem.type, problem.message)
        task = task_of(body)
        fault = simulator.take_fault(task)
        kind = fault.kind if fault else None
        simulator.log_update(entry, fault=kind)
        if kind in ERROR_FAULTS:
            return errored(*ERROR_FAULTS[kind])
        if kind in ("connection_drop", "timeout", "truncated_stream"):
            return errored(500, "api_error", f"Simulated failure ({kind}) processing the request.")
        if kind == "stream_error":
            return errored(529, "overloaded_error", "Simulated overload mid-reply.")
        plan = simulator.cache.plan(body)
        reply = simulator.build_reply(body, task, kind, plan.usage, service_tier="batch")
        simulator.cache.commit(plan)
        simulator.log_reply(entry, reply)
        simulator.log_finish(entry, 200)
        return {"type": "succeeded", "message": reply.message()}


def _check_batch(data: Any) -> None:
    if not isinstance(data, dict):
        raise fail("Request body must be a JSON object.")
    only(data, ("requests",), "")
    requests = data.get("requests")
    if not isinstance(requests, list):
        raise fail("requests: Field required")
    if not 1 <= len(requests) <= MAX_BATCH_REQUESTS:
        raise fail(
            f"requests: a batch holds 1 to {MAX_BATCH_REQUESTS} requests, not {len(requests)}"
        )
    seen: set[str] = set()
    for i, item in enumerate(requests):
        if not isinstance(item, dict):
            raise fail(f"requests.{i}: Input should be a valid dictionary")
        only(item, ("custom_id", "params"), f"requests.{i}.")
        custom_id = item.get("custom_id")
        if not isinstance(custom_id, str) or not CUSTOM_ID.fullmatch(custom_id):
            raise fail(
                f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )
        if custom_id in seen:
            raise fail(
                f"requests.{i}.custom_id: custom_id '{custom_id}' is not unique in the batch"
            )
        seen.add(custom_id)
        if not isinstance(item.get("params"), dict):
            raise fail(f"requests.{i}.params: Input should be a valid dictionary")
