"""Measure cosine distances between distinct seed questions and between near-copies.

Run: .venv/bin/python bench/near_duplicates.py
Prints the distribution that sets NEAR_DUPLICATE_DISTANCE in questions/selectors.py.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from questions.embeddings import embed_texts  # noqa: E402


def embedding_text(record: dict) -> str:
    parts = [record["stem"], *record["choices"], record["passage"], record["passage_b"]]
    return "\n".join(part for part in parts if part)


def near_copy(text: str) -> str:
    """A cheap rewrite a copier might make: other numbers, one word swapped."""
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + 3), text)
    return text.replace(" the ", " this ", 1)


def main() -> None:
    records = [json.loads(line) for line in (ROOT / "questions/seed/seed_bank.jsonl").open()]
    texts = [embedding_text(r) for r in records]
    vectors = np.array(embed_texts(texts))
    copies = np.array(embed_texts([near_copy(t) for t in texts]))

    distances = 1.0 - vectors @ vectors.T
    np.fill_diagonal(distances, np.inf)
    nearest_distinct = distances.min(axis=1)
    same_skill = np.array([[a["skill"] == b["skill"] for b in records] for a in records])
    np.fill_diagonal(same_skill, False)
    copy_distance = 1.0 - np.sum(vectors * copies, axis=1)

    def describe(name: str, values: np.ndarray) -> None:
        q = np.percentile(values, [0, 1, 5, 50, 95, 100])
        print(f"{name:<44} " + "  ".join(f"{v:.3f}" for v in q))

    print(f"{len(records)} seed questions; percentiles 0 1 5 50 95 100 of cosine distance")
    describe("nearest distinct question (any skill)", nearest_distinct)
    describe("distinct questions of the same skill", distances[same_skill])
    describe("question vs its near-copy (numbers, a word)", copy_distance)
    for threshold in (0.05, 0.10, 0.15, 0.20):
        caught = np.mean(copy_distance < threshold)
        false = np.mean(nearest_distinct < threshold)
        print(
            f"threshold {threshold:.2f}: catches {caught:.0%} of near-copies, "
            f"flags {false:.0%} of distinct questions"
        )


if __name__ == "__main__":
    main()
