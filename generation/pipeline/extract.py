"""Stage 1 (with 2): read the source question and classify it, in one Claude call."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from generation.claude import UsageSink, call_tool
from generation.pipeline.prompts import EXTRACT_SYSTEM
from generation.pipeline.schemas import Extraction


@dataclass(frozen=True)
class Source:
    """What the tutor gave us: a normalised screenshot, or pasted text."""

    image: bytes | None = None
    media_type: str = ""
    text: str = ""


async def extract(source: Source, *, record: UsageSink) -> Extraction:
    """Return the source question as structured data, with its classification."""
    if source.image is not None:
        content = [
            {
                "type": "image",
                "source": {
                    "type": "base64",
                    "media_type": source.media_type,
                    "data": base64.b64encode(source.image).decode("ascii"),
                },
            },
            {"type": "text", "text": "Record the SAT question in this screenshot."},
        ]
    else:
        content = [
            {
                "type": "text",
                "text": f"Record this SAT question.\n<source_text>\n{source.text}\n</source_text>",
            }
        ]
    return await call_tool(
        profile="extract",
        tool="record_extraction",
        description="Record the source question's content and its taxonomy classification.",
        output_model=Extraction,
        system=EXTRACT_SYSTEM,
        content=content,
        record=record,
    )
