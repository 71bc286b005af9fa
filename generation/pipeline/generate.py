"""Stage 4: write one new question, imitating the retrieved examples."""

from __future__ import annotations

from typing import Any

from generation.claude import UsageSink, call_tool, dumps
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
    record: UsageSink,
) -> DraftQuestion:
    """Return one new draft question for the target."""
    parts = ["<examples>"]
    parts += [f"<example>{dumps(example.record)}</example>" for example in examples]
    parts.append("</examples>")
    if source:
        parts.append(f"<source>{dumps(source)}</source>")
    if previous:
        parts.append(f"<previous>{dumps(previous)}</previous>")
    if feedback:
        parts.append("<feedback>\n" + "\n".join(f"- {item}" for item in feedback) + "\n</feedback>")
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
    parts.append(f"<request>{dumps(request)}</request>")
    return await call_tool(
        profile="generate",
        tool="record_question",
        description="Record one new SAT question with its key, explanation and rationales.",
        output_model=DraftQuestion,
        system=GENERATE_SYSTEM,
        content=[{"type": "text", "text": "\n".join(parts)}],
        record=record,
    )
