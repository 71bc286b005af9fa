from __future__ import annotations

import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from generation.models import ModelCall
from questions.management.commands.seed_bank import SEED_FILE
from questions.tests.builders import mcq_record, spr_record

pytestmark = pytest.mark.usefixtures("seeded_bank")


def _validate(path, *args) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.suppress(CommandError):  # it exits 1 when a question fails
        call_command("validate_questions", str(path), *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def _good_record() -> dict:
    """A record that passes every gate and is a near-copy of nothing in the seed bank."""
    return mcq_record(
        external_id="good",
        stem=r"A bus travels \(120\) miles in \(3\) hours. At this rate, how far does "
        r"it travel in \(5\) hours?",
        choices=[r"\(160\)", r"\(200\)", r"\(240\)", r"\(360\)"],
        explanation=r"Choice B is correct. The rate is \(40\) miles per hour, so \(200\).",
    )


def test_validate_questions_passes_the_seed_bank_clean():
    reports, summary = _validate(SEED_FILE)
    failures = {r["external_id"]: r["failures"] for r in reports if not r["passed"]}
    assert failures == {}
    assert len(reports) >= 150
    assert summary.strip() == f"{len(reports)} passed, 0 failed"


def test_validate_questions_flags_each_kind_of_bad_item(tmp_path):
    seed = json.loads(SEED_FILE.read_text().splitlines()[0])
    near_copy = {**seed, "external_id": "copy-1", "stem": seed["stem"].replace("If", "Suppose")}
    # Distinct topics, so that no two lines are near-copies of each other.
    bad = {
        "duplicate": mcq_record(
            external_id="dup",
            stem="A garden has 4 rows of tulips. How many tulips per row if there are 16?",
            choices=["4", "4", "6", "8"],
            explanation="Choice B is correct. 16 / 4 = 4.",
        ),
        "no-key": mcq_record(
            external_id="no-key", stem="What is the median of the list 3, 9, 4, 12, 7?", key="E"
        ),
        "other-letter": mcq_record(
            external_id="other-letter",
            stem="A square has a perimeter of 24 centimeters. What is its area?",
            explanation="Choice C is correct. It is 6.",
        ),
        "spr-format": spr_record(
            external_id="spr-format",
            stem="A recipe uses 3 cups of flour for every 2 eggs. How many cups for 7 eggs?",
            key="1.23456",
        ),
        "latex": mcq_record(
            external_id="latex", stem=r"If \(\frac{y}{2 = 4\), what is the probability?"
        ),
        "copy-1": near_copy,
        "good": _good_record(),
    }
    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in bad.values()) + "\n{not json\n")

    reports, summary = _validate(path)
    by_id = {r["external_id"]: r for r in reports}

    def failed(external_id: str) -> list[str]:
        return [f.split(":")[0] for f in by_id[external_id]["failures"]]

    assert failed("dup") == ["four_distinct_choices"]
    assert "key_is_a_choice" in failed("no-key")
    assert failed("other-letter") == ["explanation_names_key"]
    assert failed("spr-format") == ["key_is_a_choice"]
    assert failed("latex") == ["latex_renders"]
    assert failed("copy-1") == ["not_a_copy_of_bank"]
    assert by_id["good"]["passed"], by_id["good"]["failures"]
    assert reports[-1]["external_id"] is None and reports[-1]["failures"][0].startswith("schema")
    assert summary.strip() == "1 passed, 7 failed"


def test_validate_questions_with_solve_asks_for_an_independent_answer(tmp_path, simulator):
    record = mcq_record(external_id="solve-me")
    path = tmp_path / "bank.jsonl"
    path.write_text(json.dumps(record) + "\n")
    simulator.script("solve", {"answer": "C", "reasoning": "6", "confident": True})
    reports, summary = _validate(path, "--solve")
    assert reports[0]["failures"] == [
        f"blind_solve_agrees: an independent solve answered C, not {record['key']}: 6"
    ]
    # The solve went through one Message Batch at half price, and its cost is printed.
    [entry] = simulator.requests()
    assert entry["batch"] is not None
    call = ModelCall.objects.get()
    assert (call.job, call.purpose, call.batch) == (None, "solve", True)
    assert call.cost_usd > 0
    assert "Claude: 1 request(s) (one Message Batch, half price)" in summary
    assert f"cost ${call.cost_usd:.4f}" in summary


def test_validate_questions_can_solve_with_direct_requests(tmp_path, simulator):
    path = tmp_path / "bank.jsonl"
    record = mcq_record(external_id="solve-me")
    path.write_text(json.dumps(record) + "\n")
    simulator.script("solve", {"answer": record["key"], "reasoning": "6", "confident": True})
    reports, summary = _validate(path, "--solve", "--no-batch")
    assert reports[0]["passed"], reports[0]["failures"]
    [entry] = simulator.requests()
    assert entry["batch"] is None and entry["body"]["stream"] is True
    call = ModelCall.objects.get()
    assert not call.batch and call.cost_usd > 0
    assert "Claude: 1 request(s) (direct requests)" in summary


def test_generate_command_prints_each_stage_and_the_result(simulator):
    out, err = io.StringIO(), io.StringIO()
    call_command("generate", "--skill", "transitions", "--count", "2", stdout=out, stderr=err)
    state = json.loads(out.getvalue())
    assert state["status"] == "succeeded"
    assert [q["status"] for q in state["questions"]] == ["passed", "passed"]
    log = err.getvalue()
    for stage in ("retrieve", "generate", "validate"):
        assert f"{stage:<9} succeeded in" in log
    assert "question 2: passed" in log


def test_validate_questions_fails_a_record_no_draft_can_hold_and_goes_on(tmp_path):
    # The bank's format allows a rationale for any letter; a draft only for A-D.
    odd = mcq_record(external_id="odd")
    odd["rationales"] = {**odd["rationales"], "E": "There is no choice E."}
    good = _good_record()
    path = tmp_path / "bank.jsonl"
    path.write_text(json.dumps(odd) + "\n" + json.dumps(good) + "\n")

    reports, summary = _validate(path)

    assert reports[0]["passed"] is False
    assert reports[0]["failures"][0].startswith("schema: rationales")
    assert reports[1]["passed"] is True
    assert summary.strip() == "1 passed, 1 failed"
