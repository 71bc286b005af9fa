"""The HTTP side of the simulator: routing, the Messages and Batches endpoints, SSE writing.

Every Messages request is logged, checked (SimulatorServer.admit), looked up in the prompt
cache as it arrives, then answered after its task's latency; a stream sends message_start
after a short time to first token, which is also when its cache entries become readable.
"""

from __future__ import annotations

import contextlib
import copy
import hmac
import json
import logging
import math
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from claude_simulator import replies
from claude_simulator.controls import ERROR_FAULTS, LATENCY_PROFILES, Fault
from claude_simulator.outputs import task_of, task_or_none
from claude_simulator.replies import new_id
from claude_simulator.rules import MAX_BATCH_BYTES, MAX_REQUEST_BYTES, Problem, bad
from claude_simulator.tokens import CachePlan

if TYPE_CHECKING:
    from claude_simulator.server import SimulatorServer

logger = logging.getLogger(__name__)

Status = int | str | None
# Time to first token (message_start) of a stream: a tenth of the latency, at most 0.3 s.
TTFT_FRACTION = 0.1
TTFT_MAX = 0.3
TOKEN_HEADER = "X-Simulator-Token"


def _too_large(limit: int) -> Problem:
    return Problem(413, "request_too_large", f"Request exceeds the maximum size of {limit} bytes.")


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

    def _path(self) -> str | None:
        """Start a request: forget the last one's state; return its path, or None if refused."""
        self._entry, self._status = None, None
        path = urlsplit(self.path).path.rstrip("/")
        problem = self._refusal(path)
        if problem is None:
            return path
        self.close_connection = True  # its body, if any, is left unread
        self._send_error(problem)
        return None

    def _refusal(self, path: str) -> Problem | None:
        """Return why a request a web page could send is refused, or None.

        Another origin or host (DNS rebinding) is refused everywhere; a control call also needs
        the run's token, a header no cross-site form or simple request can carry.
        """
        own = {f"{host}:{self.server.server_port}" for host in ("127.0.0.1", "localhost")}
        origin, host = self.headers.get("Origin"), self.headers.get("Host")
        if origin is not None and origin not in {f"http://{authority}" for authority in own}:
            return Problem(403, "permission_error", f"Cross-origin request refused: {origin}")
        if host is not None and host not in own:
            return Problem(403, "permission_error", f"Request for another host refused: {host}")
        if not path.startswith("/_sim/") or path == "/_sim/health":
            return None
        if self.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return Problem(403, "permission_error", "Cross-site control request refused.")
        token = self.headers.get(TOKEN_HEADER)
        if not token:
            return Problem(401, "authentication_error", f"{TOKEN_HEADER}: header is required")
        if not hmac.compare_digest(token.encode(), self.simulator.token.encode()):
            return Problem(403, "permission_error", f"{TOKEN_HEADER}: not this run's token")
        return None

    def do_GET(self) -> None:
        path = self._path()
        if path is None:
            return
        if path == "/_sim/requests":
            self._send_json(200, self.simulator.requests())
        elif path == "/_sim/health":
            self._send_json(200, {"ok": True, "simulator": True})
        elif path.startswith("/v1/messages/batches"):
            if self._headers_ok():
                self._batches_get(path)
        else:
            self._not_found(f"Not found: {path}")

    def do_DELETE(self) -> None:
        path = self._path()
        if path is None:
            return
        parts = path.split("/")
        if len(parts) != 5 or not path.startswith("/v1/messages/batches/"):
            self._not_found(f"Not found: {path}")
            return
        if not self._headers_ok():
            return
        deleted = self.simulator.batches.delete(parts[4])
        if deleted is None:
            self._not_found(f"message_batch: {parts[4]}")
        elif not deleted:
            self._send_error(bad("Batch is still processing; cancel it first."))
        else:
            self._send_json(200, {"id": parts[4], "type": "message_batch_deleted"})

    def do_POST(self) -> None:
        path = self._path()
        if path is None:
            return
        limit = MAX_BATCH_BYTES if path == "/v1/messages/batches" else MAX_REQUEST_BYTES
        raw = self._read_body(limit)
        if path == "/v1/messages":
            self._messages(raw)
        elif path.startswith("/_sim/"):
            self._control(path, raw or b"")
        elif raw is None:
            self._send_error(_too_large(limit))
        elif path == "/v1/messages/count_tokens":
            self._count_tokens(raw)
        elif path == "/v1/messages/batches":
            self._batches_create(raw)
        elif path.startswith("/v1/messages/batches/") and path.endswith("/cancel"):
            if self._headers_ok():
                batch_id = path.split("/")[4]
                found = self.simulator.batches.cancel(batch_id)
                if found is None:
                    self._not_found(f"message_batch: {batch_id}")
                else:
                    self._send_json(200, found)
        else:
            self._not_found(f"Not found: {path}")

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

    def _header_problem(self) -> Problem | None:
        """Return the error for a header every API call needs and this one lacks, or None."""
        bearer = self.headers.get("Authorization", "")
        if not self.headers.get("x-api-key") and not (
            bearer.startswith("Bearer ") and bearer[7:].strip()
        ):
            message = "Missing credentials: send x-api-key or Authorization: Bearer."
            return Problem(401, "authentication_error", message)
        if not self.headers.get("anthropic-version"):
            return bad("anthropic-version: header is required")
        return None

    def _headers_ok(self) -> bool:
        """Check the headers every API call needs; answer the error if one is missing."""
        problem = self._header_problem()
        if problem is not None:
            self._send_error(problem)
        return problem is None

    def _parse(self, raw: bytes | None) -> tuple[Any, Problem | None]:
        """Return (body, None) or (None, the error) for the transport-level checks."""
        if raw is None:
            return None, _too_large(MAX_REQUEST_BYTES)
        problem = self._header_problem()
        if problem is not None:
            return None, problem
        try:
            return json.loads(raw), None
        except ValueError as exc:
            return None, bad(f"The request body is not valid JSON: {exc}")

    def _betas(self) -> frozenset[str]:
        parts = (self.headers.get("anthropic-beta") or "").split(",")
        return frozenset(part.strip() for part in parts if part.strip())

    # --- the Messages API ------------------------------------------------------------

    def _messages(self, raw: bytes | None) -> None:
        simulator = self.simulator
        request_id = new_id("req_sim_")
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
                self._send_error(problem, request_id, {"x-should-retry": "false"})
        simulator.log_finish(entry, self._status)
        self._entry = None

    def _answer(self, raw: bytes | None, request_id: str, entry: dict) -> None:
        simulator = self.simulator
        body, problem = self._parse(raw)
        if problem is None:
            if simulator.record_bodies:
                simulator.log_update(entry, body=copy.deepcopy(body))
            if isinstance(body, dict):
                stream, task = bool(body.get("stream")), task_or_none(body)
                simulator.log_update(entry, model=body.get("model"), stream=stream, task=task)
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
        plan = simulator.cache.plan(body)
        if fault is not None:
            simulator.log_update(entry, fault=kind)
            simulator.sleep(fault.pause())
        if fault is not None and fault.kind in ERROR_FAULTS:
            simulator.log_update(entry, error=ERROR_FAULTS[fault.kind][2])
            self._send_fault(fault, request_id)
            return
        if kind == "connection_drop":
            self._drop()
            return
        reply = simulator.build_reply(body, task, kind, plan.usage)
        simulator.log_reply(entry, reply)
        latency = simulator.latency_for(task)
        if body.get("stream"):
            self._send_stream(reply, plan, latency, request_id, kind)
            return
        simulator.sleep(latency)
        simulator.cache.commit(plan)  # the reply is about to begin
        # Without streaming, a stream_error is a dropped body too.
        cut = kind in ("truncated_stream", "stream_error")
        self._send(200, _json(reply.message()), {"request-id": request_id}, cut=cut)

    def _count_tokens(self, raw: bytes) -> None:
        request_id = new_id("req_sim_")
        body, problem = self._parse(raw)
        if problem is None and isinstance(body, dict):
            for field in ("max_tokens", "stream"):
                if field in body:
                    problem = bad(f"{field}: Extra inputs are not permitted")
            body = {**body, "max_tokens": 1}
        if problem is None:
            # The same rules as a Messages call (S55W: forced tool_choice is refused here too).
            problem, body = self.simulator.admit(body, self._betas())
        if problem is not None:
            self._send_error(problem, request_id)
            return
        usage = self.simulator.cache.plan(body).usage  # read only: nothing is committed
        total = sum(
            usage[key]
            for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        self._send_json(200, {"input_tokens": total}, {"request-id": request_id})

    # --- the Message Batches API ----------------------------------------------------------

    def _batches_create(self, raw: bytes) -> None:
        request_id = new_id("req_sim_")
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
            self._not_found(f"message_batch: {batch_id}")
            return
        if len(parts) == 5:
            self._send_json(200, found)
            return
        lines = batches.results(batch_id)
        if lines is None:
            self._send_error(bad(f"message_batch {batch_id} has not ended yet."))
            return
        payload = b"".join(_json(line) + b"\n" for line in lines)
        self._send(200, payload, content_type="application/x-jsonl")

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
                self._not_found(f"Not found: {path}")
                return
        except (KeyError, TypeError, ValueError) as exc:
            self._send_error(bad(f"{path}: {exc!r}"))
            return
        self._send_json(200, {"ok": True})

    # --- writing -----------------------------------------------------------------------

    def _send(
        self,
        status: int,
        payload: bytes,
        headers: dict[str, str] | None = None,
        *,
        content_type: str = "application/json",
        cut: bool = False,
    ) -> None:
        """Send a whole body, or (`cut`) half of it before the connection drops."""
        self._mark(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))  # a cut body promises more
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2] if cut else payload)
        if cut:
            self._drop()

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, _json(data), headers)

    def _send_error(
        self, problem: Problem, request_id: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        request_id = request_id or new_id("req_sim_")
        body = replies.error_body(problem.type, problem.message, request_id)
        self._send_json(problem.status, body, {"request-id": request_id, **(headers or {})})

    def _not_found(self, message: str) -> None:
        self._send_error(Problem(404, "not_found_error", message))

    def _send_fault(self, fault: Fault, request_id: str) -> None:
        headers = {}
        if fault.kind in ("rate_limit", "overloaded"):
            # retry-after is whole seconds by the HTTP spec; the SDK prefers the precise -ms one.
            headers["retry-after"] = str(math.ceil(fault.retry_after))
            headers["retry-after-ms"] = str(round(fault.retry_after * 1000))
        self._send_error(Problem(*ERROR_FAULTS[fault.kind]), request_id, headers)

    def _send_stream(
        self,
        reply: replies.Reply,
        plan: CachePlan,
        latency: float,
        request_id: str,
        kind: str | None,
    ) -> None:
        simulator = self.simulator
        events = replies.stream_events(reply, simulator.split)
        truncated = kind == "truncated_stream"
        if truncated:
            events = replies.cut_short(events)
        if kind == "stream_error":
            # The API can report an overload after HTTP 200, as an error event mid-stream.
            overloaded = {"type": "overloaded_error", "message": "Simulated overload mid-reply."}
            events = [*replies.cut_short(events), replies.event("error", error=overloaded)]
        first = min(TTFT_MAX, TTFT_FRACTION * latency)
        simulator.sleep(first)
        self._mark(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        # Chunked, so that a cut stream is an incomplete body (an error), not a clean EOF.
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", request_id)
        self.end_headers()
        simulator.cache.commit(plan)  # message_start goes out next: the response has begun
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


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
