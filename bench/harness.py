"""What the job benchmarks share: Django on the test settings, a scratch bank, the simulator.

Import it first: it sets Django up. The scratch database has a name of its own, so a
benchmark never clobbers the test suite's database when both run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from claude_simulator.server import SimulatorServer  # noqa: E402
from generation.services import JobOptions, job_create  # noqa: E402

SOURCE = (
    "A bakery sells muffins for $3 each. On Monday it sold 4 more than twice the number it "
    "sold on Sunday, for a total of 58 muffins on the two days. How many muffins did it sell "
    "on Sunday?\nA) 18\nB) 20\nC) 27\nD) 38"
)


def make_jobs(n: int, count: int) -> list[int]:
    """Create n queued jobs of count questions each from SOURCE; return their ids."""
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    return [
        job_create(
            owner=owner, options=JobOptions(count=count), simulated=True, defer=False, text=SOURCE
        ).pk
        for _ in range(n)
    ]


@contextmanager
def scratch_bank(**simulator_options: Any) -> Iterator[SimulatorServer]:
    """Run the block against a scratch database holding the seed bank and a fresh simulator."""
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "bench_satgen"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = SimulatorServer(**simulator_options).start()
    settings.CLAUDE_SIMULATED = True
    settings.CLAUDE_SIMULATOR_URL = server.url
    try:
        call_command("seed_bank", verbosity=0)
        yield server
    finally:
        server.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
