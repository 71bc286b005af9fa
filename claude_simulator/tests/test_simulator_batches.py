"""The simulator's Message Batches API, end to end through the real SDK."""

from __future__ import annotations

import json
import time

import anthropic
import httpx2
import pytest

from claude_simulator import SimulatorServer
from claude_simulator.tests.support import stage_request
from generation.pipeline.schemas import BlindSolution

SOLUTION = {"answer": "B", "reasoning": "Halve both sides.", "confident": True}


def responder(task: str, body: dict) -> dict:
    if task == "solve":
        return dict(SOLUTION)
    from claude_simulator import content

    return content.respond(task, body)


@pytest.fixture
def server():
    simulator = SimulatorServer(responder=responder, batch_delay=0.05).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def client(server):
    return anthropic.Anthropic(api_key="test", base_url=server.url, max_retries=0, timeout=5)


def wait_until_ended(client: anthropic.Anthropic, batch_id: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} did not end")


def test_a_batch_is_processed_in_the_background_with_per_request_results(server, client):
    server.add_fault("rate_limit", task="generate")
    prefill = stage_request("solve")
    prefill["messages"].append({"role": "assistant", "content": "{"})
    requests = [
        {"custom_id": "solve-1", "params": stage_request("solve")},
        {"custom_id": "prefill", "params": prefill},
        {"custom_id": "generate-1", "params": stage_request("generate")},
        {"custom_id": "unknown_model", "params": stage_request("solve", model="claude-x")},
    ]

    created = client.messages.batches.create(requests=requests)
    ended = wait_until_ended(client, created.id)
    results = {line.custom_id: line.result for line in client.messages.batches.results(created.id)}

    assert created.type == "message_batch" and created.processing_status == "in_progress"
    assert created.request_counts.processing == 4 and created.results_url is None
    assert (created.expires_at - created.created_at).total_seconds() == 24 * 3600
    counts = ended.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 1, 3)
    assert ended.ended_at is not None
    assert ended.results_url == f"{server.url}/v1/messages/batches/{created.id}/results"
    message = results["solve-1"].message
    assert [block.type for block in message.content] == ["thinking", "text"]
    BlindSolution.model_validate_json(message.content[1].text)
    assert message.usage.service_tier == "batch"
    assert message.usage.output_tokens_details.thinking_tokens > 0
    errors = {
        custom_id: (result.error.error.type, result.error.error.message)
        for custom_id, result in results.items()
        if result.type == "errored"
    }
    assert errors["prefill"][0] == "invalid_request_error"
    assert errors["prefill"][1].startswith("This model does not support assistant message prefill")
    assert errors["generate-1"][0] == "rate_limit_error"
    assert errors["unknown_model"] == ("not_found_error", "model: claude-x")

    log = server.requests()
    assert {entry["batch"] for entry in log} == {created.id}
    assert [entry["status"] for entry in log] == [200, 400, 429, 404]
    assert log[2]["fault"] == "rate_limit" and log[2]["task"] == "generate"


def test_a_batch_request_reads_the_prompt_cache_a_live_call_wrote(client):
    params = stage_request("solve")
    live = client.messages.create(**params)

    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    wait_until_ended(client, batch.id)
    (line,) = client.messages.batches.results(batch.id)

    assert line.result.message.usage.cache_read_input_tokens == (
        live.usage.cache_creation_input_tokens
    )


def test_a_batch_stays_in_progress_for_the_configured_delay(server, client):
    control = httpx2.post(
        f"{server.url}/_sim/latency",
        json={"batch_delay": 0.4},
        headers={"X-Simulator-Token": server.token},
        timeout=5,
    )
    assert control.is_success and server.batch_delay == 0.4

    started = time.monotonic()
    batch = client.messages.batches.create(
        requests=[{"custom_id": "a", "params": stage_request("solve")}]
    )
    early = get_results(server, batch.id)
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    wait_until_ended(client, batch.id)

    assert time.monotonic() - started >= 0.4
    assert early.status_code == 400 and "has not ended" in early.json()["error"]["message"]


def get_results(server: SimulatorServer, batch_id: str) -> httpx2.Response:
    headers = {"x-api-key": "test", "anthropic-version": "2023-06-01"}
    url = f"{server.url}/v1/messages/batches/{batch_id}/results"
    return httpx2.get(url, headers=headers, timeout=5)


def test_a_canceled_batch_ends_with_every_request_canceled(server, client):
    server.batch_delay = 5
    batch = client.messages.batches.create(
        requests=[{"custom_id": f"r{n}", "params": stage_request("solve")} for n in range(3)]
    )

    canceling = client.messages.batches.cancel(batch.id)
    ended = wait_until_ended(client, batch.id)
    results = list(client.messages.batches.results(batch.id))

    assert canceling.processing_status in ("canceling", "ended")
    assert canceling.cancel_initiated_at is not None
    assert ended.request_counts.canceled == 3
    assert {line.result.type for line in results} == {"canceled"}
    assert server.requests() == []


def test_batches_are_listed_and_an_ended_one_can_be_deleted(client):
    batch = client.messages.batches.create(
        requests=[{"custom_id": "a", "params": stage_request("solve")}]
    )
    wait_until_ended(client, batch.id)

    assert [b.id for b in client.messages.batches.list()] == [batch.id]
    client.messages.batches.delete(batch.id)
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(batch.id)


@pytest.mark.parametrize(
    ("requests", "problem"),
    [
        ([], "requests: a batch holds 1 to 100000 requests, not 0"),
        (
            [{"custom_id": "has space", "params": {}}],
            "requests.0.custom_id: String should match pattern",
        ),
        ([{"custom_id": "x" * 65, "params": {}}], "requests.0.custom_id"),
        (
            [{"custom_id": "a", "params": {}}, {"custom_id": "a", "params": {}}],
            "requests.1.custom_id: custom_id 'a' is not unique in the batch",
        ),
        ([{"custom_id": "a", "params": {}, "extra": 1}], "requests.0.extra: Extra inputs"),
    ],
)
def test_a_malformed_batch_is_refused_whole(client, requests, problem):
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.create(requests=requests)
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["error"]["message"].startswith(problem)


def test_invalid_params_inside_a_batch_are_errored_results_not_a_refused_batch(client):
    params = stage_request("solve", model="claude-opus-5-5", thinking={"type": "disabled"})

    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    wait_until_ended(client, batch.id)
    (line,) = client.messages.batches.results(batch.id)

    assert line.result.type == "errored"
    assert '"thinking.type.disabled" is not supported' in line.result.error.error.message


def test_a_streaming_request_in_a_batch_is_errored(client):
    params = {**stage_request("solve"), "stream": True}
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])
    wait_until_ended(client, batch.id)
    (line,) = client.messages.batches.results(batch.id)
    assert line.result.type == "errored"


def test_the_results_file_is_jsonl_one_line_per_request(server, client):
    batch = client.messages.batches.create(
        requests=[{"custom_id": f"r{n}", "params": stage_request("solve")} for n in range(2)]
    )
    wait_until_ended(client, batch.id)

    response = get_results(server, batch.id)
    lines = [json.loads(line) for line in response.text.splitlines()]

    assert [line["custom_id"] for line in lines] == ["r0", "r1"]
    assert all(line["result"]["type"] == "succeeded" for line in lines)
