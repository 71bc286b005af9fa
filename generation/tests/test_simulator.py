"""Test the Claude simulator through the real anthropic SDK (nothing in the SDK is patched)."""

from __future__ import annotations

import base64
import contextlib
import struct
import threading
import time
import zlib

import anthropic
import httpx2
import pytest
from django.core.management import CommandError, call_command

from generation.management.commands import claude_simulator as command_module
from generation.simulator import SimulatorServer
from generation.simulator.tokens import image_size, image_tokens

TOOL = "record_solution"
SOLUTION = {
    "answer": "B",
    "reasoning": "Subtract 3 from both sides, then halve: x = 4.",
    "confident": True,
}
SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "reasoning": {"type": "string"},
        "confident": {"type": "boolean"},
    },
    "required": ["answer", "reasoning", "confident"],
}


def fixed_responder(tool: str, body: dict) -> dict:
    """Answer with a fixed solution (tagged with the tool name for other tools)."""
    return {**SOLUTION, "tool": tool} if tool != TOOL else dict(SOLUTION)


@pytest.fixture
def server():
    simulator = SimulatorServer(responder=fixed_responder).start()
    yield simulator
    simulator.stop()


def make_client(server: SimulatorServer, **options) -> anthropic.Anthropic:
    options = {"max_retries": 0, "timeout": 5.0, **options}
    return anthropic.Anthropic(api_key="test", base_url=server.url, **options)


def call(tool: str = TOOL, system: str = "You solve SAT questions blind.", **extra) -> dict:
    """Return Messages API arguments shaped like SATgen's forced-tool calls."""
    return {
        "model": "claude-haiku-5-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": '<question>{"stem": "2x + 3 = 11"}</question>'}],
        "tools": [{"name": tool, "description": "Record the answer.", "input_schema": SCHEMA}],
        "tool_choice": {"type": "tool", "name": tool},
        **extra,
    }


def error_type(error: anthropic.APIStatusError) -> str:
    body = error.body
    assert isinstance(body, dict)
    return body["error"]["type"]


def tool_input(message) -> dict:
    (block,) = [block for block in message.content if block.type == "tool_use"]
    return block.input


# --- replies -----------------------------------------------------------------------------


def test_non_streaming_create_returns_the_forced_tool_input(server):
    message = make_client(server).messages.create(**call())

    assert message.id.startswith("msg_sim_")
    assert message.model == "claude-haiku-5-5"
    assert message.stop_reason == "tool_use"
    assert tool_input(message) == SOLUTION
    assert message.content[0].id.startswith("toolu_sim_")
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 1
    assert message._request_id.startswith("req_sim_")
    (entry,) = server.requests()
    assert entry["tool"] == TOOL and entry["stream"] is False and entry["status"] == 200
    assert entry["output_tokens"] == message.usage.output_tokens


def test_sync_stream_sends_every_event_and_a_final_message(server):
    with make_client(server).messages.stream(**call()) as stream:
        events = list(stream)
        final = stream.get_final_message()

    kinds = [event.type for event in events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert kinds.count("content_block_delta") >= 2  # the tool JSON arrives in pieces
    assert "content_block_stop" in kinds and "message_delta" in kinds
    start = next(event for event in events if event.type == "message_start")
    delta = next(event for event in events if event.type == "message_delta")
    assert start.message.usage.input_tokens > 0 and start.message.usage.output_tokens == 1
    assert start.message.stop_reason is None
    assert delta.usage.output_tokens == final.usage.output_tokens > 1
    assert final.stop_reason == "tool_use"
    assert tool_input(final) == SOLUTION
    assert server.requests()[0]["stream"] is True


@pytest.mark.asyncio
async def test_async_stream_returns_the_tool_input_and_usage(server):
    client = anthropic.AsyncAnthropic(api_key="test", base_url=server.url, max_retries=0, timeout=5)
    async with client.messages.stream(**call()) as stream:
        kinds = [event.type async for event in stream]
        final = await stream.get_final_message()
    await client.close()

    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert tool_input(final) == SOLUTION
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 1


def test_stream_with_create_stream_true_yields_raw_events(server):
    events = list(make_client(server).messages.create(**call(), stream=True))

    assert [e.type for e in events][:2] == ["message_start", "content_block_start"]
    partial = "".join(
        e.delta.partial_json
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    )
    assert partial.startswith("{") and '"answer"' in partial


# --- auth and bad requests -----------------------------------------------------------


def test_bearer_and_x_api_key_are_both_accepted_and_no_auth_is_401(server, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    bearer = make_client(server).messages.with_raw_response.create(**call())
    # The SDK drops a header given as `omit` (typed as str-only, hence the ignores).
    no_bearer = {"x-api-key": "test", "Authorization": anthropic.omit}
    x_api_key = anthropic.Anthropic(
        api_key="test",
        base_url=server.url,
        max_retries=0,
        default_headers=no_bearer,  # type: ignore[arg-type]
    ).messages.with_raw_response.create(**call())
    anonymous = anthropic.Anthropic(
        base_url=server.url,
        max_retries=0,
        default_headers={"Authorization": anthropic.omit},  # type: ignore[dict-item]
    )

    assert bearer.http_request.headers["authorization"] == "Bearer test"
    assert "authorization" not in x_api_key.http_request.headers
    assert tool_input(x_api_key.parse()) == SOLUTION
    with pytest.raises(anthropic.AuthenticationError) as caught:
        anonymous.messages.create(**call())
    assert error_type(caught.value) == "authentication_error"


def test_malformed_json_unknown_path_and_missing_tool_choice_are_rejected(server):
    headers = {"x-api-key": "test", "anthropic-version": "2023-06-01"}
    malformed = httpx2.post(f"{server.url}/v1/messages", content=b"{not json", headers=headers)
    unknown = httpx2.post(f"{server.url}/v1/nothing", json={}, headers=headers)
    body = call()
    del body["tool_choice"]

    assert malformed.status_code == 400
    assert malformed.json()["error"]["type"] == "invalid_request_error"
    assert malformed.headers["request-id"] == malformed.json()["request_id"]
    assert unknown.status_code == 404
    assert unknown.json()["error"]["type"] == "not_found_error"
    with pytest.raises(anthropic.BadRequestError):
        make_client(server).messages.create(**body)


# --- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status"), [("rate_limit", 429), ("overloaded", 529)])
def test_sdk_retries_a_rate_limit_or_overload_and_succeeds(server, kind, status):
    server.add_fault(kind, retry_after=0.05)

    message = make_client(server, max_retries=2).messages.create(**call())

    assert tool_input(message) == SOLUTION
    assert [entry["status"] for entry in server.requests()] == [status, 200]
    assert server.requests()[0]["fault"] == kind


@pytest.mark.parametrize(
    ("kind", "error"),
    [("rate_limit", anthropic.RateLimitError), ("overloaded", anthropic.OverloadedError)],
)
def test_without_retries_the_sdk_raises_with_the_retry_after_headers(server, kind, error):
    server.add_fault(kind, retry_after=0.05)

    with pytest.raises(error) as caught:
        make_client(server).messages.create(**call())

    headers = caught.value.response.headers
    # retry-after is whole seconds (rounded up); the SDK reads the precise retry-after-ms first.
    assert headers["retry-after"] == "1" and headers["retry-after-ms"] == "50"
    assert error_type(caught.value) == f"{kind}_error"
    assert caught.value.request_id == headers["request-id"]


def test_server_error_raises_internal_server_error(server):
    server.add_fault("server_error")

    with pytest.raises(anthropic.InternalServerError) as caught:
        make_client(server).messages.create(**call())
    assert caught.value.status_code == 500


def test_connection_drop_is_a_connection_error_that_a_retry_recovers(server):
    server.add_fault("connection_drop")
    with pytest.raises(anthropic.APIConnectionError) as caught:
        make_client(server).messages.create(**call())
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)

    server.add_fault("connection_drop")
    message = make_client(server, max_retries=1).messages.create(**call())
    assert tool_input(message) == SOLUTION
    assert [entry["status"] for entry in server.requests()] == ["dropped", "dropped", 200]


def test_timeout_fault_outlasts_the_client_timeout(server):
    server.add_fault("timeout", delay=2)

    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        make_client(server, timeout=0.5).messages.create(**call())
    assert time.monotonic() - started < 1.5


def test_truncated_stream_raises_the_bare_httpx2_transport_error(server):
    server.add_fault("truncated_stream")

    # SDK 2.14 reads the SSE body outside its request/retry wrapper, so a stream cut off
    # mid-way surfaces as httpx2.RemoteProtocolError ("incomplete chunked read"), NOT as an
    # anthropic.APIError: the pipeline must catch it (or httpx2.TransportError) itself.
    with (
        pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"),
        make_client(server).messages.stream(**call()) as stream,
    ):
        stream.get_final_message()
    assert not issubclass(httpx2.RemoteProtocolError, anthropic.APIError)


def test_truncated_non_streaming_body_is_a_retryable_connection_error(server):
    server.add_fault("truncated_stream")
    # Without streaming the body is read inside the SDK's request wrapper: APIConnectionError.
    with pytest.raises(anthropic.APIConnectionError) as caught:
        make_client(server).messages.create(**call())
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)


def test_max_tokens_ends_cleanly_with_a_partial_tool_input(server):
    server.add_fault("max_tokens", count=2)

    with make_client(server).messages.stream(**call()) as stream:
        streamed = stream.get_final_message()
    plain = make_client(server).messages.create(**call())

    for message in (streamed, plain):
        assert message.stop_reason == "max_tokens"
        assert message.usage.output_tokens == 1024
        partial = tool_input(message)
        assert partial != SOLUTION
        assert all(SOLUTION[key] == value for key, value in partial.items() if key != "reasoning")


def test_refusal_has_stop_reason_stop_details_and_no_tool_use(server):
    server.add_fault("refusal", count=2)

    with make_client(server).messages.stream(**call()) as stream:
        streamed = stream.get_final_message()
    plain = make_client(server).messages.create(**call())

    for message in (streamed, plain):
        assert message.stop_reason == "refusal"
        assert message.stop_details is not None and message.stop_details.type == "refusal"
        assert [block.type for block in message.content] == ["text"]


def test_invalid_output_drops_a_required_field(server):
    server.add_fault("invalid_output")

    message = make_client(server).messages.create(**call())

    assert message.stop_reason == "tool_use"
    assert "answer" not in tool_input(message)


def test_faults_apply_only_to_their_tool_and_only_count_times(server):
    server.add_fault("server_error", tool="record_question", count=1)
    client = make_client(server)

    assert tool_input(client.messages.create(**call())) == SOLUTION
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(**call("record_question"))
    assert (
        tool_input(client.messages.create(**call("record_question")))["tool"] == "record_question"
    )


def test_unknown_fault_kind_is_refused(server):
    with pytest.raises(ValueError, match="unknown fault"):
        server.add_fault("gremlins")


# --- scripts, latency, caching -------------------------------------------------------------


def test_script_returns_queued_inputs_in_order_for_that_tool_only(server):
    server.script(TOOL, {"answer": "A"}, {"answer": "C"})
    client = make_client(server)

    other = tool_input(client.messages.create(**call("record_question")))
    first = tool_input(client.messages.create(**call()))
    second = tool_input(client.messages.create(**call()))
    third = tool_input(client.messages.create(**call()))

    assert other["tool"] == "record_question"
    assert [first, second, third] == [{"answer": "A"}, {"answer": "C"}, SOLUTION]


def test_a_faulty_reply_leaves_the_scripted_input_for_the_retry(server):
    server.script(TOOL, {"answer": "A", "reasoning": "r", "confident": True})
    server.add_fault("invalid_output")
    client = make_client(server)

    broken = tool_input(client.messages.create(**call()))
    repaired = tool_input(client.messages.create(**call()))

    assert broken == {"reasoning": "r", "confident": True}
    assert repaired == {"answer": "A", "reasoning": "r", "confident": True}


def test_latency_delays_the_reply_for_that_tool(server):
    server.set_latency({TOOL: 0.3})
    client = make_client(server)

    started = time.monotonic()
    client.messages.create(**call())
    slow = time.monotonic() - started
    started = time.monotonic()
    client.messages.create(**call("record_question"))
    fast = time.monotonic() - started

    assert slow >= 0.3 > fast
    assert server.requests()[0]["duration"] >= 0.3


def test_prompt_cache_writes_then_reads_the_system_prefix(server):
    client = make_client(server)
    system = "Rubric and taxonomy. " * 200

    first = client.messages.create(**call(system=system))
    second = client.messages.create(**call(system=system))
    other = client.messages.create(**call(system="A different prompt. " * 200))

    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0
    assert second.usage.input_tokens == first.usage.input_tokens  # cached part is excluded
    assert other.usage.cache_creation_input_tokens > 0
    server.reset()
    again = client.messages.create(**call(system=system))
    assert again.usage.cache_creation_input_tokens > 0


def test_prompt_cache_respects_a_minimum_prefix_size():
    simulator = SimulatorServer(responder=fixed_responder, cache_min_tokens=1024).start()
    try:
        message = make_client(simulator).messages.create(**call(system="Short."))
    finally:
        simulator.stop()
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.cache_read_input_tokens == 0


def _png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr = (
        struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    )
    return b"\x89PNG\r\n\x1a\n" + ihdr


def test_images_count_by_pixels_after_downscaling():
    small = base64.b64encode(_png(300, 250)).decode()
    huge = base64.b64encode(_png(4000, 3000)).decode()
    jpeg = base64.b64encode(b"\xff\xd8\xff\xc0\x00\x11\x08" + struct.pack(">HH", 200, 150)).decode()

    assert image_size(small) == (300, 250)
    assert image_size(jpeg) == (150, 200)
    assert image_tokens({"type": "base64", "data": small}) == 100
    assert image_tokens({"type": "base64", "data": huge}) <= 1534
    assert image_tokens({"type": "base64", "data": "QUJD" * 500}) == 2  # unreadable: by length


# --- control API and the management command ------------------------------------------------


def test_control_api_sets_faults_scripts_latency_and_reads_the_log(server):
    control = httpx2.Client(base_url=server.url, timeout=5)
    assert (
        control.post("/_sim/faults", json={"kind": "rate_limit", "tool": TOOL}).status_code == 200
    )
    assert control.post("/_sim/script", json={"tool": TOOL, "inputs": [{"answer": "D"}]}).is_success
    assert control.post("/_sim/latency", json={"profile": "none"}).is_success
    assert control.post("/_sim/faults", json={"kind": "nope"}).status_code == 400

    with pytest.raises(anthropic.RateLimitError):
        make_client(server).messages.create(**call())
    assert tool_input(make_client(server).messages.create(**call())) == {"answer": "D"}

    log = control.get("/_sim/requests").json()
    assert [(entry["status"], entry["fault"]) for entry in log] == [
        (429, "rate_limit"),
        (200, None),
    ]
    assert control.post("/_sim/reset").is_success
    assert control.get("/_sim/requests").json() == []
    control.close()


def test_management_command_parses_arguments_and_serves(monkeypatch, capsys):
    seen: dict = {}

    def short_run(self, ready=None):
        # Serve for real in the background, make one SDK call, then return as if interrupted.
        self.start()
        ready(self.url)
        seen["faults"] = [(f.kind, f.tool, f.count) for f in self._faults]
        seen["latency"] = dict(self._latency)
        try:
            make_client(self).messages.create(**call())
        except anthropic.RateLimitError:
            seen["faulted"] = True
        finally:
            self.stop()

    monkeypatch.setattr(command_module.SimulatorServer, "serve_forever", short_run)
    call_command(
        "claude_simulator",
        "--port=0",
        "--latency=old-system",
        f"--fault=rate_limit:{TOOL}:1",
        "--fault=timeout",
        verbosity=2,
    )

    out = capsys.readouterr().out
    assert "Claude simulator listening on http://127.0.0.1:" in out
    assert "(simulated responses — not Claude)" in out
    assert f"{TOOL} stream=False status=429 fault=rate_limit" in out
    assert seen["faulted"]
    assert seen["faults"] == [
        ("rate_limit", TOOL, 1),
        ("timeout", "*", 1),
    ]
    assert seen["latency"]["record_question"] == 3.1


def test_management_command_rejects_an_unknown_fault():
    with pytest.raises(CommandError, match="unknown fault"):
        call_command("claude_simulator", "--fault=gremlins")


def test_stop_is_prompt_even_with_requests_still_sleeping():
    simulator = SimulatorServer(responder=fixed_responder, latency={"*": 30}).start()
    client = make_client(simulator, timeout=10)

    def answer_or_fail() -> None:
        # Either outcome is fine: the point is that stop() does not wait 30 s.
        with contextlib.suppress(anthropic.APIError):
            client.messages.create(**call())

    worker = threading.Thread(target=answer_or_fail, daemon=True)
    worker.start()
    while not simulator.requests():
        time.sleep(0.01)

    started = time.monotonic()
    simulator.stop()
    worker.join(timeout=5)

    # The sleeping request wakes at once (it may still be answered on its open connection).
    assert time.monotonic() - started < 2
    assert not worker.is_alive()
