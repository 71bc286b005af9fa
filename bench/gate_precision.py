"""How right the deterministic gates are about real-style items (docs/quality.md).

    .venv/bin/python bench/gate_precision.py [FILE ...]

FILE: JSONL files in the bank's import format holding clean items (default: the seed bank and
generation/tests/data/real_style_items.jsonl). Two figures:

- false rejects: clean items that some deterministic gate fails;
- catch rate: for every clean multiple-choice item, one flawed copy per flaw kind below, each
  caught only if the gate meant for that flaw fails it. A near copy (the item with its stem
  reworded) is caught if it is within the near-copy distance of the original.

Prints one line per item rejected or flaw missed, then the totals.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings")

import django  # noqa: E402

django.setup()

from generation.pipeline.context import question_text  # noqa: E402
from generation.pipeline.gates import run_gates  # noqa: E402
from generation.pipeline.schemas import DraftQuestion  # noqa: E402
from questions.records import QuestionRecord  # noqa: E402
from questions.selectors import NEAR_DUPLICATE_DISTANCE  # noqa: E402

DEFAULT_FILES = [
    ROOT / "questions" / "seed" / "seed_bank.jsonl",
    ROOT / "generation" / "tests" / "data" / "real_style_items.jsonl",
]
LETTERS = "ABCD"
Item = dict


def _wrong(item: Item) -> list[str]:
    return [letter for letter in LETTERS if letter != item["key"]]


def wrong_letter(item: Item) -> Item:
    other = _wrong(item)[0]
    item["explanation"] = f"Choice {other} is correct. " + item["explanation"]
    return item


def three_choices(item: Item) -> Item:
    drop = LETTERS.index(_wrong(item)[-1])
    del item["choices"][drop]
    return item


def duplicate_choices(item: Item) -> Item:
    first, second = (LETTERS.index(letter) for letter in _wrong(item)[:2])
    item["choices"][second] = item["choices"][first]
    return item


def key_not_a_choice(item: Item) -> Item:
    item["choices"][LETTERS.index(item["key"])] = ""
    return item


def all_of_the_above(item: Item) -> Item:
    item["choices"][LETTERS.index(_wrong(item)[-1])] = "All of the above"
    return item


def missing_rationale(item: Item) -> Item:
    del item["rationales"][_wrong(item)[0]]
    return item


def broken_latex(item: Item) -> Item:
    item["stem"] += r" Assume \(x > 0."
    return item


def over_long_passage(item: Item) -> Item:
    words = (item["passage"] or item["stem"]).split()
    item["passage"] = " ".join((words * (400 // max(len(words), 1) + 1))[:400])
    return item


def key_longest_by_far(item: Item) -> Item:
    index = LETTERS.index(item["key"])
    longest = max(len(choice) for choice in item["choices"])
    item["choices"][index] += " " + "and so on, as the text explains in detail" * (
        longest // 20 + 1
    )
    return item


# flaw → (make the flawed copy, the gate that must fail it)
FLAWS: dict[str, tuple[Callable[[Item], Item], str]] = {
    "wrong letter in the explanation": (wrong_letter, "explanation_names_key"),
    "three choices": (three_choices, "four_distinct_choices"),
    "duplicate choices": (duplicate_choices, "four_distinct_choices"),
    "key not among the choices": (key_not_a_choice, "key_is_a_choice"),
    "all of the above": (all_of_the_above, "no_all_or_none_of_the_above"),
    "missing rationale": (missing_rationale, "rationales_cover_wrong_choices"),
    "broken LaTeX": (broken_latex, "latex_renders"),
    "over-long passage": (over_long_passage, "length_limits"),
    "key longest by far": (key_longest_by_far, "key_not_longest"),
}
READING_ONLY = {"over-long passage"}  # a math item may have no passage at all


def reworded(item: Item) -> Item:
    """The near copy: the same question with its stem's wording touched."""
    stem = item["stem"]
    for old, new in (("What is", "Find"), ("Which choice", "Which option"), ("the ", "this ")):
        if old in stem:
            item["stem"] = stem.replace(old, new, 1)
            return item
    item["stem"] = "Consider the following. " + stem
    return item


def failed_gates(item: Item) -> dict[str, str]:
    record = QuestionRecord.model_validate(item)
    draft = DraftQuestion.from_stored(record)
    return {
        gate.name: gate.detail
        for gate in run_gates(draft, skill=record.skill, section=record.section)
        if not gate.passed
    }


def _text(item: Item) -> str:
    return question_text(
        stem=item["stem"],
        choices=item["choices"],
        passage=item["passage"],
        passage_b=item["passage_b"],
    )


def main(paths: list[Path]) -> int:
    items = [json.loads(line) for path in paths for line in path.open() if line.strip()]
    rejected = 0
    for item in items:
        if failures := failed_gates(item):
            rejected += 1
            print(f"REJECTED {item['external_id']}: {failures}")

    caught: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    mcq = [item for item in items if item["kind"] == "mcq"]
    for item in mcq:
        for flaw, (make, gate) in FLAWS.items():
            if flaw in READING_ONLY and item["section"] != "rw":
                continue
            tried[flaw] += 1
            if gate in failed_gates(make(copy.deepcopy(item))):
                caught[flaw] += 1
            else:
                print(f"MISSED {flaw} in {item['external_id']}")

    from questions.embeddings import embed_texts

    originals = embed_texts([_text(item) for item in items])
    copies = embed_texts([_text(reworded(copy.deepcopy(item))) for item in items])
    tried["near copy"] = len(items)
    for item, a, b in zip(items, originals, copies, strict=True):
        if 1.0 - sum(x * y for x, y in zip(a, b, strict=True)) < NEAR_DUPLICATE_DISTANCE:
            caught["near copy"] += 1
        else:
            print(f"MISSED near copy of {item['external_id']}")

    print(f"\nclean items: {len(items)} from {', '.join(p.name for p in paths)}")
    print(f"false rejects: {rejected} ({100 * rejected / len(items):.1f} %)")
    for flaw in tried:
        print(f"caught {flaw}: {caught[flaw]} of {tried[flaw]}")
    total, hits = sum(tried.values()), sum(caught.values())
    print(f"catch rate: {hits} of {total} ({100 * hits / total:.1f} %)")
    return 0


if __name__ == "__main__":
    given = [Path(arg) for arg in sys.argv[1:]]
    sys.exit(main(given or [path for path in DEFAULT_FILES if path.exists()]))
