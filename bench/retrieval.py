"""Time bank retrieval on a synthetic bank, and show why filtered retrieval is exact.

Run: .venv/bin/python bench/retrieval.py [--rows 20000]
Creates a scratch test database on the configured server, fills it with random
unit vectors spread over the 30 skills (one skill at 3 %), and drops it after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from pgvector.django import CosineDistance  # noqa: E402

from questions.models import Question  # noqa: E402
from questions.selectors import similar_questions  # noqa: E402
from questions.taxonomy import Skill  # noqa: E402
from questions.tests.synthetic import synthetic_bank  # noqa: E402

RARE = Skill.CIRCLES

T = TypeVar("T")


def fill(rows: int, rng: np.random.Generator) -> None:
    batch, _, _ = synthetic_bank(rows, rng, rare_skill=RARE, rare_share=0.03)
    Question.objects.bulk_create(batch, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question")


def timed(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Return fn's median time in ms over repeats runs (at least one), and its last result."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def naive_hnsw(query: list[float], k: int) -> int:
    """Rows an HNSW index scan returns under the rare-skill filter at default ef_search."""
    with transaction.atomic():
        rows = (
            Question.objects.filter(skill=RARE, status="approved")
            .annotate(d=CosineDistance("embedding", query))
            .order_by("d")[:k]
        )
        return len(list(rows))


def exact_section(query: list[float], k: int) -> int:
    """The widest scope similar_questions can reach: exact top-k over half the bank."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_indexscan = off")
        rows = (
            Question.objects.filter(section="math", status="approved")
            .annotate(d=CosineDistance("embedding", query))
            .order_by("d")
            .values_list("pk", flat=True)[:k]
        )
        return len(list(rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        start = time.perf_counter()
        fill(args.rows, rng)
        print(f"{args.rows} rows inserted (HNSW maintained) in {time.perf_counter() - start:.1f} s")
        queries = [(v / np.linalg.norm(v)).tolist() for v in rng.normal(size=(args.queries, 384))]
        cases: dict[str, dict[str, Any]] = {
            "rare skill (3 %), k=5": dict(skill=RARE, k=5),
            "common skill, k=5": dict(skill=Skill.TRANSITIONS, k=5),
        }
        for name, kwargs in cases.items():
            times, counts = [], []
            for query in queries:
                ms, found = timed(partial(similar_questions, embedding=query, **kwargs), 3)
                times.append(ms)
                counts.append(len(found))
            print(
                f"{name:<32} median {statistics.median(times):6.1f} ms, "
                f"returned {min(counts)}..{max(counts)} of {kwargs['k']}"
            )
        ms = statistics.median(timed(partial(exact_section, q, 5), 3)[0] for q in queries)
        print(f"{'exact top-5 over a whole section':<32} median {ms:6.1f} ms")
        returned = [naive_hnsw(q, 5) for q in queries]
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT id FROM questions_question WHERE skill = %s "
                "ORDER BY embedding <=> %s::vector LIMIT 5",
                [RARE.value, str(queries[0])],
            )
            plan = " / ".join(row[0].strip().split("  (")[0] for row in cursor.fetchall()[:2])
        print(
            f"naive ORDER BY under the filter: returned {statistics.mean(returned):.1f} of 5 "
            f"on average (min {min(returned)}); plan: {plan}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
