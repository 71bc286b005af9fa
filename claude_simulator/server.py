"""`SimulatorServer`: the Messages API on a local port, with faults, scripts and latency.

Requests are checked by the rules table (`rules.py`); replies come from a responder (by
default `content.respond`), never from Claude. Faults, scripts and latency are set per task
("extract", "generate", "solve", "*") in-process (`add_fault`, `script`, `set_latency`) or
over HTTP (`/_sim/...`, with the run's `token`) by a test driving another process.
"""

from __future__ import annotations

import copy
import json
import os
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from claude_simulator import replies
from claude_simulator.batches import Batches
from claude_simulator.controls import Fault, check_fault, check_task
from claude_simulator.handler import SimulatorHTTPServer, Status
from claude_simulator.outputs import (
    answer_schema,
    break_constraint,
    forced_tool_definition,
    minimal_instance,
    ordered,
)
from claude_simulator.replies import Reply, new_id
from claude_simulator.rules import Problem, forced_tool, request_problem, thinking_display, thinks
from claude_simulator.thinking import DEFAULT_SIGNING_KEY, Signer, summary, thinking_tokens
from claude_simulator.tokens import CHARS_PER_TOKEN, PromptCache, output_tokens

Responder = Callable[[str, dict], dict]
DEFAULT_BATCH_DELAY = 0.2
# Loopback only: any web page a developer visits can reach this port, the network must not.
HOST = "127.0.0.1"
# A launcher that drives the control API of a simulator in a child process picks its token.
TOKEN_ENV = "CLAUDE_SIMULATOR_TOKEN"
POLL_INTERVAL = 0.05  # how fast stop() is noticed by the serving loop
# The request log's fields, each None until known (besides id, started_at and custom_id).
LOG_FIELDS = (
    "task", "model", "stream", "batch", "status", "error", "fault", "stop_reason", "input_tokens",
    "output_tokens", "thinking_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
)  # fmt: skip


def default_responder(task: str, body: dict) -> dict:
    """Answer with the shared content responder (imported late: it loads the question bank)."""
    from claude_simulator import content

    return content.respond(task, body)


class SimulatorServer:
    """Serve simulated Messages API replies on a local port, with injectable faults and latency."""

    def __init__(
        self,
        port: int = 0,
        *,
        responder: Responder | None = None,
        latency: dict[str, float] | None = None,
        seed: int = 0,
        on_request: Callable[[dict], None] | None = None,
        batch_delay: float = DEFAULT_BATCH_DELAY,
        record_bodies: bool = False,
        signing_key: bytes = DEFAULT_SIGNING_KEY,
        clock: Callable[[], float] = time.monotonic,
        token: str | None = None,
    ) -> None:
        self.port = port
        # Required on the control API (X-Simulator-Token): a web page cannot set the header.
        self.token = token or os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(32)
        self.on_request = on_request
        self.record_bodies = record_bodies
        self._responder = responder or default_responder
        self._latency: dict[str, float] = {}
        self._batch_delay = 0.0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._scripts: dict[str, deque[dict]] = {}
        self._log: list[dict] = []
        self.cache = PromptCache(clock=clock)
        self._signer = Signer(signing_key)
        self.batches = Batches(self)
        self._stopping = threading.Event()
        self._httpd: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self.set_latency(latency or {})
        self.batch_delay = batch_delay

    # --- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the base URL to give the SDK (kept after stop, for messages)."""
        if self._url is None:
            raise RuntimeError("the simulator is not started")
        return self._url

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> SimulatorServer:
        """Serve in a background thread and return self."""
        httpd = self._bind()
        self._thread = threading.Thread(
            target=self._serve, args=(httpd,), name="claude-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self, ready: Callable[[str], None] | None = None) -> None:
        """Serve in the foreground until interrupted; call `ready(url)` once listening."""
        httpd = self._bind()
        try:
            if ready is not None:
                ready(self.url)
        except BaseException:
            self._httpd = None
            httpd.server_close()
            raise
        self._serve(httpd)

    def stop(self) -> None:
        """Stop serving; requests still sleeping (latency, timeout faults) wake up at once."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()  # returns once the serving loop has ended
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _serve(self, httpd: SimulatorHTTPServer) -> None:
        try:
            httpd.serve_forever(poll_interval=POLL_INTERVAL)
        finally:
            self._stopping.set()  # wake handlers still sleeping
            httpd.server_close()

    def _bind(self) -> SimulatorHTTPServer:
        if self._httpd is not None:
            raise RuntimeError("the simulator is already started")
        self._stopping.clear()
        self._httpd = SimulatorHTTPServer((HOST, self.port), self)
        self._url = f"http://{HOST}:{self._httpd.server_port}"
        return self._httpd

    # --- control ---------------------------------------------------------------------

    def add_fault(
        self,
        kind: str,
        *,
        task: str = "*",
        count: int = 1,
        retry_after: float = 0.0,
        delay: float = 0.0,
    ) -> None:
        """Fail the next `count` requests for `task` with `kind`; faults apply in order added."""
        check_fault(kind)
        check_task(task)
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if retry_after < 0 or delay < 0:
            raise ValueError("retry_after and delay must not be negative")
        with self._lock:
            self._faults.append(Fault(kind, task, count, float(retry_after), float(delay)))

    def script(self, task: str, *outputs: dict) -> None:
        """Queue exact outputs (JSON objects) to answer next for `task`, first in first out."""
        check_task(task, wildcard=False)
        if not all(isinstance(item, dict) for item in outputs):
            raise ValueError("scripted outputs must be JSON objects")
        with self._lock:
            self._scripts.setdefault(task, deque()).extend(copy.deepcopy(list(outputs)))

    def set_latency(self, latency: dict[str, float]) -> None:
        """Set the seconds each task's reply takes ("*": any other request)."""
        for task in latency:
            check_task(task)
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in latency.values()
        ):
            raise ValueError("latency values must be non-negative numbers of seconds")
        with self._lock:
            self._latency = {task: float(seconds) for task, seconds in latency.items()}

    @property
    def batch_delay(self) -> float:
        """Seconds a message batch stays in progress before it is processed and ends."""
        return self._batch_delay

    @batch_delay.setter
    def batch_delay(self, seconds: float) -> None:
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("batch_delay must be a non-negative number of seconds")
        self._batch_delay = float(seconds)

    def requests(self) -> list[dict]:
        """Return a copy of the request log, oldest first (status None while in flight)."""
        with self._lock:
            return copy.deepcopy(self._log)

    def reset(self) -> None:
        """Clear faults, scripted outputs, the request log, the prompt cache and batches."""
        with self._lock:
            self._faults.clear()
            self._scripts.clear()
            self._log.clear()
        self.cache.clear()
        self.batches.clear()

    # --- answering ------------------------------------------------------------------

    def split(self, text: str) -> list[str]:
        """Split streamed text into 5-20 pieces at random points, as token deltas arrive."""
        if len(text) <= 1:
            return [text] if text else []
        with self._lock:
            pieces = min(self._rng.randint(5, 20), len(text))
            cuts = sorted(self._rng.sample(range(1, len(text)), pieces - 1))
        bounds = [0, *cuts, len(text)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]

    def sleep(self, seconds: float) -> None:
        """Wait, but wake up at once when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def latency_for(self, task: str | None) -> float:
        with self._lock:
            return self._latency.get(task or "*", self._latency.get("*", 0.0))

    def admit(self, body: Any, betas: frozenset[str] = frozenset()) -> tuple[Problem | None, Any]:
        """Apply the rules and check replayed thinking; return (the error or None, the body).

        The body returned lacks the thinking blocks the API would drop (Signer.check).
        """
        problem = request_problem(body, betas=betas)
        if problem is not None:
            return problem, body
        return self._signer.check(body)

    def take_fault(self, task: str | None) -> Fault | None:
        """Consume one count of the first fault matching `task`."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(task):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return copy.copy(fault)
        return None

    def build_reply(
        self,
        body: dict,
        task: str | None,
        fault: str | None,
        input_usage: dict[str, Any],
        *,
        service_tier: str = "standard",
    ) -> Reply:
        """Build the reply to a valid request, shaped by a reply-level fault if any."""
        message_id = new_id("msg_sim_")
        usage: dict[str, Any] = {**input_usage, "service_tier": service_tier}
        if fault == "refusal":
            usage["output_tokens"] = output_tokens(replies.REFUSAL_TEXT)
            usage["output_tokens_details"] = {"thinking_tokens": 0}
            refusal = [{"type": "text", "text": replies.REFUSAL_TEXT}]
            details = replies.refusal_stop_details()
            return Reply(message_id, body["model"], refusal, "refusal", usage, details)
        schema = answer_schema(body)
        output: dict | None = None
        if schema is not None:
            # Only a clean reply uses up a scripted output: a faulty one leaves it for the retry.
            output = self._next_output(task, body, schema, consume=fault is None)
            if fault == "invalid_output":
                output = break_constraint(output, schema)
            output = ordered(output, schema)
        if forced_tool(body):
            return self._tool_reply(body, message_id, output or {}, fault, usage)
        text = json.dumps(output, ensure_ascii=False) if output is not None else replies.TEXT_REPLY
        return self._text_reply(body, message_id, text, fault, usage)

    def _text_reply(
        self, body: dict, message_id: str, text: str, fault: str | None, usage: dict[str, Any]
    ) -> Reply:
        limit = body["max_tokens"]
        thinking = thinking_tokens(body)
        answer = output_tokens(text)
        content: list[dict] = []
        if thinks(body):
            shown = summary(body) if thinking_display(body) == "summarized" else ""
            signature = self._signer.sign(body, shown)
            content.append({"type": "thinking", "thinking": shown, "signature": signature})
        if thinking + answer <= limit and fault != "max_tokens":
            content.append({"type": "text", "text": text})
            stop, spent = "end_turn", thinking + answer
        else:
            if thinking + answer <= limit:
                # The max_tokens fault: the reply ran out of room halfway through the answer
                # (its thinking ran longer than usual).
                kept = max(1, len(text) // 2)
                if thinking:
                    thinking = limit - output_tokens(text[:kept])
            else:
                thinking = min(thinking, limit)
                kept = min(len(text), (limit - thinking) * CHARS_PER_TOKEN)
            if kept > 0:
                content.append({"type": "text", "text": text[:kept]})
            stop, spent = "max_tokens", limit
        usage["output_tokens"] = spent
        usage["output_tokens_details"] = {"thinking_tokens": thinking}
        return Reply(message_id, body["model"], content, stop, usage)

    def _tool_reply(
        self, body: dict, message_id: str, tool_input: dict, fault: str | None, usage: dict
    ) -> Reply:
        """Answer a forced tool call (accepted on Haiku 5.5 and Sonnet 5): no thinking (H55M)."""
        name = (forced_tool_definition(body) or {"name": "tool"})["name"]
        block = {"type": "tool_use", "id": new_id("toolu_sim_"), "name": name, "input": tool_input}
        usage["output_tokens_details"] = {"thinking_tokens": 0}
        if fault != "max_tokens":
            usage["output_tokens"] = output_tokens(tool_input)
            return Reply(message_id, body["model"], [block], "tool_use", usage)
        text = json.dumps(tool_input, ensure_ascii=False)
        # A cut JSON string cannot be parsed, so the non-streaming body keeps the first half of
        # the fields; the SDK's stream accumulator parses the cut JSON itself (partial mode).
        items = list(tool_input.items())
        block["input"] = dict(items[: len(items) // 2])
        usage["output_tokens"] = body["max_tokens"]
        partial = {0: text[: max(1, len(text) // 2)]}
        return Reply(message_id, body["model"], [block], "max_tokens", usage, partial_json=partial)

    def _next_output(self, task: str | None, body: dict, schema: dict, *, consume: bool) -> dict:
        if task is None:
            value = minimal_instance(schema)
            return value if isinstance(value, dict) else {}
        with self._lock:
            queue = self._scripts.get(task)
            if queue:
                return copy.deepcopy(queue.popleft() if consume else queue[0])
        output = self._responder(task, body)
        if not isinstance(output, dict):
            raise TypeError(f"the responder returned {type(output).__name__}, not a dict")
        return output

    # --- the request log ----------------------------------------------------------------

    def log_start(self, request_id: str, **fields: Any) -> dict:
        entry = {"id": request_id, **dict.fromkeys(LOG_FIELDS), "started_at": time.time()}
        entry.update(duration=None, **fields)
        with self._lock:
            self._log.append(entry)
        return entry

    def log_update(self, entry: dict, **fields: Any) -> None:
        with self._lock:
            entry.update(fields)

    def log_reply(self, entry: dict, reply: Reply) -> None:
        usage = reply.usage
        self.log_update(
            entry,
            stop_reason=reply.stop_reason,
            input_tokens=usage["input_tokens"],
            output_tokens=usage["output_tokens"],
            thinking_tokens=reply.thinking_tokens,
            cache_creation_input_tokens=usage["cache_creation_input_tokens"],
            cache_read_input_tokens=usage["cache_read_input_tokens"],
        )

    def log_status(self, entry: dict, status: Status) -> dict:
        """Record a request's status and its duration so far; return a copy of the entry."""
        with self._lock:
            entry["status"] = status
            entry["duration"] = round(time.time() - entry["started_at"], 4)
            return dict(entry)

    def log_finish(self, entry: dict, status: Status) -> None:
        finished = self.log_status(entry, status)
        if self.on_request is not None:
            self.on_request(finished)
