"""Every Reading and Writing unit in the simulator's data files makes a clean question.

The units are hand-written YAML, so a typo in a key, a copied rationale or a choice that
repeats another would reach tutors unnoticed; these tests build each unit's question through
its template and check what a tutor would see.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from claude_simulator.templates import TEMPLATES, reading, writing
from claude_simulator.templates.base import Ctx, Item, Retry, key_too_long
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Section, Skill

DATA_DIR = Path(reading.__file__).parent / "data"
RW = Section.READING_WRITING
RW_SKILLS = [s for s in Skill.values if SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(s)]] == RW]
QUANTITATIVE = "command_of_evidence_quantitative"

# How many questions each skill can ask: one per unit and question form.
UNITS_OF_SKILL = {
    "central_ideas_details": 2 * len(reading.PASSAGES),
    "text_structure_purpose": 2 * len(reading.PASSAGES),
    "command_of_evidence_textual": 2 * len(reading.HYPOTHESES) + len(reading.QUOTATIONS),
    QUANTITATIVE: 2 * len(reading.DATA_CONTEXTS),
    "inferences": len(reading.INFERENCES),
    "words_in_context": len(reading.WORDS),
    "cross_text_connections": 2 * len(reading.PAIRS),
    "rhetorical_synthesis": sum(len(n["ask"]) for n in writing.NOTES),
    "transitions": len(writing.TRANSITIONS),
    "boundaries": len(writing.BOUNDARIES),
    "form_structure_sense": len(writing.FORMS),
}

DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.I)
HE = re.compile(r"\b(he|him|his|himself)\b", re.I)
SHE = re.compile(r"\b(she|her|hers|herself)\b", re.I)
POSSESSIVE_NAME = re.compile(r"\b(?!(?:It|That|There|What|Here|Who)'s)([A-Z][a-z]+)'s\b")


# --- the data files' shape ---------------------------------------------------------------


def text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def level(value: Any) -> bool:
    return value in (0, 1, 2)


def number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


Spec = dict[str, Any]  # key -> predicate, nested Spec, or [Spec or predicate] (non-empty list)
WRONG: Spec = {"choice": text, "why": text}
QUESTION: Spec = {"correct": text, "wrong": [WRONG], "why": text}
WRITTEN: Spec = {"topic": text, "level": level, "passage": text, **QUESTION}
SCHEMAS: dict[str, dict[str, Spec]] = {
    "reading": {
        "passages": {
            "topic": text, "level": level, "passage": text, "main": QUESTION,
            "detail": {"stem": text, **QUESTION}, "purpose": QUESTION, "structure": QUESTION,
        },
        "hypotheses": {
            "topic": text, "level": level, "passage": text, "who": text, "support": text,
            "support_why": text, "weaken": text, "weaken_why": text, "neutral": [WRONG],
        },
        "quotations": {"stem": text, **WRITTEN},
        "data_contexts": {
            "topic": text, "who": text, "things": text, "sites": text, "site": text,
            "names": [text], "suffix": lambda v: isinstance(v, str), "years": [number],
            "range": [number],
        },
        "inferences": WRITTEN,
        "words": WRITTEN,
        "pairs": {
            "topic": text, "level": level, "text1": text, "text2": text, "person": text,
            "claim": text, "respond": QUESTION, "relate": QUESTION,
        },
    },
    "writing": {
        "notes": {
            "topic": text, "level": level, "notes": [text],
            "goals": [{"goal": text, "sentence": text, "does": text}], "ask": [number],
        },
        "transitions": {
            "topic": text, "level": level, "passage": text, "correct": text, "wrong": [text],
            "relation": text,
        },
        "boundaries": WRITTEN,
        "forms": WRITTEN,
    },
}  # fmt: skip


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def shape_errors(value: Any, spec: Any, where: str) -> Iterator[str]:
    """Yield where value departs from spec: a missing or unknown key, or a bad value."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            yield f"{where}: expected a mapping"
            return
        for key in sorted(spec.keys() - value.keys()):
            yield f"{where}: missing {key!r}"
        for key in sorted(value.keys() - spec.keys()):
            yield f"{where}: unknown {key!r}"
        for key in spec.keys() & value.keys():
            yield from shape_errors(value[key], spec[key], f"{where}.{key}")
    elif isinstance(spec, list):
        if not isinstance(value, list) or not value:
            yield f"{where}: expected a non-empty list"
            return
        for i, entry in enumerate(value):
            yield from shape_errors(entry, spec[0], f"{where}[{i}]")
    elif not spec(value):
        yield f"{where}: bad value {value!r}"


UNITS = [
    pytest.param(name, section, i, unit, id=f"{name}.{section}[{i}]")
    for name, sections in SCHEMAS.items()
    for section in sections
    for i, unit in enumerate(load(name)[section])
]


def test_data_files_hold_exactly_the_sections_the_templates_read():
    for name, sections in SCHEMAS.items():
        assert set(load(name)) - {"signals", "quantitative"} == set(sections), name


def test_the_data_question_has_its_words_for_either_claim():
    words = load("reading")["quantitative"]
    claim: Spec = {"claim": text, "correct": text, "wrong": [lambda v: len(v) == 2], "why": text}
    spec: Spec = {"passage": text, "stem": text, "increase": claim, "decrease": claim}
    assert list(shape_errors(words, spec, "quantitative")) == []
    assert all(
        text(part) for c in ("increase", "decrease") for w in words[c]["wrong"] for part in w
    )


@pytest.mark.parametrize("name, section, index, unit", UNITS)
def test_unit_has_the_fields_its_template_needs(name, section, index, unit):
    assert list(shape_errors(unit, SCHEMAS[name][section], f"{section}[{index}]")) == []


def test_data_contexts_can_draw_a_table():
    for c in reading.DATA_CONTEXTS:
        (y1, y2), (lo, hi) = c["years"], c["range"]
        assert y1 < y2 and len(c["names"]) == len(set(c["names"])) == 4, c["who"]
        assert (hi - lo) // 3 >= 3, c["who"]  # room for the drawn rises and falls


def test_every_transition_word_has_a_signal():
    for unit in writing.TRANSITIONS:
        words = [unit["correct"], *unit["wrong"]]
        assert all(word in writing.SIGNALS for word in words), unit["passage"]
        assert len(set(words)) == 4, unit["passage"]


def test_synthesis_goals_asked_exist():
    for notes in writing.NOTES:
        assert len(notes["goals"]) == 4, notes["notes"][0]
        asked = notes["ask"]
        assert len(set(asked)) == len(asked) and set(asked) <= set(range(4)), notes["notes"][0]


# --- the questions built from them -------------------------------------------------------


def _ctx(variant: int, seed: int = 0) -> Ctx:
    return Ctx(rng=random.Random(seed), level=1, kind="mcq", variant=variant, attempt=0)


def build(skill: str, variant: int) -> Item:
    """Return the skill's question for variant, drawing again as the engine does on Retry."""
    for seed in range(100):
        try:
            return TEMPLATES[skill][0].build(_ctx(variant, seed))
        except Retry:
            continue
    raise AssertionError(f"{skill} variant {variant} never built")


def _identity(item: Item) -> tuple[str, str, str, str]:
    return (item.passage, item.passage_b, item.stem, str(item.answer))


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def problems(item: Item, *, check_length: bool = True) -> list[str]:
    """Return what a tutor would notice is wrong with the item; empty when it is clean."""
    found = []
    choices = [str(item.answer)] + [str(choice) for choice, _ in item.wrong]
    whys = [str(why) for _, why in item.wrong]
    if len(item.wrong) != 3:
        found.append(f"{len(item.wrong)} wrong choices, not 3")
    if len({_norm(c) for c in choices}) != len(choices):
        found.append(f"a choice repeats another: {choices}")
    if any(not why.strip() for why in whys):
        found.append("a wrong choice has no rationale")
    if len({_norm(w) for w in whys}) != len(whys):
        found.append(f"rationales are copies of each other: {whys}")
    if not item.passage.strip():
        found.append("empty passage")
    if check_length and key_too_long(choices[0], choices[1:]):
        found.append(f"the key is conspicuously the longest: {choices[0]!r}")
    texts = [item.passage, item.passage_b, item.stem, item.explanation, *choices, *whys]
    for part in texts:
        if doubled := DOUBLED_WORD.search(part):
            found.append(f"doubled word {doubled.group(0)!r}")
        if "{" in part or "}" in part or re.search(r"\bNone\b", part):
            found.append(f"template residue in {part!r}")
    source = item.passage + item.passage_b
    rest = "\n".join(texts[2:])
    in_passage = {p for p, rx in (("he", HE), ("she", SHE)) if rx.search(source)}
    elsewhere = {p for p, rx in (("he", HE), ("she", SHE)) if rx.search(rest)}
    if (in_passage and not elsewhere <= in_passage) or (not in_passage and len(elsewhere) > 1):
        found.append(f"the passage's people are {in_passage or 'unnamed'}, the rest {elsewhere}")
    for name in POSSESSIVE_NAME.findall(rest):
        if name not in source:
            found.append(f"{name!r} is not in the passage")
    return found


ITEMS = [
    pytest.param(skill, variant, id=f"{skill}[{variant}]")
    for skill in RW_SKILLS
    if skill != QUANTITATIVE
    for variant in range(UNITS_OF_SKILL[skill])
]


@pytest.mark.parametrize("skill, variant", ITEMS)
def test_unit_makes_a_clean_question(skill, variant):
    assert problems(build(skill, variant)) == []


@pytest.mark.parametrize("skill", [s for s in RW_SKILLS if s != QUANTITATIVE])
def test_variants_reach_every_unit_once(skill):
    items = [build(skill, v) for v in range(UNITS_OF_SKILL[skill])]
    assert len({_identity(item) for item in items}) == UNITS_OF_SKILL[skill]


def quantitative_items(variant: int) -> Iterator[Item]:
    for seed in range(60):
        try:
            yield TEMPLATES[QUANTITATIVE][0].build(_ctx(variant, seed))
        except Retry:
            continue


@pytest.mark.parametrize("variant", range(UNITS_OF_SKILL[QUANTITATIVE]))
def test_data_table_questions_are_clean(variant):
    items = list(quantitative_items(variant))
    assert len(items) >= 10
    for item in items:
        # assemble() redraws a table whose key is too long, so only the text is checked here.
        assert problems(item, check_length=False) == [], item.figure
    assert any(not problems(item) for item in items)


def test_data_table_questions_cover_every_context_and_claim():
    seen = set()
    for variant in range(UNITS_OF_SKILL[QUANTITATIVE]):
        item = next(quantitative_items(variant))
        who = next(c["who"] for c in reading.DATA_CONTEXTS if item.passage.startswith(c["who"]))
        seen.add((who, "grew by more" in item.passage))
    assert len(seen) == UNITS_OF_SKILL[QUANTITATIVE]


def test_every_reading_and_writing_skill_has_templates():
    assert set(RW_SKILLS) == set(reading.TEMPLATES) | set(writing.TEMPLATES)
    for skill in RW_SKILLS:
        assert TEMPLATES[skill], skill
        assert not any(t.spr for t in TEMPLATES[skill]), skill


GLITCHES: list[tuple[str, Callable[[Item], object]]] = [
    ("doubled word", lambda i: setattr(i, "passage", "It rained on the the plain.")),
    ("template residue", lambda i: setattr(i, "explanation", "The {answer} fits.")),
    ("template residue", lambda i: setattr(i, "stem", "None")),
    ("repeats another", lambda i: i.wrong.__setitem__(0, (" Right  CHOICE ", "Too vague."))),
    ("copies of each other", lambda i: i.wrong.__setitem__(1, ("Other", "Too vague."))),
    ("no rationale", lambda i: i.wrong.__setitem__(2, ("Third", " "))),
    ("3", lambda i: i.wrong.pop()),
    ("empty passage", lambda i: setattr(i, "passage", "")),
    ("conspicuously the longest", lambda i: setattr(i, "answer", "right choice " * 6)),
    ("people are", lambda i: setattr(i, "explanation", "His notes say so, and her data agree.")),
    ("not in the passage", lambda i: setattr(i, "explanation", "Lindqvist's data agree.")),
]


@pytest.mark.parametrize("expected, glitch", GLITCHES)
def test_checks_catch_each_glitch(expected, glitch):
    item = Item(
        "Which choice is right?",
        "right choice",
        [("first wrong choice", "Too vague."), ("second one", "Too narrow."), ("a third", "Off.")],
        "It is right.",
        passage="Researcher Ana Lucero studied the plain.",
        section="rw",
    )
    assert problems(item) == []
    glitch(item)
    assert any(expected in problem for problem in problems(item))
