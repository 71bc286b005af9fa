"""The HTTP side of the simulator: routing, the Messages and Batches endpoints, SSE writing.

Every Messages request is logged, checked (SimulatorServer.admit), looked up in the prompt
cache as it arrives, then answered after its task's latency; a stream sends message_start
after a short time to first token, which is also when its cache entries become readable.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from claude_simulator import replies
from claude_simulator.controls import ERROR_FAULTS, LATENCY_PROFILES, Fault
from claude_simulator.outputs import task_of
from claude_simulator.rules import MAX_BATCH_BYTES, MAX_REQUEST_BYTES, Problem, bad
from claude_simulator.tokens import CachePlan

if TYPE_CHECKING:
    from claude_simulator.server import SimulatorServer

logger = logging.getLogger(__name__)

Status = int | str | None
# Time to first token (message_start) of a stream: a tenth of the latency, at most 0.3 s.
TTFT_FRACTION = 0.1
TTFT_MAX = 0.3


def ttft(latency: float) -> float:
    """Return a stream's time to first token (message_start) for a task's latency."""
    return min(TTFT_MAX, TTFT_FRACTION * latency)


def task_or_none(body: Any) -> str | None:
    """Return the task of a body that may be malformed (for the log of a refused request)."""
    try:
        return task_of(body) if isinstance(body, dict) else None
    except (AttributeError, TypeError, KeyError):
        return None


def _betas(header: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (header or "").split(",") if part.strip())


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Handlers may sleep for a timeout fault: stop() must not wait for them.
    block_on_close = False
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], simulator: SimulatorServer) -> None:
        self.simulator = simulator
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-reply (timeouts, cancelled streams) is routine here.
        logger.debug("simulator connection from %s ended with an error", client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ClaudeSimulator/2.0"
    server: SimulatorHTTPServer
    _entry: dict | None = None  # the request log entry of the Messages call being answered
    _status: Status = None

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator: " + format, *args)

    @property
    def simulator(self) -> SimulatorServer:
        return self.server.simulator

    # --- routing ---------------------------------------------------------------------

    def do_GET(self) -> None:
        self._entry, self._status = None, None
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/_sim/requests":
            self._send_json(200, self.simulator.requests())
        elif path == "/_sim/health":
            self._send_json(200, {"ok": True, "simulator": True})
        elif path.startswith("/v1/messages/batches"):
            if self._api_problem() is None:
                self._batches_get(path)
        else:
            self._reject(404, "not_found_error", f"Not found: {path}")

    def do_DELETE(self) -> None:
        self._entry, self._status = None, None
        path = urlsplit(self.path).path.rstrip("/")
        parts = path.split("/")
        if len(parts) != 5 or not path.startswith("/v1/messages/batches/"):
            self._reject(404, "not_found_error", f"Not found: {path}")
            return
        if self._api_problem() is not None:
            return
        deleted = self.simulator.batches.delete(parts[4])
        if deleted is None:
            self._reject(404, "not_found_error", f"message_batch: {parts[4]}")
        elif not deleted:
            self._reject(
                400, "invalid_request_error", "Batch is still processing; cancel it first."
            )
        else:
            self._send_json(200, {"id": parts[4], "type": "message_batch_deleted"})

    def do_POST(self) -> None:
        self._entry, self._status = None, None
        path = urlsplit(self.path).path.rstrip("/")
        limit = MAX_BATCH_BYTES if path == "/v1/messages/batches" else MAX_REQUEST_BYTES
        raw = self._read_body(limit)
        if path == "/v1/messages":
            self._messages(raw)
        elif path.startswith("/_sim/"):
            self._control(path, raw or b"")
        elif raw is None:
            self._reject(
                413, "request_too_large", f"Request exceeds the maximum size of {limit} bytes."
            )
        elif path == "/v1/messages/count_tokens":
            self._count_tokens(raw)
        elif path == "/v1/messages/batches":
            self._batches_create(raw)
        elif path.startswith("/v1/messages/batches/") and path.endswith("/cancel"):
            if self._api_problem() is None:
                found = self.simulator.batches.cancel(path.split("/")[4])
                if found is None:
                    self._reject(404, "not_found_error", f"message_batch: {path.split('/')[4]}")
                else:
                    self._send_json(200, found)
        else:
            self._reject(404, "not_found_error", f"Not found: {path}")

    def _read_body(self, limit: int) -> bytes | None:
        """Read the request body; None when it is larger than `limit` (read and discarded)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
            return body if len(body) <= limit else None
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            remaining = length
            while remaining > 0:  # drain it, so the client reads our 413 rather than a reset
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()

    def _api_problem(self, request_id: str | None = None) -> Problem | None:
        """Check the headers every API call needs; answer and return the error if one fails."""
        problem = None
        if not self._has_auth():
            message = "Missing credentials: send x-api-key or Authorization: Bearer."
            problem = Problem(401, "authentication_error", message)
        elif not self.headers.get("anthropic-version"):
            problem = bad("anthropic-version: header is required")
        if problem is not None:
            self._send_error(problem, request_id or self.simulator.new_id("req_sim_"))
        return problem

    def _has_auth(self) -> bool:
        bearer = self.headers.get("Authorization", "")
        return bool(self.headers.get("x-api-key")) or (
            bearer.startswith("Bearer ") and bool(bearer[7:].strip())
        )

    def _betas(self) -> frozenset[str]:
        return _betas(self.headers.get("anthropic-beta"))

    # --- the Messages API ------------------------------------------------------------

    def _messages(self, raw: bytes | None) -> None:
        simulator = self.simulator
        request_id = simulator.new_id("req_sim_")
        entry = self._entry = simulator.log_start(request_id)
        try:
            self._answer(raw, request_id, entry)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)
        except Exception as exc:
            logger.exception("the Claude simulator failed to answer")
            if self._status is None:
                # x-should-retry: false, as retrying the simulator's own bug cannot help.
                problem = Problem(500, "api_error", f"Simulator failure: {exc}")
                self._send_error(problem, request_id, retry=False)
        simulator.log_finish(entry, self._status)
        self._entry = None

    def _parse(self, raw: bytes | None) -> tuple[Any, Problem | None]:
        """Return (body, None) or (None, the error) for the transport-level checks."""
        if raw is None:
            return None, Problem(
                413,
                "request_too_large",
                f"Request exceeds the maximum size of {MAX_REQUEST_BYTES} bytes.",
            )
        if not self._has_auth():
            message = "Missing credentials: send x-api-key or Authorization: Bearer."
            return None, Problem(401, "authentication_error", message)
        if not self.headers.get("anthropic-version"):
            return None, bad("anthropic-version: header is required")
        try:
            return json.loads(raw), None
        except ValueError as exc:
            return None, bad(f"The request body is not valid JSON: {exc}")

    def _answer(self, raw: bytes | None, request_id: str, entry: dict) -> None:
        simulator = self.simulator
        body, problem = self._parse(raw)
        if problem is None:
            if simulator.record_bodies:
                simulator.log_update(entry, body=copy.deepcopy(body))
            if isinstance(body, dict):
                simulator.log_update(
                    entry,
                    model=body.get("model"),
                    stream=bool(body.get("stream")),
                    task=task_or_none(body),
                )
            problem, body = simulator.admit(body, self._betas())
        if problem is not None:
            simulator.log_update(entry, error=problem.message)
            self._send_error(problem, request_id)
            return
        task = task_of(body)
        fault = simulator.take_fault(task)
        kind = fault.kind if fault else None
        # The lookup happens as the request arrives: a concurrent writer's entries are not
        # readable until its response begins.
        plan = simulator.plan_cache(body)
        if fault is not None:
            simulator.log_update(entry, fault=kind)
            simulator.sleep(fault.pause())
        if fault is not None and kind in ERROR_FAULTS:
            simulator.log_update(entry, error=ERROR_FAULTS[fault.kind][2])
            self._send_fault(fault, request_id)
            return
        if kind == "connection_drop":
            self._drop()
            return
        reply = simulator.build_reply(body, task, kind, plan.usage)
        simulator.log_reply(entry, reply)
        latency = simulator.latency_for(task)
        # stream_error cuts a reply with an error event; without streaming it is a dropped body.
        truncated = kind == "truncated_stream" or (
            kind == "stream_error" and not body.get("stream")
        )
        if body.get("stream"):
            self._send_stream(
                reply, plan, latency, request_id, truncated=truncated, error=kind == "stream_error"
            )
        else:
            simulator.sleep(latency)
            simulator.commit_cache(plan)  # the reply is about to begin
            self._send_message(reply, request_id, truncated=truncated)

    def _count_tokens(self, raw: bytes) -> None:
        request_id = self.simulator.new_id("req_sim_")
        body, problem = self._parse(raw)
        if problem is None:
            if isinstance(body, dict):
                for field in ("max_tokens", "stream"):
                    if field in body:
                        problem = bad(f"{field}: Extra inputs are not permitted")
            else:
                problem = bad("Request body must be a JSON object.")
        if problem is None:
            # The same rules as a Messages call (S55W: forced tool_choice is refused here too).
            problem, body = self.simulator.admit({**body, "max_tokens": 1}, self._betas())
        if problem is not None:
            self._send_error(problem, request_id)
            return
        plan = self.simulator.plan_cache(body)  # read only: nothing is committed
        usage = plan.usage
        total = (
            usage["input_tokens"]
            + usage["cache_creation_input_tokens"]
            + usage["cache_read_input_tokens"]
        )
        self._send_json(200, {"input_tokens": total}, {"request-id": request_id})

    # --- the Message Batches API ----------------------------------------------------------

    def _batches_create(self, raw: bytes) -> None:
        request_id = self.simulator.new_id("req_sim_")
        data, problem = self._parse(raw)
        if problem is None:
            problem, created = self.simulator.batches.create(data, betas=self._betas())
        if problem is not None:
            self._send_error(problem, request_id)
            return
        self._send_json(200, created, {"request-id": request_id})

    def _batches_get(self, path: str) -> None:
        parts = path.split("/")  # "", v1, messages, batches, id, [results]
        batches = self.simulator.batches
        if len(parts) == 4:
            listed = batches.list()
            self._send_json(
                200,
                {
                    "data": listed,
                    "has_more": False,
                    "first_id": listed[0]["id"] if listed else None,
                    "last_id": listed[-1]["id"] if listed else None,
                },
            )
            return
        batch_id = parts[4]
        found = batches.describe(batch_id)
        if found is None or len(parts) > 6 or (len(parts) == 6 and parts[5] != "results"):
            self._reject(404, "not_found_error", f"message_batch: {batch_id}")
            return
        if len(parts) == 5:
            self._send_json(200, found)
            return
        lines = batches.results(batch_id)
        if lines is None:
            self._reject(
                400, "invalid_request_error", f"message_batch {batch_id} has not ended yet."
            )
            return
        payload = b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
        self._mark(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-jsonl")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    # --- control API -------------------------------------------------------------------

    def _control(self, path: str, raw: bytes) -> None:
        simulator = self.simulator
        try:
            data = json.loads(raw) if raw.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("the control API takes a JSON object")
            if path == "/_sim/faults":
                simulator.add_fault(**data)
            elif path == "/_sim/script":
                simulator.script(data["task"], *data["outputs"])
            elif path == "/_sim/latency":
                data = dict(data)
                if "batch_delay" in data:
                    simulator.batch_delay = data.pop("batch_delay")
                profile = data.pop("profile", None)
                if profile is not None or data:
                    simulator.set_latency(
                        {**LATENCY_PROFILES[profile], **data} if profile else data
                    )
            elif path == "/_sim/config":
                for key, value in data.items():
                    if key == "record_bodies":
                        simulator.record_bodies = bool(value)
                    elif key == "batch_delay":
                        simulator.batch_delay = value
                    else:
                        raise ValueError(f"unknown setting {key!r}")
            elif path == "/_sim/reset":
                simulator.reset()
            else:
                self._reject(404, "not_found_error", f"Not found: {path}")
                return
        except (KeyError, TypeError, ValueError) as exc:
            self._reject(400, "invalid_request_error", f"{path}: {exc!r}")
            return
        self._send_json(200, {"ok": True})

    # --- writing -----------------------------------------------------------------------

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode()
        self._mark(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_error(self, problem: Problem, request_id: str, *, retry: bool = True) -> None:
        headers = {"request-id": request_id}
        if not retry:
            headers["x-should-retry"] = "false"
        body = replies.error_body(problem.type, problem.message, request_id)
        self._send_json(problem.status, body, headers)

    def _reject(self, status: int, error_type: str, message: str) -> None:
        """Answer a request outside the Messages API with an error."""
        self._send_error(Problem(status, error_type, message), self.simulator.new_id("req_sim_"))

    def _send_fault(self, fault: Fault, request_id: str) -> None:
        status, error_type, message = ERROR_FAULTS[fault.kind]
        headers = {"request-id": request_id}
        if fault.kind in ("rate_limit", "overloaded"):
            # retry-after is whole seconds by the HTTP spec; the SDK prefers the precise -ms one.
            headers["retry-after"] = str(math.ceil(fault.retry_after))
            headers["retry-after-ms"] = str(round(fault.retry_after * 1000))
        self._send_json(status, replies.error_body(error_type, message, request_id), headers)

    def _send_message(self, reply: replies.Reply, request_id: str, *, truncated: bool) -> None:
        if not truncated:
            self._send_json(200, reply.message(), {"request-id": request_id})
            return
        payload = json.dumps(reply.message(), ensure_ascii=False).encode()
        self._mark(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))  # promise more than is sent
        self.send_header("request-id", request_id)
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2])
        self._drop()

    def _send_stream(
        self,
        reply: replies.Reply,
        plan: CachePlan,
        latency: float,
        request_id: str,
        *,
        truncated: bool,
        error: bool = False,
    ) -> None:
        simulator = self.simulator
        events = replies.stream_events(reply, simulator.split)
        if truncated:
            events = replies.cut_short(events)
        if error:
            # The API can report an overload after HTTP 200, as an error event mid-stream.
            overloaded = {"type": "overloaded_error", "message": "Simulated overload mid-reply."}
            events = [*replies.cut_short(events), ("error", {"type": "error", "error": overloaded})]
        first = ttft(latency)
        simulator.sleep(first)
        self._mark(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        # Chunked, so that a cut stream is an incomplete body (an error), not a clean EOF.
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", request_id)
        self.end_headers()
        simulator.commit_cache(plan)  # message_start goes out next: the response has begun
        self._write_events(events[:1])
        simulator.sleep(latency - first)
        self._write_events(events[1:])
        if truncated:
            self._drop()
            return
        self.wfile.write(b"0\r\n\r\n")

    def _write_events(self, events: list[replies.Event]) -> None:
        for name, data in events:
            chunk = replies.encode_event(name, data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _mark(self, status: Status) -> None:
        """Record the reply's status before sending it, so the log is current once it arrives."""
        self._status = status
        if self._entry is not None:
            self.simulator.log_status(self._entry, status)

    def _drop(self) -> None:
        """Close the connection at once, mid-reply or before any reply."""
        if self._status is None:
            self._mark("dropped")
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have hung up already
            self.connection.shutdown(socket.SHUT_RDWR)
