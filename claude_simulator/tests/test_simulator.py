"""Test the Claude simulator through the real anthropic SDK (nothing in the SDK is patched)."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import statistics
import threading
import time

import anthropic
import httpx2
import pytest
from anthropic.types import RawMessageStartEvent, SignatureDelta, ThinkingBlock

from claude_simulator import SimulatorServer, thinking_tokens
from claude_simulator import __main__ as command_module
from claude_simulator.tests.support import extraction_output, replay, stage_request
from claude_simulator.thinking import (
    THINKING_MEDIAN_TOKENS,
    THINKING_SIGMA,
    THINKING_TASK_FACTOR,
)
from claude_simulator.tokens import output_tokens
from generation.pipeline.schemas import BlindSolution, DraftQuestion

SOLUTION = {
    "answer": "B",
    "reasoning": "Subtract 3 from both sides, then halve: x = 4.",
    "confident": True,
}
LOG_KEYS = {
    "id",
    "task",
    "model",
    "stream",
    "batch",
    "status",
    "error",
    "fault",
    "stop_reason",
    "input_tokens",
    "output_tokens",
    "thinking_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "started_at",
    "duration",
}


def fixed_responder(task: str, body: dict) -> dict:
    """Answer solve and extract with fixed outputs, generate with the real templates (no DB)."""
    if task == "solve":
        return dict(SOLUTION)
    if task == "extract":
        return extraction_output()
    from claude_simulator import content

    return content.respond(task, body)


@pytest.fixture
def server():
    simulator = SimulatorServer(responder=fixed_responder).start()
    yield simulator
    simulator.stop()


def make_client(server: SimulatorServer, **options) -> anthropic.Anthropic:
    options = {"max_retries": 0, "timeout": 5.0, **options}
    return anthropic.Anthropic(api_key="test", base_url=server.url, **options)


def solve(**options) -> dict:
    return stage_request("solve", **options)


def answer(message) -> dict:
    (block,) = [block for block in message.content if block.type == "text"]
    return json.loads(block.text)


def error_type(error: anthropic.APIStatusError) -> str:
    body = error.body
    assert isinstance(body, dict)
    return body["error"]["type"]


def error_message(error: anthropic.APIStatusError) -> str:
    body = error.body
    assert isinstance(body, dict)
    return body["error"]["message"]


def stream_final(server: SimulatorServer, params: dict, **client_options):
    with make_client(server, **client_options).messages.stream(**params) as stream:
        return stream.get_final_message()


# --- replies -----------------------------------------------------------------------------


def test_a_structured_request_gets_a_thinking_block_then_the_json_text(server):
    message = make_client(server).messages.create(**solve(max_tokens=8000))

    assert message.id.startswith("msg_sim_") and message._request_id.startswith("req_sim_")
    assert [block.type for block in message.content] == ["thinking", "text"]
    thinking = message.content[0]
    assert thinking.thinking == "" and thinking.signature  # display defaults to omitted
    assert message.content[1].text == json.dumps(SOLUTION)  # key order: the schema's required
    BlindSolution.model_validate_json(message.content[1].text)
    assert message.stop_reason == "end_turn"
    usage = message.usage
    assert usage.output_tokens_details is not None
    assert usage.output_tokens == usage.output_tokens_details.thinking_tokens + output_tokens(
        json.dumps(SOLUTION)
    )
    assert usage.service_tier == "standard"
    (entry,) = server.requests()
    assert set(entry) >= LOG_KEYS
    assert (entry["task"], entry["model"], entry["stream"], entry["batch"]) == (
        "solve",
        "claude-sonnet-5-5",
        False,
        None,
    )
    assert (entry["status"], entry["error"], entry["stop_reason"]) == (200, None, "end_turn")
    assert entry["thinking_tokens"] == usage.output_tokens_details.thinking_tokens > 0
    assert entry["output_tokens"] == usage.output_tokens
    assert "body" not in entry


def test_the_stream_sends_thinking_as_one_signature_delta_and_accumulates_the_same_message(
    server,
):
    with make_client(server).messages.stream(**solve()) as stream:
        events = list(stream)
        final = stream.get_final_message()

    kinds = [event.type for event in events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    starts = [e for e in events if e.type == "content_block_start"]
    assert starts[0].content_block.type == "thinking"
    assert starts[0].content_block.signature == "" and starts[0].content_block.thinking == ""
    deltas = [e.delta for e in events if e.type == "content_block_delta" and e.index == 0]
    assert [d.type for d in deltas] == ["signature_delta"]
    thinking, signature = final.content[0], deltas[0]
    assert isinstance(thinking, ThinkingBlock) and isinstance(signature, SignatureDelta)
    assert thinking.signature == signature.signature
    assert answer(final) == SOLUTION
    assert isinstance(events[0], RawMessageStartEvent)
    start = events[0].message
    assert start.usage.output_tokens == 1 and start.usage.input_tokens > 0
    delta = next(e for e in events if e.type == "message_delta")
    assert delta.usage.output_tokens == final.usage.output_tokens
    details = final.usage.output_tokens_details
    assert details is not None and details.thinking_tokens > 0
    assert server.requests()[0]["stream"] is True


def test_summarized_display_streams_a_one_line_summary(server):
    params = solve(thinking={"type": "adaptive", "display": "summarized"})
    with make_client(server).messages.stream(**params) as stream:
        events = list(stream)
        final = stream.get_final_message()

    kinds = [e.delta.type for e in events if e.type == "content_block_delta" and e.index == 0]
    assert kinds[-1] == "signature_delta" and set(kinds[:-1]) == {"thinking_delta"}
    block = final.content[0]
    assert isinstance(block, ThinkingBlock)
    assert block.thinking and "\n" not in block.thinking


@pytest.mark.asyncio
async def test_async_stream_returns_the_answer_and_usage(server):
    client = anthropic.AsyncAnthropic(api_key="test", base_url=server.url, max_retries=0, timeout=5)
    async with client.messages.stream(**solve()) as stream:
        kinds = [event.type async for event in stream]
        final = await stream.get_final_message()
    await client.close()

    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert answer(final) == SOLUTION
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 1


def test_a_request_without_an_output_format_gets_plain_text(server):
    params = solve()
    del params["output_config"]["format"]

    message = make_client(server).messages.create(**params)

    assert [b.type for b in message.content] == ["thinking", "text"]
    assert "simulator" in message.content[1].text
    assert server.requests()[0]["task"] is None


def test_the_default_responder_answers_the_client_shaped_generate_request(server):
    message = stream_final(server, stage_request("generate"))

    draft = DraftQuestion.model_validate_json(answer_text(message))
    assert draft.skill.value == "linear_equations_one_variable"
    schema_order = stage_request("generate")["output_config"]["format"]["schema"]["required"]
    assert list(json.loads(answer_text(message))) == schema_order


def answer_text(message) -> str:
    return next(block.text for block in message.content if block.type == "text")


# --- thinking tokens ---------------------------------------------------------------------


def test_thinking_tokens_are_a_deterministic_draw_reported_in_usage(server):
    params = solve(effort="high")

    message = make_client(server).messages.create(**params)

    expected = thinking_tokens(params)
    assert expected == thinking_tokens(copy.deepcopy(params)) > 0
    assert thinking_tokens({**params, "stream": True}) == expected  # stream is not the body
    assert message.usage.output_tokens_details.thinking_tokens == expected
    assert thinking_tokens(solve(thinking={"type": "disabled"}, model="claude-sonnet-5")) == 0
    assert thinking_tokens(solve(thinking={"type": "between_tools"})) == 0


@pytest.mark.parametrize(("effort", "task"), [("low", "solve"), ("max", "extract")])
def test_thinking_tokens_follow_the_documented_lognormal(effort, task):
    draws = [
        thinking_tokens(stage_request(task, effort=effort, system=f"Prompt number {n}. " * 30))
        for n in range(400)
    ]
    median = THINKING_MEDIAN_TOKENS[effort] * THINKING_TASK_FACTOR[task]
    logs = [math.log(d) for d in draws]

    assert statistics.median(draws) == pytest.approx(median, rel=0.15)
    assert statistics.stdev(logs) == pytest.approx(THINKING_SIGMA, rel=0.15)


def test_thinking_beyond_max_tokens_stops_the_reply_with_max_tokens(server):
    params = solve(effort="max", max_tokens=60)
    assert thinking_tokens(params) > 60

    with make_client(server).messages.stream(**params) as stream:
        kinds = [event.type for event in stream]
        streamed = stream.get_final_message()
    plain = make_client(server).messages.create(**params)

    assert kinds[-1] == "message_stop"
    for message in (streamed, plain):
        assert message.stop_reason == "max_tokens"
        assert [block.type for block in message.content] == ["thinking"]
        assert message.usage.output_tokens == 60
        details = message.usage.output_tokens_details
        assert details is not None and details.thinking_tokens == 60
    assert server.requests()[0]["stop_reason"] == "max_tokens"


def test_room_left_after_thinking_gives_a_cut_off_text_block(server):
    params = solve(effort="low")
    room = 8
    params["max_tokens"] = thinking_tokens(params) + room

    message = make_client(server).messages.create(**params)

    assert message.stop_reason == "max_tokens"
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert len(message.content[1].text) == room * 4
    assert message.usage.output_tokens == params["max_tokens"]


# --- replaying thinking blocks ------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5", "claude-sonnet-5"]
)
def test_a_verbatim_repair_turn_is_accepted(server, model):
    params = solve(model=model)
    first = stream_final(server, params)

    second = stream_final(server, replay(params, first))

    assert second.stop_reason == "end_turn"
    assert [entry["status"] for entry in server.requests()] == [200, 200]


def test_an_output_only_field_in_a_replayed_block_is_refused(server):
    # Older SDKs' model_dump() of a streamed text block carried parsed_output; the API 400s.
    params = solve()
    again = replay(params, stream_final(server, params))
    again["messages"][1]["content"][1]["parsed_output"] = None

    with pytest.raises(anthropic.BadRequestError) as caught:
        make_client(server).messages.create(**again)
    assert error_message(caught.value) == (
        "messages.1.content.1.text.parsed_output: Extra inputs are not permitted"
    )


MODIFIED = "blocks in the latest assistant message cannot be modified"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("signature", "messages.1.content.0: `thinking` or `redacted_thinking` " + MODIFIED),
        ("move_after_text", "messages.1.content.1: `thinking` or `redacted_thinking` " + MODIFIED),
        ("duplicate", "messages.1.content.0: `thinking` or `redacted_thinking` " + MODIFIED),
    ],
)
def test_a_modified_or_reordered_thinking_block_is_refused(server, change, expected):
    params = solve()
    again = replay(params, make_client(server).messages.create(**params))
    content = again["messages"][1]["content"]
    if change == "signature":
        content[0]["signature"] = content[0]["signature"][:-6] + "AAAAA="
    elif change == "move_after_text":
        content.reverse()
    else:
        content.insert(0, dict(content[0]))

    with pytest.raises(anthropic.BadRequestError) as caught:
        make_client(server).messages.create(**again)
    assert error_message(caught.value).startswith(expected)


def test_editing_a_summarized_block_is_refused_but_text_in_an_omitted_one_is_ignored(server):
    client = make_client(server)
    summarized = solve(thinking={"type": "adaptive", "display": "summarized"})
    edited = replay(summarized, client.messages.create(**summarized))
    edited["messages"][1]["content"][0]["thinking"] += " (edited)"
    omitted = solve()
    written = replay(omitted, client.messages.create(**omitted))
    written["messages"][1]["content"][0]["thinking"] = "Notes the client wrote."

    with pytest.raises(anthropic.BadRequestError, match="cannot be modified"):
        client.messages.create(**edited)
    assert client.messages.create(**written).stop_reason == "end_turn"


BOUND = (
    "messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a "
    "different conversation. Remove the block, or set "
    '`thinking.block_binding.prefix_mismatch_behavior` to "drop_block".'
)


@pytest.mark.parametrize("model", ["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5"])
@pytest.mark.parametrize("change", ["system", "earlier_message"])
def test_a_5_5_block_replayed_after_its_prefix_changed_is_refused(server, model, change):
    params = solve(model=model)
    again = replay(params, make_client(server).messages.create(**params))
    if change == "system":
        again["system"] = [{"type": "text", "text": "A different system prompt."}]
    else:
        again["messages"][0]["content"][0]["text"] += " (edited)"

    with pytest.raises(anthropic.BadRequestError) as caught:
        make_client(server).messages.create(**again)
    assert error_message(caught.value) == BOUND


def test_sonnet_5_does_not_bind_blocks_and_cache_control_is_not_part_of_the_prefix(server):
    sonnet_5 = solve(model="claude-sonnet-5")
    changed = replay(sonnet_5, make_client(server).messages.create(**sonnet_5))
    changed["system"] = [{"type": "text", "text": "A different system prompt."}]
    sonnet_5_5 = solve()
    uncached = replay(sonnet_5_5, make_client(server).messages.create(**sonnet_5_5))
    del uncached["system"][0]["cache_control"]

    assert make_client(server).messages.create(**changed).stop_reason == "end_turn"
    assert make_client(server).messages.create(**uncached).stop_reason == "end_turn"


def test_a_block_signed_for_another_model_is_dropped_silently(server):
    haiku = solve(model="claude-haiku-5-5")
    again = replay(haiku, make_client(server).messages.create(**haiku))
    again["model"] = "claude-sonnet-5-5"

    message = make_client(server).messages.create(**again)

    assert message.stop_reason == "end_turn"


def test_drop_block_binding_drops_a_block_whose_prefix_changed(server):
    params = solve(
        thinking={"type": "adaptive", "block_binding": {"prefix_mismatch_behavior": "drop_block"}}
    )
    client = make_client(
        server, default_headers={"anthropic-beta": "thinking-binding-controls-2026-08-01"}
    )
    again = replay(params, client.messages.create(**params))
    again["system"] = [{"type": "text", "text": "A different system prompt."}]

    assert client.messages.create(**again).stop_reason == "end_turn"
    with pytest.raises(anthropic.BadRequestError, match="block_binding"):
        make_client(server).messages.create(**params)  # without the beta header


def test_dropping_every_thinking_block_of_a_turn_is_accepted(server):
    params = solve()
    again = replay(params, make_client(server).messages.create(**params))
    again["messages"][1]["content"] = again["messages"][1]["content"][1:]

    assert make_client(server).messages.create(**again).stop_reason == "end_turn"


# --- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status"), [("rate_limit", 429), ("overloaded", 529)])
def test_sdk_retries_a_rate_limit_or_overload_and_succeeds(server, kind, status):
    server.add_fault(kind, retry_after=0.05)

    message = make_client(server, max_retries=2).messages.create(**solve())

    assert answer(message) == SOLUTION
    log = server.requests()
    assert [entry["status"] for entry in log] == [status, 200]
    assert log[0]["fault"] == kind and log[0]["error"].startswith("Simulated")


@pytest.mark.parametrize(
    ("kind", "error"),
    [("rate_limit", anthropic.RateLimitError), ("overloaded", anthropic.OverloadedError)],
)
def test_without_retries_the_sdk_raises_with_the_retry_after_headers(server, kind, error):
    server.add_fault(kind, retry_after=0.05)

    with pytest.raises(error) as caught:
        make_client(server).messages.create(**solve())

    headers = caught.value.response.headers
    # retry-after is whole seconds (rounded up); the SDK reads the precise retry-after-ms first.
    assert headers["retry-after"] == "1" and headers["retry-after-ms"] == "50"
    assert error_type(caught.value) == f"{kind}_error"
    assert caught.value.request_id == headers["request-id"]


def test_server_error_raises_internal_server_error(server):
    server.add_fault("server_error")

    with pytest.raises(anthropic.InternalServerError) as caught:
        make_client(server).messages.create(**solve())
    assert caught.value.status_code == 500


def test_connection_drop_is_a_connection_error_that_a_retry_recovers(server):
    server.add_fault("connection_drop")
    with pytest.raises(anthropic.APIConnectionError) as caught:
        make_client(server).messages.create(**solve())
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)

    server.add_fault("connection_drop")
    message = make_client(server, max_retries=1).messages.create(**solve())
    assert answer(message) == SOLUTION
    assert [entry["status"] for entry in server.requests()] == ["dropped", "dropped", 200]


def test_timeout_fault_outlasts_the_client_timeout(server):
    server.add_fault("timeout", delay=2)

    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        make_client(server, timeout=0.5).messages.create(**solve())
    assert time.monotonic() - started < 1.5


def test_truncated_stream_raises_the_bare_httpx2_transport_error(server):
    server.add_fault("truncated_stream")

    # SDK 2.14 reads the SSE body outside its request/retry wrapper, so a stream cut off
    # mid-way surfaces as httpx2.RemoteProtocolError ("incomplete chunked read"), NOT as an
    # anthropic.APIError: the client must catch it (or httpx2.TransportError) itself.
    with (
        pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"),
        make_client(server).messages.stream(**solve()) as stream,
    ):
        stream.get_final_message()
    assert not issubclass(httpx2.RemoteProtocolError, anthropic.APIError)


def test_truncated_non_streaming_body_is_a_retryable_connection_error(server):
    server.add_fault("truncated_stream")
    with pytest.raises(anthropic.APIConnectionError) as caught:
        make_client(server).messages.create(**solve())
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)


def test_stream_error_sends_an_overloaded_error_event_after_http_200(server):
    server.add_fault("stream_error")

    with (
        pytest.raises(anthropic.APIStatusError) as caught,
        make_client(server).messages.stream(**solve()) as stream,
    ):
        stream.get_final_message()
    assert error_type(caught.value) == "overloaded_error"
    assert server.requests()[0]["status"] == 200


def test_max_tokens_fault_runs_out_of_room_mid_answer(server):
    server.add_fault("max_tokens", count=2)
    params = solve(max_tokens=8000)

    streamed = stream_final(server, params)
    plain = make_client(server).messages.create(**params)

    for message in (streamed, plain):
        assert message.stop_reason == "max_tokens"
        assert message.usage.output_tokens == 8000
        assert [block.type for block in message.content] == ["thinking", "text"]
        text = message.content[1].text
        assert json.dumps(SOLUTION).startswith(text) and text != json.dumps(SOLUTION)
        details = message.usage.output_tokens_details
        assert details.thinking_tokens == 8000 - output_tokens(text)


def test_refusal_has_stop_reason_stop_details_and_no_thinking(server):
    server.add_fault("refusal", count=2)

    streamed = stream_final(server, solve())
    plain = make_client(server).messages.create(**solve())

    for message in (streamed, plain):
        assert message.stop_reason == "refusal"
        assert message.stop_details is not None and message.stop_details.type == "refusal"
        assert [block.type for block in message.content] == ["text"]


def test_invalid_output_breaks_a_constraint_stated_only_in_a_description(server):
    server.add_fault("invalid_output")
    params = solve()
    assert "{maxLength: 16}" in json.dumps(params["output_config"]["format"]["schema"])

    output = answer(make_client(server).messages.create(**params))

    assert set(output) == set(SOLUTION)  # still valid for the schema the API enforces
    assert len(output["answer"]) == 17
    with pytest.raises(ValueError, match="at most 16 characters"):
        BlindSolution.model_validate(output)


def test_invalid_output_drops_a_required_field_when_the_schema_has_no_hints(server):
    server.add_fault("invalid_output")
    params = solve()
    schema = params["output_config"]["format"]["schema"]
    for prop in schema["properties"].values():
        prop["description"] = "No constraint here."

    output = answer(make_client(server).messages.create(**params))

    assert "answer" not in output


@pytest.mark.parametrize(
    ("hint", "value", "broken"),
    [("{minimum: 0.0, maximum: 1.0}", 0.5, 2.0), ("{minimum: 3}", 5, 2)],
)
def test_invalid_output_pushes_a_number_past_its_stated_bound(server, hint, value, broken):
    server.add_fault("invalid_output")
    server.script("solve", {"answer": "B", "confident": True, "score": value})
    params = solve()
    params["output_config"]["format"]["schema"] = {
        "type": "object",
        "properties": {
            "answer": {"type": "string"},
            "confident": {"type": "boolean"},
            "score": {"type": "number", "description": f"How good.\n\n{hint}"},
        },
        "required": ["answer", "confident", "score"],
        "additionalProperties": False,
    }

    output = answer(make_client(server).messages.create(**params))

    assert output == {"answer": "B", "confident": True, "score": broken}


def test_faults_apply_only_to_their_task_and_only_count_times(server):
    server.add_fault("server_error", task="generate", count=1)
    client = make_client(server)

    assert answer(client.messages.create(**solve())) == SOLUTION
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(**stage_request("generate"))
    assert client.messages.create(**stage_request("generate")).stop_reason == "end_turn"
    assert [e["task"] for e in server.requests()] == ["solve", "generate", "generate"]


def test_unknown_fault_kind_and_task_are_refused(server):
    with pytest.raises(ValueError, match="unknown fault"):
        server.add_fault("gremlins")
    with pytest.raises(ValueError, match="unknown task"):
        server.add_fault("rate_limit", task="record_question")
    with pytest.raises(ValueError, match="unknown task"):
        server.script("*", {})


def test_a_refused_request_consumes_no_fault(server):
    server.add_fault("server_error")

    with pytest.raises(anthropic.BadRequestError):
        make_client(server).messages.create(**solve(), extra_body={"temperature": 0.2})
    with pytest.raises(anthropic.InternalServerError):
        make_client(server).messages.create(**solve())
    assert server.requests()[0]["fault"] is None
    assert server.requests()[0]["error"] == "`temperature` is deprecated for this model."


# --- scripts, latency, log ------------------------------------------------------------------


def test_script_returns_queued_outputs_in_order_for_that_task_only(server):
    server.script("solve", {**SOLUTION, "answer": "A"}, {**SOLUTION, "answer": "C"})
    client = make_client(server)

    other = answer(client.messages.create(**stage_request("generate")))
    first, second, third = (answer(client.messages.create(**solve())) for _ in range(3))

    assert "explanation" in other
    assert [first["answer"], second["answer"], third] == ["A", "C", SOLUTION]


def test_a_faulty_reply_leaves_the_scripted_output_for_the_retry(server):
    server.script("solve", {"answer": "A", "reasoning": "r", "confident": True})
    server.add_fault("invalid_output")
    client = make_client(server)

    broken = answer(client.messages.create(**solve()))
    repaired = answer(client.messages.create(**solve()))

    assert broken["answer"] == "A" + "x" * 16
    assert repaired == {"answer": "A", "reasoning": "r", "confident": True}


def test_latency_delays_the_task_and_a_stream_starts_after_a_short_ttft(server):
    server.set_latency({"solve": 0.5})
    client = make_client(server)

    started = time.monotonic()
    with client.messages.stream(**solve()) as stream:
        first_event = next(iter(stream))
        first_at = time.monotonic() - started
        stream.get_final_message()
    slow = time.monotonic() - started
    started = time.monotonic()
    client.messages.create(**stage_request("generate"))
    fast = time.monotonic() - started

    assert first_event.type == "message_start"
    assert 0.05 <= first_at < 0.3  # min(0.3 s, 10 % of 0.5 s)
    assert slow >= 0.5 > fast
    assert server.requests()[0]["duration"] >= 0.5


def test_record_bodies_keeps_each_parsed_request(server):
    server.record_bodies = True
    params = solve()

    make_client(server).messages.create(**params)

    assert server.requests()[0]["body"] == params


# --- control API and the management command ------------------------------------------------


def test_control_api_sets_faults_scripts_latency_config_and_reads_the_log(server):
    token = {"X-Simulator-Token": server.token}
    control = httpx2.Client(base_url=server.url, headers=token, timeout=5)
    assert control.post("/_sim/faults", json={"kind": "rate_limit", "task": "solve"}).is_success
    outputs = {"task": "solve", "outputs": [{**SOLUTION, "answer": "D"}]}
    assert control.post("/_sim/script", json=outputs).is_success
    latency = {"profile": "old-system", "batch_delay": 0.5}
    assert control.post("/_sim/latency", json=latency).is_success
    assert control.post("/_sim/latency", json={"solve": 0}).is_success
    assert control.post("/_sim/config", json={"record_bodies": True}).is_success
    assert control.post("/_sim/faults", json={"kind": "nope"}).status_code == 400
    assert control.post("/_sim/faults", json={"kind": "timeout", "task": "x"}).status_code == 400

    with pytest.raises(anthropic.RateLimitError):
        make_client(server).messages.create(**solve())
    assert answer(make_client(server).messages.create(**solve()))["answer"] == "D"

    assert server.batch_delay == 0.5 and server.latency_for("solve") == 0
    log = control.get("/_sim/requests").json()
    assert [(entry["status"], entry["fault"]) for entry in log] == [
        (429, "rate_limit"),
        (200, None),
    ]
    assert log[1]["body"]["model"] == "claude-sonnet-5-5"
    assert control.post("/_sim/reset").is_success
    assert control.get("/_sim/requests").json() == []
    control.close()


def test_the_command_line_parses_arguments_and_serves(monkeypatch, capsys):
    seen: dict = {}

    def short_run(self, ready=None):
        # Serve for real in the background, make one SDK call, then return as if interrupted.
        self.start()
        ready(self.url)
        seen["faults"] = [(f.kind, f.task, f.count) for f in self._faults]
        seen["latency"] = dict(self._latency)
        seen["batch_delay"] = self.batch_delay
        seen["record_bodies"] = self.record_bodies
        seen["token"] = self.token
        try:
            make_client(self).messages.create(**solve())
        except anthropic.RateLimitError:
            seen["faulted"] = True
        finally:
            self.stop()

    monkeypatch.setattr(command_module.SimulatorServer, "serve_forever", short_run)
    command_module.main(
        [
            "--port=0",
            "--latency=old-system",
            "--fault=rate_limit:solve:1",
            "--fault=timeout",
            "--batch-delay=1.5",
            "--record-bodies",
            "--verbosity=2",
        ]
    )

    out = capsys.readouterr().out
    assert "Claude simulator listening on http://127.0.0.1:" in out
    assert "(simulated responses — not Claude)" in out
    assert f"Control API token (X-Simulator-Token): {seen['token']}" in out
    assert "solve claude-sonnet-5-5 stream=False status=429 fault=rate_limit" in out
    assert seen["faulted"]
    assert seen["faults"] == [("rate_limit", "solve", 1), ("timeout", "*", 1)]
    assert seen["latency"] == {"extract": 2.3, "generate": 3.1, "solve": 0.8}
    assert seen["batch_delay"] == 1.5 and seen["record_bodies"] is True


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--fault=gremlins", "unknown fault"),
        ("--fault=rate_limit:record_question", "unknown task"),
        ("--fault=rate_limit:solve:0", "at least 1"),
    ],
)
def test_the_command_line_rejects_a_bad_fault(option, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        command_module.main([option])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_stop_is_prompt_even_with_requests_still_sleeping():
    simulator = SimulatorServer(responder=fixed_responder, latency={"*": 30}).start()
    client = make_client(simulator, timeout=10)

    def answer_or_fail() -> None:
        # Either outcome is fine: the point is that stop() does not wait 30 s.
        with contextlib.suppress(anthropic.APIError):
            client.messages.create(**solve())

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
