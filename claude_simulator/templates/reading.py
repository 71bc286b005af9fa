"""Reading and Writing templates for Information and Ideas and for Craft and Structure.

The passages and their questions live in data/reading.yaml; this module only decides which
unit a variant gets and, for the data table, draws the numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from claude_simulator.templates.base import Ctx, Item, Retry, Template

DATA: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "reading.yaml").read_text(encoding="utf-8")
)
PASSAGES = DATA["passages"]
HYPOTHESES = DATA["hypotheses"]
QUOTATIONS = DATA["quotations"]
DATA_CONTEXTS = DATA["data_contexts"]
INFERENCES = DATA["inferences"]
WORDS = DATA["words"]
PAIRS = DATA["pairs"]

SECOND_FORMS = ("detail", "structure", "weaken", "decrease", "relate")
STEMS = {
    "main": "Which choice best states the main idea of the text?",
    "purpose": "Which choice best states the main purpose of the text?",
    "structure": "Which choice best describes the overall structure of the text?",
    "relate": "Which choice best describes how Text 2 relates to Text 1?",
    "complete": "Which choice most logically completes the text?",
    "word": "Which choice completes the text with the most logical and precise word or phrase?",
}

Unit = tuple[dict[str, Any], str]  # a data unit and the question form asked of it


def _item(passage: str, stem: str, q: dict[str, Any], passage_b: str = "") -> Item:
    """Return the item for a question written as correct, wrong [{choice, why}] and why."""
    wrong = [(w["choice"], w["why"]) for w in q["wrong"]]
    return Item(
        stem, q["correct"], wrong, q["why"], passage=passage, passage_b=passage_b, section="rw"
    )


def _second_form(unit: Unit) -> int:
    """Return 1 for the second question asked of a passage, so each passage is used once first."""
    return int(unit[1] in SECOND_FORMS)


def _rotate(ctx: Ctx, units: list[Unit]) -> Unit:
    return ctx.rotate(units, level_of=lambda u: u[0]["level"], round_of=_second_form)


def _passage_template(*forms: str) -> Template:
    """Return the template asking the given forms of each shared passage, one form a round."""

    def build(ctx: Ctx) -> Item:
        p, form = _rotate(ctx, [(p, form) for form in forms for p in PASSAGES])
        return _item(p["passage"], STEMS.get(form) or p[form]["stem"], p[form])

    return Template(build, spr=False)


def completion_template(units: list[dict[str, Any]], stem: str) -> Template:
    """Return the template for passages with a blank, each with its question written out."""

    def build(ctx: Ctx) -> Item:
        unit = ctx.rotate(units, level_of=lambda u: u["level"])
        return _item(unit["passage"], stem, unit)

    return Template(build, spr=False)


def evidence_textual(ctx: Ctx) -> Item:
    units: list[Unit] = [(h, "support") for h in HYPOTHESES]
    units += [(q, "quote") for q in QUOTATIONS]
    units += [(h, "weaken") for h in HYPOTHESES]
    unit, form = _rotate(ctx, units)
    if form == "quote":
        return _item(unit["passage"], unit["stem"], unit)
    other = "weaken" if form == "support" else "support"
    wrong = [{"choice": unit[other], "why": f"This would {other} {unit['who']}, not {form} it."}]
    q = {"correct": unit[form], "wrong": wrong + unit["neutral"], "why": unit[f"{form}_why"]}
    stem = f"Which finding, if true, would most directly {form} {unit['who']}?"
    return _item(unit["passage"], stem, q)


def _draw_table(ctx: Ctx, c: dict[str, Any], claim: str) -> tuple[list[str], list[int], list[int]]:
    """Draw four rows that make exactly one site fit the claim, with a different leader."""
    rng = ctx.rng
    lo, hi = c["range"]
    names = [n + c["suffix"] if c["suffix"] else n for n in c["names"]]
    first = [rng.randint(lo, hi) for _ in names]
    if claim == "increase":
        changes = [rng.randint(2, (hi - lo) // 3) for _ in names]
    else:
        changes = [rng.randint(3, (hi - lo) // 3) for _ in names]
        changes[rng.randrange(4)] *= -1
    second = [f + d for f, d in zip(first, changes, strict=True)]
    return names, first, second


def evidence_quantitative(ctx: Ctx) -> Item:
    units = [(c, claim) for claim in ("increase", "decrease") for c in DATA_CONTEXTS]
    c, claim = ctx.rotate(
        units, level_of=lambda u: 1 if u[1] == "increase" else 2, round_of=_second_form
    )
    names, first, second = _draw_table(ctx, c, claim)
    y1, y2 = c["years"]
    changes = [b - a for a, b in zip(first, second, strict=True)]
    things, sites, site = c["things"], c["sites"], c["site"]
    if claim == "increase":
        s = max(range(4), key=lambda i: changes[i])
        ranked = sorted(changes, reverse=True)
        lead = max(range(4), key=lambda i: second[i])
        if ranked[0] == ranked[1] or lead == s or second.count(second[lead]) > 1:
            raise Retry
        runner = changes.index(ranked[1])
        bigger = [i for i in range(4) if i != s and first[i] > first[s]]
        if not bigger:
            raise Retry
        v = bigger[0]
        claim_text = (
            f"the number of {things} at {names[s]} grew by more from {y1} to {y2} than at any "
            f"of the other {sites}"
        )
        correct = (
            f"{names[s]} went from {first[s]} to {second[s]}, a rise of {changes[s]}, while no "
            f"other {site} rose by more than {ranked[1]}."
        )
        fake = second[runner] + (changes[s] - changes[runner]) + ctx.rng.randint(2, 6)
        wrong = [
            (
                f"{names[lead]} had more {things} than any other {site} in {y2}, with "
                f"{second[lead]}.",
                f"This is accurate, but having the most in {y2} is not the same as having the "
                "largest increase.",
            ),
            (
                f"{names[runner]} went from {first[runner]} to {fake}, a rise larger than the "
                f"rise at {names[s]}.",
                f"The table shows {second[runner]} for {names[runner]} in {y2}, a rise of only "
                f"{changes[runner]}.",
            ),
            (
                f"{names[v]} had more {things} than {names[s]} in {y1}, with {first[v]}.",
                f"This is accurate, but it compares only the {y1} numbers and says nothing "
                "about growth.",
            ),
        ]
        why = (
            f"The claim is about the size of the increase. {names[s]} rose by {changes[s]}, "
            f"more than the rise at any other {site} (the next largest was {ranked[1]}, at "
            f"{names[runner]})."
        )
    else:
        s = next(i for i in range(4) if changes[i] < 0)
        lead = max(range(4), key=lambda i: first[i])
        if lead == s or first.count(first[lead]) > 1 or sum(changes) <= 0:
            raise Retry
        t = next(i for i in range(4) if i not in (s, lead))
        claim_text = (
            f"{names[s]} was the only one of the four {sites} where the number of {things} "
            f"fell from {y1} to {y2}"
        )
        correct = (
            f"{names[s]} fell from {first[s]} to {second[s]}; every other {site} rose over the "
            "same years."
        )
        wrong = [
            (
                f"{names[lead]} had more {things} than any other {site} in {y1}, with "
                f"{first[lead]}.",
                f"This is accurate, but the {y1} numbers alone do not show where the number fell.",
            ),
            (
                f"{names[t]} went from {first[t]} to {first[t] - ctx.rng.randint(3, 9)}, a "
                f"smaller drop than at {names[s]}.",
                f"The table shows {second[t]} for {names[t]} in {y2}, so it did not fall at all.",
            ),
            (
                f"Together, the four {sites} had more {things} in {y2} than in {y1}.",
                f"This is accurate, but a larger total does not show that {names[s]} was the "
                f"only {site} to decline.",
            ),
        ]
        why = (
            f"{names[s]} is the only row where the {y2} number ({second[s]}) is less than the "
            f"{y1} number ({first[s]}); every other {site} increased."
        )
    rows = "\n".join(f"| {n} | {a} | {b} |" for n, a, b in zip(names, first, second, strict=True))
    figure = (
        f"{things[0].upper() + things[1:]} by {site}, {y1} and {y2}\n\n"
        f"| {site[0].upper() + site[1:]} | {y1} | {y2} |\n|---|---|---|\n{rows}"
    )
    who = c["who"].split()[-1]
    passage = (
        f"{c['who']} recorded the number of {things} at four {sites} in {y1} and again in "
        f"{y2}. After comparing the two years, {who} concluded that {claim_text}."
    )
    stem = f"Which choice most effectively uses data from the table to support {who}'s conclusion?"
    return Item(stem, correct, wrong, why, passage=passage, figure=figure, section="rw")


def cross_text(ctx: Ctx) -> Item:
    pair, form = _rotate(ctx, [(p, "respond") for p in PAIRS] + [(p, "relate") for p in PAIRS])
    person = pair["person"]
    who = "the author of Text 2" if person.startswith("the author") else f"{person} (Text 2)"
    stem = STEMS.get(form) or (
        f"Based on the texts, how would {who} most likely respond to {pair['claim']}?"
    )
    text1, text2 = f"Text 1\n{pair['text1']}", f"Text 2\n{pair['text2']}"
    return _item(text1, stem, pair[form], passage_b=text2)


TEMPLATES: dict[str, list[Template]] = {
    "central_ideas_details": [_passage_template("main", "detail")],
    "command_of_evidence_textual": [Template(evidence_textual, spr=False)],
    "command_of_evidence_quantitative": [Template(evidence_quantitative, spr=False)],
    "inferences": [completion_template(INFERENCES, STEMS["complete"])],
    "words_in_context": [completion_template(WORDS, STEMS["word"])],
    "text_structure_purpose": [_passage_template("purpose", "structure")],
    "cross_text_connections": [Template(cross_text, spr=False)],
}
