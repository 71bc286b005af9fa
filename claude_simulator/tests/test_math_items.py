"""Every math data item, drawn at every level, kind and seed, must be sound.

A draft must validate, pass SATgen's deterministic gates, carry a machine check that SymPy
(generation.pipeline.mathcheck) verifies against the key, and be free of the glitches tutors
saw in simulated output: "1x", "1\\pi", "+ -3", "1 centimeters", doubled words, unfilled
placeholders and pronouns that do not fit the person named.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import pytest

from claude_simulator.templates import MATH_DATA
from claude_simulator.templates.base import NAMES, Ctx, Retry, assemble
from claude_simulator.templates.engine import PRONOUNS, DataItem, load
from generation.pipeline.gates import run_gates
from generation.pipeline.mathcheck import answer_value, verify_math
from generation.pipeline.schemas import DraftQuestion, MathCheck
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

SEEDS = 30
DIFFICULTY = ("easy", "medium", "hard")
DOMAINS = {name: load(name) for name in MATH_DATA}  # each data file's templates, by skill
ITEMS = [
    (skill, template)
    for domain in DOMAINS.values()
    for skill, templates in domain.items()
    for template in templates
]
IDS = [str(getattr(template.build, "ident", template.build)) for _, template in ITEMS]
INLINE_MATH = re.compile(r"\\\((.*?)\\\)", re.S)
MATH_GLITCHES = {
    "unit coefficient": re.compile(r"(?<![\d.])1(?:[A-Za-z]|\\pi|\\sqrt)"),
    "plus minus": re.compile(r"\+\s*-"),
    "minus minus": re.compile(r"-\s*-"),
}
VERBS = r"(?!(?:is|was|has|does|gives|makes|equals|means)\b)"
TEXT_GLITCHES = {
    "plural after 1": re.compile(rf"(?<![\d.,])\b1 {VERBS}[a-z]+s\b"),
    "doubled word": re.compile(r"\b([A-Za-z]+) \1\b", re.I),
    "placeholder": re.compile(r"(?<![A-Za-z}^_])\{[^{}]*\}|[{}]\s*$|^\s*[{}]"),
}
PRONOUN = re.compile(r"\b(she|her|hers|herself|he|him|his|himself)\b", re.I)
NAME = re.compile(rf"\b({'|'.join(NAMES)})\b")


def draw(template: Any, level: int, kind: str, seed: int) -> dict[str, Any]:
    """Return the draft the template makes for seed, drawing again as write_question does."""
    for attempt in range(40):
        rng = random.Random(f"{seed}-{attempt}")
        ctx = Ctx(rng=rng, level=level, kind=kind, variant=seed, attempt=0, cycle=seed)
        try:
            draft = assemble(template.build(ctx), kind, rng)
        except (Retry, ZeroDivisionError):
            continue
        return draft
    raise AssertionError(f"no draft for level {level} {kind} seed {seed}")


@cache
def drafts(index: int) -> list[tuple[str, dict[str, Any]]]:
    """Return (difficulty, draft) for every level, kind and seed of ITEMS[index]."""
    skill, template = ITEMS[index]
    out = []
    for level in template.levels:
        for kind in ("mcq", "spr") if template.spr else ("mcq",):
            for seed in range(SEEDS):
                draft = draw(template, level, kind, seed)
                out.append((DIFFICULTY[level], draft | {"skill": skill}))
    return out


def texts(draft: dict[str, Any]) -> list[str]:
    return [
        draft["stem"],
        draft["figure"],
        draft["explanation"],
        *draft["choices"],
        *(r["why_wrong"] for r in draft["rationales"]),
    ]


def glitches(text: str) -> list[str]:
    found = [
        f"{name}: {formula}"
        for formula in INLINE_MATH.findall(text)
        for name, pattern in MATH_GLITCHES.items()
        if pattern.search(formula)
    ]
    found += [f"{name}: {m[0]}" for name, p in TEXT_GLITCHES.items() if (m := p.search(text))]
    return found


def pronoun_errors(text: str) -> list[str]:
    """Return the pronouns in text that do not fit the one person it names."""
    named = set(NAME.findall(text))
    if len(named) != 1:
        return []
    allowed = set(PRONOUNS[named.pop()])
    return [word for word in PRONOUN.findall(text) if word.lower() not in allowed]


@pytest.mark.parametrize(
    ("name", "count"),
    [("algebra", 20), ("advanced_math", 13), ("data_analysis", 26), ("geometry", 16)],
)
def test_every_math_template_is_a_data_item(name, count):
    templates = [t for ts in DOMAINS[name].values() for t in ts]
    assert len(templates) == count
    assert all(isinstance(template.build, DataItem) for template in templates)


def test_the_glitch_checks_catch_the_old_forms():
    for bad in (r"\(1x + 3\)", r"\(74 - 1n\)", r"\(1\pi\)", r"\(5 + -3\)", r"\(2 - -4\)"):
        assert glitches(bad), bad
    for bad in ("It burns 1 centimeters per hour.", "for 1 hours", "the the line", "{x1} days"):
        assert glitches(bad), bad
    for fine in (r"\(x + 13\)", r"\(\frac{1}{2}\)", "Since 1 is positive", "after 1 hour"):
        assert not glitches(fine), fine
    assert pronoun_errors("Bruno buys 3 pens. What can she buy?") == ["she"]
    assert pronoun_errors("Zofia buys 3 pens. What can she buy?") == []


@pytest.mark.parametrize("index", range(len(ITEMS)), ids=IDS)
def test_drafts_validate_and_pass_the_gates(index):
    for difficulty, draft in drafts(index):
        model = DraftQuestion.model_validate(draft | {"difficulty": difficulty})
        skill = Skill(draft["skill"])
        results = run_gates(model, skill=skill, section=SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[skill]])
        assert not [g for g in results if not g.passed], draft


@pytest.mark.parametrize("index", range(len(ITEMS)), ids=IDS)
def test_texts_have_no_glitches_and_pronouns_fit(index):
    for _, draft in drafts(index):
        for text in texts(draft):
            assert not glitches(text), (glitches(text), text)
        assert not pronoun_errors(" ".join(texts(draft))), draft["stem"]


@pytest.mark.parametrize("index", range(len(ITEMS)), ids=IDS)
def test_draws_vary(index):
    stems = {draft["stem"] for _, draft in drafts(index)}
    assert len(stems) >= SEEDS, len(stems)


def test_sympy_verifies_every_key():
    cases = {}
    for index in range(len(ITEMS)):
        for _, draft in drafts(index):
            model = DraftQuestion.model_validate(draft | {"difficulty": "medium"})
            if model.math_check is None:
                assert answer_value(model) is None, model.choices  # a statement, not a value
                continue
            expected = answer_value(model)
            assert expected is not None, (IDS[index], model.key, model.choices)
            check = model.math_check
            case = (tuple(check.equations), check.solve_for, check.expression, expected)
            cases[case] = IDS[index]

    def verify(case: tuple[Any, ...]) -> tuple[tuple[Any, ...], str, str]:
        equations, solve_for, expression, expected = case
        check = MathCheck(equations=list(equations), solve_for=solve_for, expression=expression)
        verdict = verify_math(check, expected=expected, timeout=10)
        return case, verdict.status, verdict.detail

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [(cases[c], c, d) for c, s, d in pool.map(verify, cases) if s != "verified"]
    assert not failures, failures[:5]
