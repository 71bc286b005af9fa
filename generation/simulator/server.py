"""Serve the Anthropic Messages API locally with simulated replies, faults and latency.

Replies come from a responder (default: `generation.simulator.content.respond`), never from
Claude. Faults and latency are set in-process (`add_fault`, `script`, `set_latency`) or over
HTTP (`/_sim/...`) by a test driving another process.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
import random
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from generation.simulator import replies
from generation.simulator.tokens import PromptCache, output_tokens

logger = logging.getLogger(__name__)

Responder = Callable[[str, dict], dict]
Status = int | str | None

LATENCY_PROFILES: dict[str, dict[str, float]] = {
    # The old system's vision / generate / classify timings, for like-for-like benchmarks.
    "old-system": {"record_extraction": 2.3, "record_question": 3.1, "record_solution": 0.8},
    "none": {},
}
# Faults answered with an error status: (HTTP status, error type, message).
ERROR_FAULTS: dict[str, tuple[int, str, str]] = {
    "rate_limit": (429, "rate_limit_error", "Simulated rate limit: too many requests."),
    "overloaded": (529, "overloaded_error", "Simulated overload: the API is overloaded."),
    "server_error": (500, "api_error", "Simulated internal server error."),
}
FAULT_KINDS: tuple[str, ...] = (
    *ERROR_FAULTS,
    "connection_drop",
    "timeout",
    "truncated_stream",
    "stream_error",
    "max_tokens",
    "refusal",
    "invalid_output",
)
DEFAULT_TIMEOUT_DELAY = 30.0
POLL_INTERVAL = 0.05  # how fast stop() is noticed by the serving loop


@dataclass
class Fault:
    """A fault to inject into the next `count` requests for `tool` ("*": any tool)."""

    kind: str
    tool: str = "*"
    count: int = 1
    retry_after: float = 0.0
    delay: float = 0.0

    def matches(self, tool: str) -> bool:
        return self.count > 0 and self.tool in ("*", tool)

    def pause(self) -> float:
        """Return how long to wait before acting (a timeout waits 30 s unless told)."""
        if self.kind == "timeout" and self.delay <= 0:
            return DEFAULT_TIMEOUT_DELAY
        return self.delay


def default_responder(tool: str, body: dict) -> dict:
    """Answer with the shared content responder (imported late: it loads the question bank)."""
    from generation.simulator import content

    return content.respond(tool, body)


class SimulatorServer:
    """Serve simulated Messages API replies on a local port, with injectable faults and latency."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        responder: Responder | None = None,
        latency: dict[str, float] | None = None,
        seed: int = 0,
        cache_min_tokens: int = 0,
        on_request: Callable[[dict], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.on_request = on_request
        self._responder = responder or default_responder
        self._latency: dict[str, float] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._scripts: dict[str, deque[dict]] = {}
        self._log: list[dict] = []
        self._cache = PromptCache(min_tokens=cache_min_tokens)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self.set_latency(latency or {})

    # --- lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the base URL to give the SDK (kept after stop, for messages)."""
        if self._url is None:
            raise RuntimeError("the simulator is not started")
        return self._url

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

    def _serve(self, httpd: _HTTPServer) -> None:
        try:
            httpd.serve_forever(poll_interval=POLL_INTERVAL)
        finally:
            self._stopping.set()  # wake handlers still sleeping
            httpd.server_close()

    def _bind(self) -> _HTTPServer:
        if self._httpd is not None:
            raise RuntimeError("the simulator is already started")
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self)
        self._url = f"http://{self.host}:{self._httpd.server_port}"
        return self._httpd

    # --- control ---------------------------------------------------------------------

    def add_fault(
        self,
        kind: str,
        *,
        tool: str = "*",
        count: int = 1,
        retry_after: float = 0.0,
        delay: float = 0.0,
    ) -> None:
        """Fail the next `count` requests for `tool` with `kind`; faults apply in order added."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if retry_after < 0 or delay < 0:
            raise ValueError("retry_after and delay must not be negative")
        with self._lock:
            self._faults.append(Fault(kind, str(tool), count, float(retry_after), float(delay)))

    def script(self, tool: str, *inputs: dict) -> None:
        """Queue exact tool inputs to return next for `tool`, first in first out."""
        if not all(isinstance(item, dict) for item in inputs):
            raise ValueError("scripted tool inputs must be JSON objects")
        with self._lock:
            self._scripts.setdefault(tool, deque()).extend(copy.deepcopy(list(inputs)))

    def set_latency(self, latency: dict[str, float]) -> None:
        """Set the seconds to wait before answering, per tool name ("*": any other tool)."""
        if not all(isinstance(v, int | float) and v >= 0 for v in latency.values()):
            raise ValueError("latency values must be non-negative numbers of seconds")
        with self._lock:
            self._latency = {str(tool): float(seconds) for tool, seconds in latency.items()}

    def requests(self) -> list[dict]:
        """Return a copy of the request log, oldest first (status None while in flight)."""
        with self._lock:
            return copy.deepcopy(self._log)

    def reset(self) -> None:
        """Clear faults, scripted inputs, the request log and the prompt cache."""
        with self._lock:
            self._faults.clear()
            self._scripts.clear()
            self._log.clear()
        self._cache.clear()

    # --- used by the request handler ------------------------------------------------

    def new_id(self, prefix: str) -> str:
        # Random, not seeded: ids must stay unique across restarts (callers may store them).
        return f"{prefix}{uuid.uuid4().hex[:24]}"

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

    def latency_for(self, tool: str) -> float:
        with self._lock:
            return self._latency.get(tool, self._latency.get("*", 0.0))

    def take_fault(self, tool: str) -> Fault | None:
        """Consume one count of the first fault matching `tool`."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(tool):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return copy.copy(fault)
        return None

    def build_reply(self, body: dict, tool: str, fault: str | None) -> replies.Reply:
        """Build the reply to a valid request, shaped by a reply-level fault if any."""
        model = body["model"]
        message_id = self.new_id("msg_sim_")
        usage = self._cache.usage(body)
        if fault == "refusal":
            usage["output_tokens"] = output_tokens(replies.REFUSAL_TEXT)
            return replies.refusal_reply(message_id, model, usage)
        # Only a clean reply uses up a scripted input: a faulty one leaves it for the retry.
        tool_input = self._next_input(tool, body, consume=fault is None)
        tool_id = self.new_id("toolu_sim_")
        if fault == "max_tokens":
            return replies.max_tokens_reply(
                message_id, model, tool_id, tool, tool_input, usage, body["max_tokens"]
            )
        if fault == "invalid_output":
            tool_input = replies.break_schema(tool_input, replies.tool_schema(body, tool))
        usage["output_tokens"] = output_tokens(tool_input)
        return replies.tool_use_reply(message_id, model, tool_id, tool, tool_input, usage)

    def _next_input(self, tool: str, body: dict, *, consume: bool) -> dict:
        with self._lock:
            queue = self._scripts.get(tool)
            if queue:
                return copy.deepcopy(queue.popleft() if consume else queue[0])
        tool_input = self._responder(tool, body)
        if not isinstance(tool_input, dict):
            raise TypeError(f"the responder returned {type(tool_input).__name__}, not a dict")
        return tool_input

    def log_start(self, request_id: str) -> dict:
        entry: dict[str, Any] = {
            "id": request_id,
            "tool": None,
            "model": None,
            "stream": None,
            "status": None,
            "fault": None,
            "input_tokens": None,
            "output_tokens": None,
            "started_at": time.time(),
            "duration": None,
        }
        with self._lock:
            self._log.append(entry)
        return entry

    def log_update(self, entry: dict, **fields: Any) -> None:
        with self._lock:
            entry.update(fields)

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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Handlers may sleep for a timeout fault: stop() must not wait for them.
    block_on_close = False
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], simulator: SimulatorServer) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-reply (timeouts, cancelled streams) is routine here.
        logger.debug("simulator connection from %s ended with an error", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ClaudeSimulator/1.0"
    server: _HTTPServer
    _entry: dict | None = None  # the request log entry of the Messages call being answered
    _status: Status = None

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator: " + format, *args)

    # --- routing ---------------------------------------------------------------------

    def do_GET(self) -> None:
        self._entry, self._status = None, None
        path = urlsplit(self.path).path
        if path == "/_sim/requests":
            self._send_json(200, self.server.simulator.requests())
        elif path == "/_sim/health":
            self._send_json(200, {"ok": True, "simulator": True})
        else:
            self._reject(404, "not_found_error", f"Not found: {path}")

    def do_POST(self) -> None:
        self._entry, self._status = None, None
        raw = self._read_body()
        path = urlsplit(self.path).path
        if path == "/v1/messages":
            self._messages(raw)
        elif path.startswith("/_sim/"):
            self._control(path, raw)
        else:
            self._reject(404, "not_found_error", f"Not found: {path}")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
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

    # --- the Messages API ------------------------------------------------------------

    def _messages(self, raw: bytes) -> None:
        simulator = self.server.simulator
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
                self._send_error(
                    500, "api_error", f"Simulator failure: {exc}", request_id, retry=False
                )
        simulator.log_finish(entry, self._status)
        self._entry = None

    def _answer(self, raw: bytes, request_id: str, entry: dict) -> None:
        simulator = self.server.simulator
        body, problem = self._parse(raw)
        if problem is not None:
            status, error_type, message = problem
            self._send_error(status, error_type, message, request_id)
            return
        tool = body["tool_choice"]["name"]
        simulator.log_update(entry, tool=tool, model=body["model"], stream=bool(body.get("stream")))
        fault = simulator.take_fault(tool)
        if fault is not None:
            simulator.log_update(entry, fault=fault.kind)
            simulator.sleep(fault.pause())
        if fault is not None and fault.kind in ERROR_FAULTS:
            self._send_fault(fault, request_id)
            return
        if fault is not None and fault.kind == "connection_drop":
            self._drop()
            return
        simulator.sleep(simulator.latency_for(tool))
        reply = simulator.build_reply(body, tool, fault.kind if fault else None)
        simulator.log_update(
            entry,
            input_tokens=reply.usage["input_tokens"],
            output_tokens=reply.usage["output_tokens"],
        )
        kind = fault.kind if fault else None
        # stream_error cuts a reply with an error event; without streaming it is a dropped body.
        truncated = kind == "truncated_stream" or (
            kind == "stream_error" and not body.get("stream")
        )
        if body.get("stream"):
            self._send_stream(reply, request_id, truncated=truncated, error=kind == "stream_error")
        else:
            self._send_message(reply, request_id, truncated=truncated)

    def _parse(self, raw: bytes) -> tuple[Any, tuple[int, str, str] | None]:
        """Return (body, None) or (None, (status, error type, message))."""
        if not self._has_auth():
            message = "Missing credentials: send x-api-key or Authorization: Bearer."
            return None, (401, "authentication_error", message)
        if not self.headers.get("anthropic-version"):
            return None, (400, "invalid_request_error", "anthropic-version: header is required")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return None, (
                400,
                "invalid_request_error",
                f"The request body is not valid JSON: {exc}",
            )
        problem = replies.request_problem(body)
        if problem is not None:
            return None, (400, "invalid_request_error", problem)
        return body, None

    def _has_auth(self) -> bool:
        bearer = self.headers.get("Authorization", "")
        return bool(self.headers.get("x-api-key")) or (
            bearer.startswith("Bearer ") and bool(bearer[7:].strip())
        )

    # --- control API -------------------------------------------------------------------

    def _control(self, path: str, raw: bytes) -> None:
        simulator = self.server.simulator
        try:
            data = json.loads(raw) if raw.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("the control API takes a JSON object")
            if path == "/_sim/faults":
                simulator.add_fault(**data)
            elif path == "/_sim/script":
                simulator.script(data["tool"], *data["inputs"])
            elif path == "/_sim/latency":
                profile = data.get("profile")
                simulator.set_latency(LATENCY_PROFILES[profile] if profile else data)
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

    def _send_error(
        self, status: int, error_type: str, message: str, request_id: str, *, retry: bool = True
    ) -> None:
        headers = {"request-id": request_id}
        if not retry:
            headers["x-should-retry"] = "false"
        self._send_json(status, replies.error_body(error_type, message, request_id), headers)

    def _reject(self, status: int, error_type: str, message: str) -> None:
        """Answer a request outside the Messages API with an error."""
        self._send_error(status, error_type, message, self.server.simulator.new_id("req_sim_"))

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
        self, reply: replies.Reply, request_id: str, *, truncated: bool, error: bool = False
    ) -> None:
        events = replies.stream_events(reply, self.server.simulator.split)
        if truncated:
            events = replies.cut_short(events)
        if error:
            # The API can report an overload after HTTP 200, as an error event mid-stream.
            overloaded = {"type": "overloaded_error", "message": "Simulated overload mid-reply."}
            events = [*replies.cut_short(events), ("error", {"type": "error", "error": overloaded})]
        self._mark(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        # Chunked, so that a cut stream is an incomplete body (an error), not a clean EOF.
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", request_id)
        self.end_headers()
        for name, data in events:
            chunk = replies.encode_event(name, data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if truncated:
            self._drop()
            return
        self.wfile.write(b"0\r\n\r\n")

    def _mark(self, status: Status) -> None:
        """Record the reply's status before sending it, so the log is current once it arrives."""
        self._status = status
        if self._entry is not None:
            self.server.simulator.log_status(self._entry, status)

    def _drop(self) -> None:
        """Close the connection at once, mid-reply or before any reply."""
        if self._status is None:
            self._mark("dropped")
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have hung up already
            self.connection.shutdown(socket.SHUT_RDWR)
