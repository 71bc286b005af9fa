"""Import what web and worker processes run, so the image holds bytecode for just that.

The build installs packages with --no-compile (bytecode for every module of transformers,
sympy or scipy would add ~350 MB) and runs this once: Python then writes .pyc files for the
modules actually imported. It also proves the embedding model loads offline from the image.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the app, run from anywhere

import django  # noqa: E402

django.setup()

import daphne.cli  # noqa: E402,F401
import daphne.server  # noqa: E402,F401
import procrastinate.worker  # noqa: E402,F401

import satgen.asgi  # noqa: E402,F401
from questions.embeddings import embed_text  # noqa: E402

assert len(embed_text("warm up")) == 384
