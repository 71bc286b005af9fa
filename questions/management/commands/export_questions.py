"""Write bank questions as JSONL (the import format) to standard output."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from questions.models import Question
from questions.records import record_from_question
from questions.taxonomy import Difficulty, Domain, Section, Skill


class Command(BaseCommand):
    help = "Export bank questions as JSONL, one per line, in the format import_questions reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--section", choices=Section.values)
        parser.add_argument("--domain", choices=Domain.values)
        parser.add_argument("--skill", choices=Skill.values)
        parser.add_argument("--difficulty", choices=Difficulty.values)
        parser.add_argument("--status", choices=Question.Status.values)
        parser.add_argument("--source", choices=Question.Source.values)

    def handle(self, *args, **options) -> None:
        filters = {
            name: options[name]
            for name in ("section", "domain", "skill", "difficulty", "status", "source")
            if options[name]
        }
        questions = Question.objects.filter(**filters).defer("embedding").order_by("pk")
        count = 0
        for question in questions.iterator(chunk_size=500):
            self.stdout.write(json.dumps(record_from_question(question), ensure_ascii=False))
            count += 1
        if options["verbosity"] >= 2:
            self.stderr.write(f"Exported {count} question(s).")
