"""Take the screenshots in docs/screenshots/ from a real run of SATgen in Chromium.

Run: make screenshots   (or .venv/bin/python scripts/screenshots.py [--out DIR])

Creates a scratch database on the embedded server, loads and embeds the seed bank, creates a
tutor, starts `manage.py serve_local` against it (the Claude simulator, slowed so stages can
be caught running), and drives Chromium through a tutor's session:

  new-job.png       the new-job page with a pasted screenshot ready to send
  job-live.png      a job page while generate runs
  job-finished.png  the finished job, one answer and explanation revealed
  print.png         a set's printable worksheet

Then stops the server and drops the database. PNGs are 1280 px wide, at most 2000 px tall.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings_test")
# Not the test suite's database: the two may run at once.
os.environ.setdefault("TEST_DATABASE_NAME", "satgen_screenshots")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from generation.tests.browser import (  # noqa: E402
    PASTE_SCREENSHOT,
    job_status,
    launch_chromium,
    log_in,
    stage_state,
    start_serve_local,
    wait_for_quiet_socket,
    watch_socket,
)

WIDTH = 1280
MAX_HEIGHT = 2000
TUTOR = ("tutor", "screenshots only, never a real account")
# Slow enough to catch generate running; the finished job is the same one, a little later.
LATENCY = {"extract": 1.5, "generate": 4.0, "solve": 0.5}
JOB_TIMEOUT = 90_000


def shoot(page: Page, path: Path) -> None:
    """Save the page, full length up to MAX_HEIGHT, as a PNG."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": height}
    )
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {height} px tall")


def take(base_url: str, out: Path, simulator) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(
            base_url=base_url, viewport={"width": WIDTH, "height": 900}, color_scheme="light"
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page, *TUTOR)

        page.get_by_label("How many").fill("3")
        page.evaluate(PASTE_SCREENSHOT)
        expect(page.locator("#dropzone-name")).to_contain_text("Ready: pasted-screenshot.png")
        page.evaluate("document.activeElement.blur()")
        shoot(page, out / "new-job.png")

        simulator("latency", LATENCY)
        page.get_by_role("button", name="Write questions").click()
        expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
        watch_socket(page)
        expect(stage_state(page, "generate")).to_contain_text("Running", timeout=JOB_TIMEOUT)
        expect(page.locator("#classification .chip").first).to_be_visible()
        wait_for_quiet_socket(page, quiet_ms=500)
        shoot(page, out / "job-live.png")

        expect(job_status(page)).to_have_text("Succeeded", timeout=JOB_TIMEOUT)
        wait_for_quiet_socket(page)
        # Reload: the page's heading and header buttons are not live (they were rendered while
        # the job was still reading the question); a tutor coming back sees this page.
        page.reload()
        first = page.locator("#question-1")
        first.get_by_text("Show answer and explanation").click()
        expect(first.get_by_text("Answer:")).to_be_visible()
        shoot(page, out / "job-finished.png")

        for number in (1, 2, 3):
            question = page.locator(f"#question-{number}")
            if number == 1:
                question.get_by_placeholder("New set name").fill("Homework, week 3")
            question.get_by_role("button", name="Save to set").click()
            expect(question.get_by_role("status")).to_contain_text("Saved to")
            if number == 1:  # later questions offer the set in a select, once re-rendered
                page.reload()
        page.goto("/sets/")
        page.get_by_role("link", name="Homework, week 3").click()
        page.get_by_role("link", name="Print worksheet").click()
        expect(page.get_by_role("heading", name="Answer key")).to_be_visible()
        shoot(page, out / "print.png")

        context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    old_name = connection.settings_dict["NAME"]
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    app = None
    try:
        print("Loading and embedding the seed bank…")
        call_command("seed_bank", verbosity=0)
        get_user_model().objects.create_user(TUTOR[0], password=TUTOR[1])
        connection.close()
        with tempfile.TemporaryDirectory(prefix="satgen-screenshots-") as scratch:
            app = start_serve_local(database, Path(scratch) / "serve_local.log", Path(scratch))
            try:
                take(app.url, args.out, app.simulator)
            except Exception:
                print(f"--- serve_local log (tail) ---\n{app.log_tail()}", file=sys.stderr)
                raise
            finally:
                app.stop()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
