"""What each Claude model accepts and costs, and the check that every stage's request fits it.

Settings only: a table of data (`DEFAULT_MODELS`, extended or overridden per model by the
CLAUDE_MODELS environment variable) and `check_stages`, which refuses to start a process
whose stages ask a model for something its API answers with a 400. Sources, checked in
December 2026 (docs/claude.md has the details):

- https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5 (+ migration-guide)
- https://platform.claude.com/docs/en/models/opus-5-5/whats-new-opus-5-5 (+ migration-guide)
- https://platform.claude.com/docs/en/models/haiku-5-5/whats-new-haiku-5-5 (+ migration-guide)
- https://platform.claude.com/docs/en/about-claude/models/whats-new-sonnet-5
- https://platform.claude.com/docs/en/about-claude/pricing
- https://platform.claude.com/docs/en/build-with-claude/prompt-caching
- https://platform.claude.com/docs/en/build-with-claude/vision
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured

EFFORTS = ("low", "medium", "high", "xhigh", "max")
THINKING_MODES = ("adaptive", "minimal")  # what a stage asks for; see thinking_param()
STANDARD_IMAGES = {"long_edge": 1568, "max_tokens": 1568}
HIGH_RES_IMAGES = {"long_edge": 2576, "max_tokens": 4784}

# Per model:
#   forced_tools       tool_choice "tool"/"any" accepted (SATgen never forces; the simulator
#                      enforces this independently)
#   thinking_off       the thinking type that turns up-front thinking off, or None when the
#                      model always thinks; thinking_off_efforts: the efforts it is accepted at
#   default_effort     what the API uses when output_config.effort is omitted
#   cache_min_tokens   the shortest prefix the API caches
#   max_output_tokens  the ceiling of max_tokens (thinking included)
#   images             the vision tier: long edge and tokens per image
#   prices             US dollars per million tokens; cache writes per TTL; batch = share paid
#                      through the Message Batches API; long_context = (prompt tokens above
#                      which every rate is multiplied, multiplier)
DEFAULT_MODELS: dict[str, dict[str, Any]] = {
    "claude-sonnet-5-5": {
        "forced_tools": False,
        "thinking_off": "between_tools",
        "thinking_off_efforts": ["low", "medium", "high"],
        "default_effort": "high",
        "cache_min_tokens": 512,
        "max_output_tokens": 128_000,
        "images": HIGH_RES_IMAGES,
        "prices": {
            "input": 2.0,
            "output": 10.0,
            "cache_write_5m": 2.5,
            "cache_write_1h": 4.0,
            "cache_read": 0.10,  # cut from 0.20 on 2026-10-07
            "batch": 0.5,
        },
    },
    "claude-opus-5-5": {
        "forced_tools": False,
        "thinking_off": None,  # adaptive thinking is always on
        "thinking_off_efforts": [],
        "default_effort": "medium",
        "cache_min_tokens": 512,
        "max_output_tokens": 128_000,
        "images": STANDARD_IMAGES,  # its tier is not published; the standard one is safe
        "prices": {
            "input": 4.0,
            "output": 20.0,
            "cache_write_5m": 5.0,
            "cache_write_1h": 8.0,
            "cache_read": 0.20,
            "batch": 0.5,
        },
    },
    "claude-haiku-5-5": {
        "forced_tools": True,
        "thinking_off": "disabled",
        "thinking_off_efforts": ["low", "medium", "high"],
        "default_effort": "medium",
        "cache_min_tokens": 512,
        "max_output_tokens": 128_000,
        "images": STANDARD_IMAGES,
        "prices": {
            "input": 0.10,
            "output": 0.50,
            "cache_write_5m": 0.125,
            "cache_write_1h": 0.20,
            "cache_read": 0.01,
            "batch": 0.5,
            "long_context": [100_000, 5],  # a prompt over 100K tokens bills every rate at 5x
        },
    },
    "claude-sonnet-5": {
        "forced_tools": True,
        "thinking_off": "disabled",
        "thinking_off_efforts": list(EFFORTS),
        "default_effort": "high",
        "cache_min_tokens": 1024,
        "max_output_tokens": 128_000,
        "images": HIGH_RES_IMAGES,
        "prices": {
            "input": 2.0,
            "output": 10.0,
            "cache_write_5m": 2.5,
            "cache_write_1h": 4.0,
            "cache_read": 0.20,
            "batch": 0.5,
        },
    },
}

REQUIRED_PRICES = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "batch")


def merge_models(overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the default table with each model's overrides merged in (new models added)."""
    models = copy.deepcopy(DEFAULT_MODELS)
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured("CLAUDE_MODELS must be a JSON object keyed by model id.")
    for model_id, fields in overrides.items():
        if not isinstance(fields, dict):
            raise ImproperlyConfigured(f"CLAUDE_MODELS[{model_id!r}] must be a JSON object.")
        entry = models.setdefault(model_id, {})
        for key, value in fields.items():
            if key == "prices" and isinstance(value, dict):
                entry.setdefault("prices", {}).update(value)
            else:
                entry[key] = value
    for model_id, entry in models.items():
        _check_entry(model_id, entry)
    return models


def _check_entry(model_id: str, entry: dict[str, Any]) -> None:
    required = ("thinking_off", "default_effort", "cache_min_tokens", "max_output_tokens")
    missing = [key for key in (*required, "images", "prices") if key not in entry]
    missing += [f"prices.{p}" for p in REQUIRED_PRICES if p not in entry.get("prices", {})]
    if missing:
        raise ImproperlyConfigured(
            f"CLAUDE_MODELS[{model_id!r}] lacks {', '.join(missing)}: SATgen needs every "
            "model's request rules and prices (see docs/claude.md)."
        )
    if entry["default_effort"] not in EFFORTS:
        raise ImproperlyConfigured(f"CLAUDE_MODELS[{model_id!r}].default_effort is not an effort.")


def check_stages(stages: dict[str, dict[str, Any]], models: dict[str, dict[str, Any]]) -> None:
    """Refuse a stage whose model is unknown or whose thinking/effort the model rejects."""
    for name, stage in stages.items():
        variable = f"CLAUDE_{name.upper()}"
        model_id = stage["model"]
        if model_id not in models:
            raise ImproperlyConfigured(
                f"{variable}_MODEL is {model_id!r}, a model SATgen has no request rules or "
                f"prices for (known: {', '.join(sorted(models))}). Choose one of them, or add "
                "its entry to CLAUDE_MODELS (docs/claude.md)."
            )
        model = models[model_id]
        effort = stage["effort"]
        if effort not in EFFORTS:
            raise ImproperlyConfigured(
                f"{variable}_EFFORT is {effort!r}; expected one of {', '.join(EFFORTS)}."
            )
        thinking = stage["thinking"]
        if thinking not in THINKING_MODES:
            raise ImproperlyConfigured(
                f"{variable}_THINKING is {thinking!r}; expected one of {', '.join(THINKING_MODES)}."
            )
        if (
            thinking == "minimal"
            and model["thinking_off"]
            and effort not in model["thinking_off_efforts"]
        ):
            raise ImproperlyConfigured(
                f"{variable}_THINKING=minimal needs {variable}_EFFORT to be one of "
                f"{', '.join(model['thinking_off_efforts'])} on {model_id} (the API refuses "
                f"thinking {model['thinking_off']!r} at effort {effort!r})."
            )
        if not 1 <= stage["max_tokens"] <= model["max_output_tokens"]:
            raise ImproperlyConfigured(
                f"{variable}_MAX_TOKENS must be between 1 and {model['max_output_tokens']} "
                f"on {model_id}."
            )
