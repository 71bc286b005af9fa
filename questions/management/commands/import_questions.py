"""Import bank questions from a JSONL file, reporting every rejected line."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questions.models import Question
from questions.services import (
    ImportReport,
    questions_embed,
    questions_import,
    questions_request_embedding,
)


class Command(BaseCommand):
    help = (
        "Validate every line of a JSONL file of bank questions; import the valid ones "
        "(keyed on external_id, so re-importing is a no-op) and report each rejected line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSONL file, one question a line; - is stdin.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; change nothing."
        )
        embedding = parser.add_mutually_exclusive_group()
        embedding.add_argument(
            "--embed-now",
            action="store_true",
            help="Embed new and changed questions here instead of queueing them for the worker.",
        )
        embedding.add_argument(
            "--no-embed",
            action="store_true",
            help="Neither embed nor queue (embed_questions does it later).",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        report = import_file(file, dry_run=dry_run)
        self.print_report(report, dry_run=dry_run, verbosity=options["verbosity"])
        changed = Question.objects.filter(external_id__in=report.changed_ids)
        if dry_run or options["no_embed"] or not report.changed_ids:
            pass
        elif options["embed_now"]:
            count = questions_embed(queryset=changed)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Embedded {count} question(s).")
        else:
            count = questions_request_embedding(queryset=changed)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Queued {count} question(s) for embedding by the worker.")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} line(s) rejected.", returncode=1)

    def print_report(self, report: ImportReport, *, dry_run: bool, verbosity: int) -> None:
        for number, reason in report.rejected:
            self.stderr.write(f"line {number}: {reason}")
        if verbosity >= 1:
            summary = (
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected"
            )
            self.stdout.write(f"Dry run, nothing written: {summary}" if dry_run else summary)


def import_file(file: Path, *, dry_run: bool) -> ImportReport:
    if str(file) == "-":
        return questions_import(lines=sys.stdin, dry_run=dry_run)
    try:
        with file.open(encoding="utf-8") as handle:
            return questions_import(lines=handle, dry_run=dry_run)
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {file}: {error}") from error
