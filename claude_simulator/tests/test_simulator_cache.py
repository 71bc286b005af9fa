"""The simulator's prompt cache, as the prompt-caching docs describe it, through the real SDK."""

from __future__ import annotations

import threading
import time
from typing import Any

import anthropic
import pytest

from claude_simulator import SimulatorServer
from claude_simulator.tests.support import MODEL_IDS, replay, stage_request

SOLUTION = {"answer": "B", "reasoning": "Halve both sides.", "confident": True}


class Clock:
    """A clock the test moves by hand (the cache's TTLs run on it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def responder(task: str, body: dict) -> dict:
    if task == "solve":
        return dict(SOLUTION)
    from claude_simulator import content

    return content.respond(task, body)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock):
    simulator = SimulatorServer(responder=responder, clock=clock).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def client(server):
    return anthropic.Anthropic(api_key="test", base_url=server.url, max_retries=0, timeout=10)


def usage(client: anthropic.Anthropic, params: dict):
    return client.messages.create(**params).usage


def total(u) -> int:
    return u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens


def test_the_system_prefix_is_written_once_then_read(client):
    params = stage_request("solve")

    first = usage(client, params)
    second = usage(client, params)

    assert first.cache_creation_input_tokens > 512 and first.cache_read_input_tokens == 0
    assert first.cache_creation.ephemeral_1h_input_tokens == first.cache_creation_input_tokens
    assert first.cache_creation.ephemeral_5m_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0
    assert second.input_tokens == first.input_tokens  # the cached part is excluded
    assert total(first) == total(second)


def test_each_written_segment_takes_the_ttl_of_the_breakpoint_that_ends_it(client):
    params = stage_request("generate")  # system (1h), then the examples block (5m)

    first = usage(client, params)
    second = usage(client, params)
    other_request = stage_request("generate", request={"skill": "circles", "section": "math"})
    third = usage(client, other_request)
    other_examples = usage(client, stage_request("generate", examples="<examples>\nOther. " * 300))

    split = first.cache_creation
    assert split.ephemeral_1h_input_tokens > 512 and split.ephemeral_5m_input_tokens > 512
    assert first.cache_creation_input_tokens == (
        split.ephemeral_1h_input_tokens + split.ephemeral_5m_input_tokens
    )
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert third.cache_read_input_tokens == first.cache_creation_input_tokens  # after the marks
    assert other_examples.cache_read_input_tokens == split.ephemeral_1h_input_tokens
    assert other_examples.cache_creation.ephemeral_5m_input_tokens > 0
    assert other_examples.cache_creation.ephemeral_1h_input_tokens == 0


@pytest.mark.parametrize("model", MODEL_IDS)
@pytest.mark.parametrize("approx_tokens", [700, 1100])
def test_prefixes_below_the_models_minimum_are_neither_written_nor_read(
    client, model, approx_tokens
):
    params = stage_request("solve", model=model, system="x " * (approx_tokens * 2))

    first = usage(client, params)
    second = usage(client, params)

    minimum = 1024 if model == "claude-sonnet-5" else 512
    if approx_tokens < minimum:
        assert first.cache_creation_input_tokens == second.cache_read_input_tokens == 0
        assert second.cache_creation_input_tokens == 0
    else:
        assert first.cache_creation_input_tokens >= minimum
        assert second.cache_read_input_tokens == first.cache_creation_input_tokens


def test_entries_live_for_their_ttl_and_a_hit_refreshes_them(client, clock):
    five_minutes = stage_request("solve")
    five_minutes["system"][0]["cache_control"] = {"type": "ephemeral"}
    one_hour = stage_request("solve", system="A different, longer-lived rubric. " * 80)

    assert usage(client, five_minutes).cache_creation_input_tokens > 0
    assert usage(client, one_hour).cache_creation_input_tokens > 0
    clock.now += 299
    assert usage(client, five_minutes).cache_read_input_tokens > 0  # refreshed: +300 s
    clock.now += 299
    assert usage(client, five_minutes).cache_read_input_tokens > 0
    clock.now += 301
    expired = usage(client, five_minutes)
    assert expired.cache_read_input_tokens == 0 and expired.cache_creation_input_tokens > 0
    assert usage(client, one_hour).cache_read_input_tokens > 0  # 899 s: still within 1 h


def test_the_cache_key_includes_the_model(client):
    assert usage(client, stage_request("solve")).cache_creation_input_tokens > 0
    haiku = usage(client, stage_request("solve", model="claude-haiku-5-5"))
    assert haiku.cache_read_input_tokens == 0 and haiku.cache_creation_input_tokens > 0


@pytest.mark.parametrize(
    "change",
    [
        {"effort": "high"},
        {"thinking": {"type": "between_tools"}},
        {"effort": None},  # the model default (high on Sonnet 5.5) is not "medium"
    ],
)
def test_message_breakpoints_depend_on_effort_and_thinking_but_system_ones_do_not(client, change):
    first = usage(client, stage_request("generate"))

    changed = usage(client, stage_request("generate", **change))

    assert changed.cache_read_input_tokens == first.cache_creation.ephemeral_1h_input_tokens
    assert changed.cache_creation.ephemeral_5m_input_tokens > 0


def test_setting_a_parameter_to_its_default_keeps_the_cache(client):
    first = usage(client, stage_request("generate", effort=None))

    explicit = usage(
        client, stage_request("generate", effort="high", thinking={"type": "adaptive"})
    )

    assert explicit.cache_read_input_tokens == first.cache_creation_input_tokens


def test_a_different_output_format_invalidates_the_whole_cache(client):
    # "Changing output_config.format invalidates any prompt cache for that conversation":
    # the schema is cached at the head of the prefix, so nothing after it is read.
    params = stage_request("generate")
    usage(client, params)
    same = usage(client, params)
    params["output_config"]["format"]["schema"]["description"] = "Another schema."

    changed = usage(client, params)

    assert same.cache_read_input_tokens > 0
    assert changed.cache_read_input_tokens == 0
    assert changed.cache_creation_input_tokens > 0  # written again, from the start


def test_a_repair_turn_reads_the_prefix_its_first_turn_wrote(client):
    params = stage_request("generate")
    message = client.messages.create(**params)

    repaired = client.messages.create(**replay(params, message)).usage

    assert repaired.cache_read_input_tokens == message.usage.cache_creation_input_tokens


def test_a_later_breakpoint_finds_an_earlier_entry_within_20_blocks(client):
    params = stage_request("solve")
    blocks: list[dict[str, Any]] = [
        {"type": "text", "text": f"Note {n}. " * 100} for n in range(12)
    ]
    params["messages"][0]["content"] = blocks
    blocks[3]["cache_control"] = {"type": "ephemeral"}
    first = usage(client, params)
    del blocks[3]["cache_control"]
    blocks[11]["cache_control"] = {"type": "ephemeral"}

    later = usage(client, params)

    assert later.cache_read_input_tokens == first.cache_creation_input_tokens
    assert later.cache_creation.ephemeral_5m_input_tokens > 0


def test_the_top_level_cache_control_marks_the_last_block(client):
    params = stage_request("solve")
    del params["system"][0]["cache_control"]

    first = client.messages.create(**params, extra_body={"cache_control": {"type": "ephemeral"}})
    second = client.messages.create(**params, extra_body={"cache_control": {"type": "ephemeral"}})

    assert first.usage.cache_creation.ephemeral_5m_input_tokens > 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens


def test_concurrent_streams_all_miss_until_a_writer_has_begun(server, client):
    server.set_latency({"solve": 1.0})  # message_start after 0.1 s, the rest after 1 s
    params = stage_request("solve")
    barrier = threading.Barrier(2)
    started = [threading.Event(), threading.Event()]
    finals: list = [None, None]

    def write(n: int) -> None:
        barrier.wait()
        with client.messages.stream(**params) as stream:
            next(iter(stream))  # message_start
            started[n].set()
            finals[n] = stream.get_final_message()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for worker in workers:
        worker.start()
    assert all(event.wait(5) for event in started)
    server.set_latency({})
    during = usage(client, params)  # both writers have begun, neither has finished
    for worker in workers:
        worker.join(5)

    assert finals[0] is not None and finals[1] is not None
    for final in finals:
        assert final.usage.cache_creation_input_tokens > 0
        assert final.usage.cache_read_input_tokens == 0
    assert during.cache_read_input_tokens == finals[0].usage.cache_creation_input_tokens
    entries = [e for e in server.requests() if e["cache_read_input_tokens"]]
    assert len(entries) == 1


def test_a_non_streaming_writer_is_readable_only_once_its_reply_is_sent(server, client):
    server.set_latency({"solve": 0.4})
    params = stage_request("solve")
    results: list = []
    writer = threading.Thread(target=lambda: results.append(usage(client, params)))
    writer.start()
    while not server.requests():
        time.sleep(0.005)

    overlapping = usage(client, params)  # arrives while the writer is still waiting
    writer.join(5)
    server.set_latency({})
    after = usage(client, params)

    assert results[0].cache_creation_input_tokens > 0
    assert overlapping.cache_read_input_tokens == 0
    assert overlapping.cache_creation_input_tokens > 0
    assert after.cache_read_input_tokens == results[0].cache_creation_input_tokens


def test_an_error_reply_writes_nothing(server, client):
    server.add_fault("overloaded")
    params = stage_request("solve")
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(**params)

    assert usage(client, params).cache_read_input_tokens == 0


def test_count_tokens_reads_nothing_and_writes_nothing(client):
    params = stage_request("solve")
    counted = client.messages.count_tokens(**{k: v for k, v in params.items() if k != "max_tokens"})

    first = usage(client, params)

    assert first.cache_read_input_tokens == 0
    assert counted.input_tokens == total(first)


def test_reset_clears_the_cache(server, client):
    params = stage_request("solve")
    usage(client, params)
    server.reset()

    assert usage(client, params).cache_creation_input_tokens > 0
