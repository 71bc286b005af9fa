"""Vet a JSONL bank file with the validate stage's checks; print one JSON report per line.

With --solve every question is also answered blind by Claude, through the Message Batches
API (half price; the command waits and shows progress) unless --no-batch sends each solve
as its own request. Every request is recorded in the ledger (without a job) and the total
cost is printed at the end.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from pydantic import ValidationError

from generation.claude import BatchItem, ClaudeError, Usage, call_structured_batch
from generation.pipeline import progress
from generation.pipeline.context import question_text
from generation.pipeline.gates import run_gates
from generation.pipeline.prompts import SOLVE_SYSTEM
from generation.pipeline.schemas import BlindSolution, DraftQuestion, GateResult
from generation.pipeline.validate import blind_solve, solve_content, solve_gate
from questions.records import QuestionRecord
from questions.selectors import NEAR_DUPLICATE_DISTANCE


class Command(BaseCommand):
    help = (
        "Run the deterministic gates (and with --solve an independent blind solve by Claude) "
        "over a JSONL file in the bank's import format. Exits 1 if any question fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--solve", action="store_true", help="Also answer each question blind.")
        parser.add_argument(
            "--no-batch",
            action="store_true",
            help="With --solve: send each solve as its own request (full price, no waiting) "
            "instead of one Message Batch (half price; usually minutes, at most 24 hours).",
        )

    def handle(self, *args, file: Path, solve: bool, no_batch: bool, **options) -> None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        parsed: list[tuple[int, QuestionRecord | None, list[GateResult]]] = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                parsed.append((number, *_parse(line)))
        _near_copy_gates(parsed)
        if solve:
            show = options["verbosity"] >= 1
            ledger = asyncio.run(_solve_all(parsed, batch=not no_batch, show_progress=show))
            if show:
                self.stderr.write(ledger.summary(batch=not no_batch))
        failed = 0
        for number, record, gates in parsed:
            passed = all(gate.passed for gate in gates)
            failed += not passed
            report = {
                "line": number,
                "external_id": record.external_id if record else None,
                "passed": passed,
                "failures": [f"{g.name}: {g.detail}" for g in gates if not g.passed],
                "gates": [g.model_dump() for g in gates],
            }
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        if options["verbosity"] >= 1:
            self.stderr.write(f"{len(parsed) - failed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} question(s) failed validation.", returncode=1)


def _parse(line: str) -> tuple[QuestionRecord | None, list[GateResult]]:
    try:
        record = QuestionRecord.model_validate_json(line)
        # A bank record may hold what a draft may not (a rationale for a choice E, say).
        draft = DraftQuestion.from_stored(record)
    except ValidationError as error:
        return None, [GateResult(name="schema", passed=False, detail=_errors(error))]
    gates = [GateResult(name="schema", passed=True)]
    gates += run_gates(draft, skill=record.skill, section=record.section)
    return record, gates


def _errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in error.errors()
    )


def _text(record: QuestionRecord) -> str:
    return question_text(
        stem=record.stem, choices=record.choices, passage=record.passage, passage_b=record.passage_b
    )


def _near_copy_gates(parsed) -> None:
    """Add near-copy gates: against the bank (other than the same external_id) and the file."""
    from questions.embeddings import embed_texts
    from questions.selectors import nearest_bank_questions

    valid = [(record, gates) for _, record, gates in parsed if record is not None]
    vectors = embed_texts([_text(record) for record, _ in valid])
    for index, (record, gates) in enumerate(valid):
        nearest = nearest_bank_questions(vectors[index], limit=2)
        others = [n for n in nearest if n.question.external_id != record.external_id]
        if others:
            gates.append(
                GateResult(
                    name="not_a_copy_of_bank",
                    passed=others[0].distance >= NEAR_DUPLICATE_DISTANCE,
                    detail=f"nearest bank question {others[0].question.external_id} "
                    f"at {others[0].distance:.3f}",
                )
            )
        in_file = [
            (1.0 - sum(a * b for a, b in zip(vectors[index], vectors[j], strict=True)), other)
            for j, (other, _) in enumerate(valid)
            if j != index
        ]
        if in_file:
            distance, other = min(in_file, key=lambda pair: pair[0])
            gates.append(
                GateResult(
                    name="not_a_copy_within_file",
                    passed=distance >= NEAR_DUPLICATE_DISTANCE,
                    detail=f"nearest question in the file {other.external_id} at {distance:.3f}",
                )
            )


@dataclass
class Ledger:
    """What the solves used and cost, as the calls recorded it."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    thinking_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    async def record(self, usage: Usage) -> None:
        self.requests += 1
        self.input_tokens += usage.input_tokens + usage.cache_creation_tokens
        self.output_tokens += usage.output_tokens
        self.thinking_tokens += usage.thinking_tokens
        self.cache_read_tokens += usage.cache_read_tokens
        self.cost_usd += usage.cost_usd
        await sync_to_async(progress.call_record)(job_id=None, stage="", usage=usage)

    def summary(self, *, batch: bool) -> str:
        how = "one Message Batch, half price" if batch else "direct requests"
        return (
            f"Claude: {self.requests} request(s) ({how}): {self.input_tokens:,} input tokens "
            f"+ {self.cache_read_tokens:,} read from cache, {self.output_tokens:,} output "
            f"({self.thinking_tokens:,} thinking); cost ${self.cost_usd:.4f}"
        )


async def _solve_all(parsed, *, batch: bool, show_progress: bool) -> Ledger:
    try:
        return await _solve(parsed, batch=batch, show_progress=show_progress)
    finally:
        # The ledger was written from sync_to_async's thread: close its connection there.
        await sync_to_async(connections.close_all)()


async def _solve(parsed, *, batch: bool, show_progress: bool) -> Ledger:
    ledger = Ledger()
    todo = [(number, record, gates) for number, record, gates in parsed if record is not None]

    def progress(done: int, total: int) -> None:
        if show_progress:
            sys.stderr.write(f"\rSolving blind: {done}/{total}")
            sys.stderr.write("\n" if done == total else "")
            sys.stderr.flush()

    if batch:
        results = await call_structured_batch(
            profile="solve",
            output_model=BlindSolution,
            items=[
                BatchItem(
                    custom_id=f"line-{number}",
                    system=SOLVE_SYSTEM,
                    content=solve_content(DraftQuestion.from_stored(record)),
                )
                for number, record, _ in todo
            ],
            record=ledger.record,
            progress=progress,
        )
        for number, record, gates in todo:
            gates.append(_gate(DraftQuestion.from_stored(record), results[f"line-{number}"]))
        return ledger

    limit = asyncio.Semaphore(settings.GENERATION_PARALLEL_CALLS)
    done = 0

    async def solve(record: QuestionRecord, gates: list[GateResult]) -> None:
        nonlocal done
        draft = DraftQuestion.from_stored(record)
        async with limit:
            try:
                outcome: BlindSolution | ClaudeError = await blind_solve(
                    draft, record=ledger.record
                )
            except ClaudeError as error:
                outcome = error
        gates.append(_gate(draft, outcome))
        done += 1
        progress(done, len(todo))

    await asyncio.gather(*(solve(record, gates) for _, record, gates in todo))
    return ledger


def _gate(draft: DraftQuestion, outcome: BlindSolution | ClaudeError) -> GateResult:
    if isinstance(outcome, ClaudeError):
        return GateResult(
            name="blind_solve_agrees", passed=False, detail=f"not solved: {outcome.detail}"
        )
    return solve_gate(draft, outcome)
