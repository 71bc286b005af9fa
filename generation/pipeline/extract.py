"""Stage 1 (with 2): read the source question and classify it, in one Claude call."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from asgiref.sync import sync_to_async

from generation.claude import UsageSink, call_structured, image_block, stage_model
from generation.images import model_images
from generation.pipeline import ocr
from generation.pipeline.prompts import EXTRACT_SYSTEM
from generation.pipeline.schemas import Extraction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """What the tutor gave us: a normalised screenshot, or pasted text."""

    image: bytes | None = None
    text: str = ""


@dataclass(frozen=True)
class Reading:
    """The screenshot as OCR read it, and the share of the extraction that reading confirms."""

    text: str
    match: float | None  # None: too little text to say (a figure, a blank crop)

    @property
    def doubtful(self) -> bool:
        """Say whether the tutor should check what we read."""
        return self.match is not None and self.match < ocr.MATCH_THRESHOLD


async def extract(source: Source, *, record: UsageSink) -> Extraction:
    """Return the source question as structured data, with its classification."""
    if source.image is not None:
        content = await sync_to_async(_image_content, thread_sensitive=False)(source.image)
    else:
        content = [
            {
                "type": "text",
                "text": f"Record this SAT question.\n<source_text>\n{source.text}\n</source_text>",
            }
        ]
    return await call_structured(
        profile="extract",
        output_model=Extraction,
        system=EXTRACT_SYSTEM,
        content=content,
        record=record,
    )


def _image_content(data: bytes) -> list[dict]:
    """Return the screenshot as image blocks fitted to the model, then the instruction."""
    tier = stage_model("extract")["images"]
    tiles = model_images(data, long_edge=tier["long_edge"], max_tokens=tier["max_tokens"])
    blocks = [image_block(tile.data, tile.media_type) for tile in tiles]
    if len(tiles) == 1:
        ask = "Record the SAT question in this screenshot."
    else:
        ask = (
            f"Record the SAT question in this screenshot, sent as {len(tiles)} slices from top "
            "to bottom; consecutive slices overlap a little, so don't repeat the lines they share."
        )
    return [*blocks, {"type": "text", "text": ask}]


async def read_screenshot(image: bytes) -> str | None:
    """Return the screenshot's text as OCR reads it; None (logged) when OCR cannot run."""
    try:
        return await sync_to_async(ocr.image_text, thread_sensitive=False)(image)
    except ocr.OcrUnavailable as error:
        logger.warning("no OCR check of the screenshot: %s", error)
    except Exception:
        # A second opinion that breaks must never stop the job it was only checking.
        logger.exception("no OCR check of the screenshot: the OCR itself failed")
    return None


def reading_check(ocr_text: str, extraction: Extraction) -> Reading:
    """Compare what Claude read in the screenshot with what OCR read there."""
    if not extraction.is_sat_question:
        return Reading(ocr_text, None)
    parts = [extraction.passage, extraction.passage_b, extraction.stem, *extraction.choices]
    return Reading(ocr_text, ocr.match(ocr_text, parts))
