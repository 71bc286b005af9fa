"""Import bank questions from a JSONL file, reporting every rejected line."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questions.models import Question
from questions.services import ImportReport, questions_embed, questions_import


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
        parser.add_argument(
            "--no-embed",
            action="store_true",
            help="Leave new and changed questions unembedded (embed_questions does it later).",
        )

    def handle(self, *args, file: Path, dry_run: bool, no_embed: bool, **options) -> None:
        report = import_file(file, dry_run=dry_run)
        self.print_report(report, dry_run=dry_run, verbosity=options["verbosity"])
        if not dry_run and not no_embed and report.changed_ids:
            count = questions_embed(
                queryset=Question.objects.filter(external_id__in=report.changed_ids)
            )
            if options["verbosity"] >= 1:
                self.stdout.write(f"Embedded {count} question(s).")
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
