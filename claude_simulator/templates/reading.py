"""Reading and Writing templates for Information and Ideas and for Craft and Structure.

The passages and their questions live in data/reading.yaml; this module only decides which
unit a variant gets and, for the data table, draws the numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from claude_simulator.templates.base import Ctx, Item, Retry, Template

DATA: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "reading.yaml").read_text(encoding="utf-8")
)
PASSAGES = DATA["passages"]
HYPOTHESES = DATA["hypotheses"]
QUOTATIONS = DATA["quotations"]
DATA_CONTEXTS = DATA["data_contexts"]
QUANTITATIVE = DATA["quantitative"]  # the data question's words, by claim
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
    changes = [b - a for a, b in zip(first, second, strict=True)]
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
        sites = {"s": s, "lead": lead, "runner": runner, "v": bigger[0]}
        fake = second[runner] + (changes[s] - changes[runner]) + ctx.rng.randint(2, 6)
    else:
        s = next(i for i in range(4) if changes[i] < 0)
        lead = max(range(4), key=lambda i: first[i])
        if lead == s or first.count(first[lead]) > 1 or sum(changes) <= 0:
            raise Retry
        t = next(i for i in range(4) if i not in (s, lead))
        sites = {"s": s, "lead": lead, "t": t}
        fake = first[t] - ctx.rng.randint(3, 9)
    # The words name each site of the question by its role: {s}, {s_first}, {s_second}, ...
    y1, y2 = c["years"]
    words: dict[str, Any] = {**c, "y1": y1, "y2": y2, "fake": fake}
    for role, i in sites.items():
        words |= {role: names[i], f"{role}_first": first[i], f"{role}_second": second[i]}
        words[f"{role}_change"] = changes[i]
    texts = QUANTITATIVE[claim]
    words |= {"claim": texts["claim"].format(**words), "surname": c["who"].split()[-1]}
    wrong = [(choice.format(**words), why.format(**words)) for choice, why in texts["wrong"]]
    things, site = c["things"], c["site"]
    rows = "\n".join(f"| {n} | {a} | {b} |" for n, a, b in zip(names, first, second, strict=True))
    figure = (
        f"{things[0].upper() + things[1:]} by {site}, {y1} and {y2}\n\n"
        f"| {site[0].upper() + site[1:]} | {y1} | {y2} |\n|---|---|---|\n{rows}"
    )
    return Item(
        QUANTITATIVE["stem"].format(**words),
        texts["correct"].format(**words),
        wrong,
        texts["why"].format(**words),
        passage=QUANTITATIVE["passage"].format(**words),
        figure=figure,
        section="rw",
    )


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
