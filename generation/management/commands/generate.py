"""Run one generation job from the command line and print its result as JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from generation.claude import is_simulated
from generation.events import job_group
from generation.images import UploadError, normalise_upload
from generation.models import MAX_QUESTIONS, Job
from generation.pipeline.runner import run_job
from generation.selectors import job_state
from generation.services import JobOptions, job_create
from questions.taxonomy import Difficulty, Skill


class Command(BaseCommand):
    help = "Generate questions from a screenshot, pasted text or a skill; print each stage."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--image", type=Path, help="A screenshot of an SAT question.")
        source.add_argument("--text", help="The text of an SAT question.")
        source.add_argument("--skill", choices=Skill.values, help="Start from a skill instead.")
        parser.add_argument("--difficulty", choices=Difficulty.values, default="medium")
        parser.add_argument("--count", type=int, default=3, help=f"1 to {MAX_QUESTIONS}.")
        parser.add_argument("--target", choices=Job.Target.values, default=Job.Target.SAME)
        parser.add_argument("--instruction", default="")
        parser.add_argument("--user", default="cli", help="Owner of the job (created if needed).")

    def handle(self, *args, **options) -> None:
        if not 1 <= options["count"] <= MAX_QUESTIONS:
            raise CommandError(f"--count must be between 1 and {MAX_QUESTIONS}.")
        owner, _ = get_user_model().objects.get_or_create(username=options["user"])
        job = job_create(
            owner=owner,
            options=JobOptions(
                count=options["count"], target=options["target"], instruction=options["instruction"]
            ),
            simulated=is_simulated(),
            defer=False,
            **self._source(options),
        )
        if options["verbosity"] >= 1:
            self.stderr.write(f"Job {job.public_id} ({'simulated' if job.simulated else 'Claude'})")
        asyncio.run(self._run(job, verbosity=options["verbosity"]))
        job.refresh_from_db()
        self.stdout.write(json.dumps(job_state(job), indent=2, ensure_ascii=False))
        if job.status != Job.Status.SUCCEEDED:
            # This is the operator's console: the raw detail belongs here too.
            detail = f" ({job.error_detail})" if job.error_detail else ""
            raise CommandError(f"The job {job.status}: {job.error}{detail}")

    def _source(self, options) -> dict:
        if options["skill"]:
            return {"skill": options["skill"], "difficulty": options["difficulty"]}
        if options["text"]:
            return {"text": options["text"]}
        path: Path = options["image"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            image = normalise_upload(data)
        except UploadError as error:
            raise CommandError(str(error)) from error
        return {"upload": (path.name, data), "image": image}

    async def _run(self, job: Job, *, verbosity: int) -> None:
        """Run the job here, printing its events as they arrive."""
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(job_group(job.public_id), channel)
        work = asyncio.ensure_future(run_job(job.pk))
        while not work.done():
            receive = asyncio.ensure_future(layer.receive(channel))
            await asyncio.wait({work, receive}, return_when=asyncio.FIRST_COMPLETED)
            if receive.done() and verbosity >= 1:
                self.stderr.write(await sync_to_async(_describe)(job.pk, receive.result()))
            elif not receive.done():
                receive.cancel()
        await work
        # Events published just before the run ended may still be waiting.
        while verbosity >= 1:
            try:
                event = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
            except TimeoutError:
                break
            self.stderr.write(await sync_to_async(_describe)(job.pk, event))
        # The ORM calls above ran on asgiref's executor thread: close its connection there.
        await sync_to_async(connections.close_all)()


def _describe(job_id: int, event: dict) -> str:
    if event.get("kind") == "stage":
        line = f"  {event['stage']:<9} {event['status']}"
        if event["status"] == "succeeded":
            stage = Job.objects.get(pk=job_id).stages.get(name=event["stage"])
            line += f" in {stage.duration:.2f} s"
        return line
    if event.get("kind") == "question":
        return f"    question {event['position']}: {event['status']}"
    return f"  job {event.get('status')} {event.get('error', '')}".rstrip()
