from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from questions.management.commands.seed_bank import SEED_FILE
from questions.models import Question
from questions.services import questions_import
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Difficulty, Skill


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    with SEED_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_the_seed_bank_has_at_least_150_original_approved_questions(seed_records):
    assert len(seed_records) >= 150
    assert {r["source"] for r in seed_records} == {"original"}
    assert {r["status"] for r in seed_records} == {"approved"}


def test_every_skill_has_an_easy_a_medium_and_a_hard_question(seed_records):
    counts = Counter((r["skill"], r["difficulty"]) for r in seed_records)
    missing = [
        (skill.value, level.value)
        for skill in Skill
        for level in Difficulty
        if counts[(skill.value, level.value)] == 0
    ]
    assert missing == []


def test_math_includes_student_produced_responses_and_rw_never_does(seed_records):
    kinds = Counter((r["section"], r["kind"]) for r in seed_records)
    assert kinds[("math", "spr")] >= 20
    assert kinds[("rw", "spr")] == 0


def test_keys_are_spread_over_the_four_letters(seed_records):
    keys = Counter(r["key"] for r in seed_records if r["kind"] == "mcq")
    total = sum(keys.values())
    assert set(keys) == {"A", "B", "C", "D"}
    assert all(count / total > 0.2 for count in keys.values())


def test_the_key_is_not_systematically_the_longest_choice(seed_records):
    mcq = [r for r in seed_records if r["kind"] == "mcq"]
    longest = sum(
        1
        for r in mcq
        if len(r["choices"]["ABCD".index(r["key"])]) == max(len(c) for c in r["choices"])
    )
    assert longest / len(mcq) < 0.35


def test_every_multiple_choice_explanation_names_its_key(seed_records):
    unnamed = [
        r["external_id"]
        for r in seed_records
        if r["kind"] == "mcq" and f"Choice {r['key']}" not in r["explanation"]
    ]
    assert unnamed == []


def test_taxonomy_is_consistent_in_every_record(seed_records):
    for r in seed_records:
        domain = DOMAIN_OF_SKILL[Skill(r["skill"])]
        assert (r["domain"], r["section"]) == (domain, SECTION_OF_DOMAIN[domain]), r["external_id"]


@pytest.mark.django_db
def test_every_seed_line_passes_import_validation():
    with SEED_FILE.open(encoding="utf-8") as handle:
        report = questions_import(lines=handle, dry_run=True)
    assert report.rejected == []


@pytest.mark.django_db
def test_seed_bank_loads_and_embeds_once_and_is_idempotent(seed_records):
    out = io.StringIO()
    call_command("seed_bank", stdout=out)
    assert f"{len(seed_records)} created" in out.getvalue()
    assert not Question.objects.filter(embedding__isnull=True).exists()

    out = io.StringIO()
    call_command("seed_bank", stdout=out)
    assert f"0 created, 0 updated, {len(seed_records)} unchanged; 0 embedded" in out.getvalue()
