"""Vet a JSONL bank file with the validate stage's checks; print one JSON report per line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from generation.claude import ClaudeError, Usage
from generation.pipeline.context import question_text
from generation.pipeline.gates import run_gates
from generation.pipeline.schemas import DraftQuestion, GateResult
from generation.pipeline.validate import blind_solve, same_answer
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

    def handle(self, *args, file: Path, solve: bool, **options) -> None:
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
            asyncio.run(_solve_all(parsed))
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
    except ValidationError as error:
        return None, [GateResult(name="schema", passed=False, detail=_errors(error))]
    gates = [GateResult(name="schema", passed=True)]
    gates += run_gates(
        DraftQuestion.from_stored(record), skill=record.skill, section=record.section
    )
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


async def _solve_all(parsed) -> None:
    async def record_usage(usage: Usage) -> None:
        return None

    for _, record, gates in parsed:
        if record is None:
            continue
        draft = DraftQuestion.from_stored(record)
        try:
            solution = await blind_solve(draft, record=record_usage)
        except ClaudeError as error:
            gates.append(GateResult(name="blind_solve_agrees", passed=False, detail=str(error)))
            continue
        agrees = same_answer(draft.kind, draft.key, solution.answer) and solution.confident
        gates.append(
            GateResult(
                name="blind_solve_agrees",
                passed=agrees,
                detail=f"an independent solve answered {solution.answer}: {solution.reasoning}",
            )
        )
