"""Measure what SATgen's Claude calls use: cache hits on a 10-question job, and solve headroom.

Run: .venv/bin/python bench/claude_usage.py [--questions 10] [--solves 180]

Against the strict Claude simulator (its per-model rules, prompt cache and thinking-token
model: docs/simulator.md), in a scratch test database with the seed bank:

1. One job of N questions (Sonnet 5.5 generating): the share of the generate calls' input
   tokens read from cache, the job's cost per shown question at published prices, and the
   same usage priced as if nothing were cached.
2. The blind solve of every seed question at max_tokens 1,024 (the old default) and at the
   current default: the share of solves whose reply ran out of room (thinking counts toward
   max_tokens), and the thinking tokens used. The simulator's thinking tokens follow its own
   stated model, an assumption, not a measurement of Claude.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import logging
import statistics
from decimal import Decimal

import harness  # sets Django up: before anything else imports it

# isort: split
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from generation.claude import ClaudeError, Usage, cost_usd
from generation.models import Job, ModelCall
from generation.pipeline.runner import run_job
from generation.pipeline.schemas import DraftQuestion
from generation.pipeline.validate import blind_solve
from questions.models import Question


def uncached(call: ModelCall) -> Decimal:
    """Return what a call would have cost with no prompt caching at all."""
    prompt = call.input_tokens + call.cache_creation_tokens + call.cache_read_tokens
    usage = Usage(call.purpose, call.model, call.outcome, prompt, call.output_tokens)
    return cost_usd(usage)


def cache_report(questions: int) -> None:
    [job_id] = harness.make_jobs(1, questions)
    asyncio.run(run_job(job_id))
    asyncio.run(sync_to_async(connections.close_all)())
    job = Job.objects.get(pk=job_id)
    calls = list(ModelCall.objects.filter(job=job))
    generate = [c for c in calls if c.purpose == "generate"]
    prompt = sum(c.input_tokens + c.cache_creation_tokens + c.cache_read_tokens for c in generate)
    read = sum(c.cache_read_tokens for c in generate)
    written = sum(c.cache_creation_tokens for c in generate)
    shown = job.questions.filter(superseded=False, status__in=["passed", "flagged"]).count()
    passed = job.questions.filter(superseded=False, status="passed").count()
    total = sum((c.cost_usd for c in calls), Decimal(0))
    without = sum((uncached(c) for c in calls), Decimal(0))
    print(f"1 job of {questions} questions ({job.status}; {passed} passed, {shown} shown):")
    print(
        f"  generate calls: {len(generate)}; input tokens {prompt:,}, of which read from cache "
        f"{read:,} ({read / prompt:.1%}) and written {written:,} ({written / prompt:.1%})"
    )
    print(
        f"  job cost ${total:.4f} over {len(calls)} calls = ${job.cost_usd:.4f} on the page; "
        f"per shown question "
        f"${total / max(shown, 1):.4f}; the same usage uncached ${without:.4f} "
        f"({1 - total / without:.1%} saved)"
    )
    print(
        "  by stage: "
        + ", ".join(f"{s.name} ${s.cost_usd:.4f}" for s in job.stages.all() if s.cost_usd)
    )


async def solve_all(drafts: list[DraftQuestion]) -> list[list[Usage]]:
    limit = asyncio.Semaphore(10)

    async def one(draft: DraftQuestion) -> list[Usage]:
        seen: list[Usage] = []

        async def record(usage: Usage) -> None:
            seen.append(usage)

        async with limit:
            with contextlib.suppress(ClaudeError):  # cut off even with twice the room
                await blind_solve(draft, record=record)
        return seen

    return await asyncio.gather(*(one(d) for d in drafts))


def solve_report(solves: int) -> None:
    questions = Question.objects.filter(status="approved").order_by("id")[:solves]
    drafts = [DraftQuestion.from_stored(q) for q in questions]
    default = settings.CLAUDE_STAGES["solve"]["max_tokens"]
    for max_tokens in sorted({1024, default}):
        stages = copy.deepcopy(settings.CLAUDE_STAGES)
        stages["solve"]["max_tokens"] = max_tokens
        settings.CLAUDE_STAGES = stages
        attempts = asyncio.run(solve_all(drafts))
        cut = sum(1 for calls in attempts if calls[0].outcome == "max_tokens")
        failed = sum(1 for calls in attempts if calls[-1].outcome == "max_tokens")
        thinking = sorted(calls[-1].thinking_tokens for calls in attempts)
        output = sorted(calls[-1].output_tokens for calls in attempts)

        def pct(values: list[int], q: float) -> int:
            return values[min(len(values) - 1, int(q * len(values)))]

        print(
            f"solve at max_tokens {max_tokens:,} ({settings.CLAUDE_STAGES['solve']['model']}, "
            f"effort {settings.CLAUDE_STAGES['solve']['effort']}): {cut}/{len(drafts)} "
            f"({cut / len(drafts):.1%}) ran out of room on the first try, {failed} even with "
            f"twice the room; thinking tokens (last try) "
            f"median {statistics.median(thinking):.0f}, p95 {pct(thinking, 0.95)}, "
            f"p99 {pct(thinking, 0.99)}, max {thinking[-1]}; output max {output[-1]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10, help="questions in the cache job")
    parser.add_argument("--solves", type=int, default=180, help="seed questions to solve blind")
    args = parser.parse_args()
    logging.getLogger("generation").setLevel(logging.WARNING)  # one line per retry otherwise

    with harness.scratch_bank():
        cache_report(args.questions)
        solve_report(args.solves)


if __name__ == "__main__":
    main()
