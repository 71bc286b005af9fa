"""Load the original seed bank (idempotent) and embed it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.services import questions_embed, questions_import

SEED_FILE = Path(__file__).resolve().parents[2] / "seed" / "seed_bank.jsonl"


class Command(BaseCommand):
    help = "Load the seed bank shipped with SATgen, then embed what is missing or stale."

    def handle(self, *args, **options) -> None:
        with SEED_FILE.open(encoding="utf-8") as handle:
            report = questions_import(lines=handle)
        if report.rejected:
            details = "; ".join(f"line {n}: {reason}" for n, reason in report.rejected)
            raise CommandError(f"The seed file has invalid lines: {details}")
        embedded = questions_embed()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Seed bank: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged; {embedded} embedded."
            )
