"""Compute embeddings for bank questions that lack one or whose text changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from questions.models import Question
from questions.services import questions_embed


class Command(BaseCommand):
    help = "Embed questions whose embedding is missing or stale (or every question with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-embed every question.")
        parser.add_argument("--batch-size", type=int, default=0, help="Texts per model call.")

    def handle(self, *args, all: bool, batch_size: int, **options) -> None:
        queryset = Question.objects.all() if all else None
        count = questions_embed(queryset=queryset, batch_size=batch_size)
        if options["verbosity"] >= 1:
            self.stdout.write(f"Embedded {count} question(s).")
