"""Stage 4: write one new question, imitating the retrieved examples."""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings

from generation.claude import UsageSink, cache_control, call_structured, dumps
from generation.pipeline.context import Example, Target
from generation.pipeline.prompts import GENERATE_SYSTEM
from generation.pipeline.schemas import DraftQuestion


async def draft_question(
    *,
    target: Target,
    examples: list[Example],
    source: dict[str, Any] | None,
    variant: int,
    avoid: list[str],
    instruction: str = "",
    previous: dict[str, Any] | None = None,
    feedback: list[str] | None = None,
    shared: bool = True,
    record: UsageSink,
    started: asyncio.Event | None = None,
) -> DraftQuestion:
    """Return one new draft question for the target.

    The examples and the source are the same for every call of a job (its N drafts,
    regenerations and revisions), so they form one block behind a cache breakpoint, before
    what differs per call. shared=False leaves the breakpoint out when no other call will
    read it (a one-question job's only draft): a cache write costs 1.25x, a read 0.05-0.1x.
    """
    context = ["<examples>"]
    context += [f"<example>{dumps(example.record)}</example>" for example in examples]
    context.append("</examples>")
    if source:
        context.append(f"<source>{dumps(source)}</source>")
    shared_block: dict[str, Any] = {"type": "text", "text": "\n".join(context)}
    if shared:
        shared_block["cache_control"] = cache_control(settings.CLAUDE_JOB_CACHE_TTL)

    ask = []
    if previous:
        ask.append(f"<previous>{dumps(previous)}</previous>")
    if feedback:
        ask.append("<feedback>\n" + "\n".join(f"- {item}" for item in feedback) + "\n</feedback>")
    request = {
        "section": target.section,
        "domain": target.domain,
        "skill": target.skill,
        "difficulty": target.difficulty,
        "kind": target.kind,
        "instruction": instruction,
        "variant": variant,
        "avoid": avoid,
    }
    ask.append(f"<request>{dumps(request)}</request>")
    return await call_structured(
        profile="generate",
        output_model=DraftQuestion,
        system=GENERATE_SYSTEM,
        content=[shared_block, {"type": "text", "text": "\n".join(ask)}],
        record=record,
        started=started,
    )
