"""The Claude client's request building, pricing and start-up checks, without a server."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from generation.claude import Usage, cache_control, request_params
from generation.pipeline.schemas import BlindSolution, DraftQuestion, Extraction
from satgen.claude_models import DEFAULT_MODELS, check_stages, merge_models

ROOT = Path(__file__).resolve().parents[2]
LONG = "word " * 2000  # ~10,000 characters: past every model's cache minimum
SHORT = "A short prompt."


def _stages(settings, **changes) -> dict:
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages["solve"].update(changes)
    return stages


# --- requests --------------------------------------------------------------------------


@pytest.mark.parametrize("model", sorted(DEFAULT_MODELS))
def test_a_request_uses_structured_output_and_never_forces_a_tool(settings, model):
    settings.CLAUDE_STAGES = _stages(settings, model=model)
    params = request_params("solve", output_model=BlindSolution, system=LONG, content=[])
    assert "tools" not in params and "tool_choice" not in params
    assert not {"temperature", "top_p", "top_k"} & set(params)
    output = params["output_config"]
    assert output["effort"] == settings.CLAUDE_STAGES["solve"]["effort"]
    schema = output["format"]["schema"]
    assert output["format"]["type"] == "json_schema"
    assert schema["additionalProperties"] is False
    answer = schema["properties"]["answer"]
    assert "maxLength" not in answer and answer["description"].endswith("{maxLength: 16}")


def test_every_stage_schema_stays_in_the_subset_the_api_accepts(settings):
    unsupported = {"minimum", "maximum", "minLength", "maxLength", "maxItems", "$ref", "$defs"}

    def walk(node, path="schema"):
        if isinstance(node, dict):
            assert not unsupported & set(node), path
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, path
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    for model in (Extraction, DraftQuestion, BlindSolution):
        params = request_params("generate", output_model=model, system=SHORT, content=[])
        walk(params["output_config"]["format"]["schema"])


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-5-5", {"type": "between_tools"}),
        ("claude-haiku-5-5", {"type": "disabled"}),
        ("claude-sonnet-5", {"type": "disabled"}),
        ("claude-opus-5-5", None),  # it always thinks: adaptive, the default, is left out
    ],
)
def test_minimal_thinking_is_said_the_way_each_model_accepts(settings, model, expected):
    settings.CLAUDE_STAGES = _stages(settings, model=model, thinking="minimal", effort="low")
    params = request_params("solve", output_model=BlindSolution, system=SHORT, content=[])
    assert params.get("thinking") == expected
    settings.CLAUDE_STAGES = _stages(settings, model=model, thinking="adaptive")
    params = request_params("solve", output_model=BlindSolution, system=SHORT, content=[])
    assert "thinking" not in params


def test_a_breakpoint_shorter_than_the_models_minimum_is_left_out(settings):
    settings.CLAUDE_STAGES = _stages(settings, model="claude-sonnet-5")  # minimum 1,024 tokens
    short_block = {"type": "text", "text": SHORT, "cache_control": cache_control("5m")}
    params = request_params(
        "solve", output_model=BlindSolution, system=SHORT, content=[short_block]
    )
    assert "cache_control" not in params["system"][0]
    assert "cache_control" not in params["messages"][0]["content"][0]

    long_block = {"type": "text", "text": LONG, "cache_control": cache_control("5m")}
    params = request_params("solve", output_model=BlindSolution, system=LONG, content=[long_block])
    assert params["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert params["messages"][0]["content"][0]["cache_control"] == {
        "type": "ephemeral",
        "ttl": "5m",
    }


# --- cost ------------------------------------------------------------------------------


def test_cost_prices_each_kind_of_token_at_its_published_rate():
    usage = Usage(
        "generate",
        "claude-sonnet-5-5",
        "end_turn",
        input_tokens=1_000,
        output_tokens=2_000,
        cache_creation_tokens=3_000,
        cache_write_1h_tokens=1_000,
        cache_read_tokens=10_000,
    )
    # $2 in, $10 out, $2.50 per 5-minute write, $4 per 1-hour write, $0.10 per read (per M).
    expected = (2 * 1_000 + 10 * 2_000 + 2.5 * 2_000 + 4 * 1_000 + 0.1 * 10_000) / 1_000_000
    assert usage.cost_usd == Decimal(str(expected)).quantize(Decimal("0.000001"))


def test_a_batch_costs_half():
    direct = Usage(
        "solve", "claude-haiku-5-5", "end_turn", input_tokens=40_000, output_tokens=8_000
    )
    batch = Usage(
        "solve",
        "claude-haiku-5-5",
        "end_turn",
        input_tokens=40_000,
        output_tokens=8_000,
        batch=True,
    )
    assert batch.cost_usd * 2 == direct.cost_usd > 0


def test_a_haiku_prompt_over_100k_tokens_is_billed_at_five_times():
    small = Usage("solve", "claude-haiku-5-5", "end_turn", input_tokens=100_000, output_tokens=10)
    large = Usage("solve", "claude-haiku-5-5", "end_turn", input_tokens=100_010, output_tokens=10)
    assert small.cost_usd == Decimal("0.010005")  # $0.10 in, $0.50 out per million
    assert large.cost_usd == Decimal("0.050030")  # every rate five times


# --- the table and the start-up check ---------------------------------------------------


def test_an_unknown_model_is_refused_with_a_message_naming_the_setting(settings):
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages["generate"]["model"] = "claude-sonnet-4-5"
    with pytest.raises(ImproperlyConfigured, match="CLAUDE_GENERATE_MODEL is 'claude-sonnet-4-5'"):
        check_stages(stages, settings.CLAUDE_MODELS)


@pytest.mark.parametrize(
    ("model", "change", "problem"),
    [
        ("claude-sonnet-5-5", {"thinking": "minimal", "effort": "max"}, "THINKING=minimal needs"),
        ("claude-haiku-5-5", {"thinking": "minimal", "effort": "xhigh"}, "THINKING=minimal needs"),
        ("claude-haiku-5-5", {"effort": "extreme"}, "_EFFORT is 'extreme'"),
        ("claude-haiku-5-5", {"thinking": "on"}, "_THINKING is 'on'"),
        ("claude-haiku-5-5", {"max_tokens": 200_000}, "_MAX_TOKENS must be between"),
    ],
)
def test_a_stage_setting_the_model_refuses_stops_the_start(settings, model, change, problem):
    stages = _stages(settings, model=model, **change)
    with pytest.raises(ImproperlyConfigured, match=problem):
        check_stages(stages, settings.CLAUDE_MODELS)


def test_minimal_thinking_on_a_model_that_always_thinks_is_accepted(settings):
    check_stages(
        _stages(settings, model="claude-opus-5-5", thinking="minimal", effort="max"),
        settings.CLAUDE_MODELS,
    )


def test_an_operator_can_add_a_model_or_change_a_price():
    models = merge_models(
        {
            "claude-haiku-5-5": {"prices": {"cache_read": 0.02}},
            "claude-new-6": {**copy.deepcopy(DEFAULT_MODELS["claude-sonnet-5"])},
        }
    )
    assert models["claude-haiku-5-5"]["prices"]["cache_read"] == 0.02
    assert models["claude-haiku-5-5"]["prices"]["input"] == 0.10  # the rest is kept
    assert "claude-new-6" in models
    with pytest.raises(ImproperlyConfigured, match="lacks"):
        merge_models({"claude-half-6": {"default_effort": "high"}})


def test_the_app_refuses_to_start_with_an_unknown_model():
    env = {
        **os.environ,
        "DEBUG": "1",
        "CLAUDE_SOLVE_MODEL": "claude-haiku-4",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",  # never reached: it stops before
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "CLAUDE_SOLVE_MODEL is 'claude-haiku-4'" in result.stderr
