"""Reading and Writing templates for Expression of Ideas and Standard English Conventions.

The sentences and their questions live in data/writing.yaml; this module only decides which
unit a variant gets and words the rationales that follow a pattern.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from claude_simulator.templates.base import Ctx, Item, Template
from claude_simulator.templates.reading import completion_template

DATA: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "writing.yaml").read_text(encoding="utf-8")
)
SIGNALS: dict[str, str] = DATA["signals"]
NOTES: list[dict[str, Any]] = DATA["notes"]
TRANSITIONS: list[dict[str, Any]] = DATA["transitions"]
BOUNDARIES: list[dict[str, Any]] = DATA["boundaries"]
FORMS: list[dict[str, Any]] = DATA["forms"]

CONVENTIONS_STEM = (
    "Which choice completes the text so that it conforms to the conventions of Standard English?"
)


def _item(passage: str, stem: str, correct: str, wrong: list[tuple[str, str]], why: str) -> Item:
    return Item(stem, correct, wrong, why, passage=passage, section="rw")


def rhetorical_synthesis(ctx: Ctx) -> Item:
    units = [(n, g) for n in NOTES for g in n["ask"]]
    notes, goal_index = ctx.rotate(
        units, level_of=lambda u: u[0]["level"], round_of=lambda u: u[0]["ask"].index(u[1])
    )
    goal = notes["goals"][goal_index]["goal"]
    wrong = [
        (g["sentence"], f"This choice {g['does']}, but it does not {goal}.")
        for i, g in enumerate(notes["goals"])
        if i != goal_index
    ]
    passage = "While researching a topic, a student has taken the following notes:\n" + "\n".join(
        f"- {line}" for line in notes["notes"]
    )
    stem = (
        f"The student wants to {goal}. Which choice most effectively uses relevant information "
        "from the notes to accomplish this goal?"
    )
    why = f"The goal is to {goal}. This choice does exactly that, using information from the notes."
    return _item(passage, stem, notes["goals"][goal_index]["sentence"], wrong, why)


def transitions(ctx: Ctx) -> Item:
    unit = ctx.rotate(TRANSITIONS, level_of=lambda u: u["level"])
    relation, correct = unit["relation"], unit["correct"]
    wrong = [(w, f'"{w.rstrip(",")}" {SIGNALS[w]}, but {relation}.') for w in unit["wrong"]]
    why = f'"{correct.rstrip(",")}" {SIGNALS[correct]}: {relation}.'
    stem = "Which choice completes the text with the most logical transition?"
    return _item(unit["passage"], stem, correct, wrong, why)


TEMPLATES: dict[str, list[Template]] = {
    "rhetorical_synthesis": [Template(rhetorical_synthesis, spr=False)],
    "transitions": [Template(transitions, spr=False)],
    "boundaries": [completion_template(BOUNDARIES, CONVENTIONS_STEM)],
    "form_structure_sense": [completion_template(FORMS, CONVENTIONS_STEM)],
}
