"""Rendered question text as Chromium lays it out: tables a screen reader can walk, and
inline fractions at the text's size (MathML's default shrinks them to about 11 px)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from playwright.sync_api import Page, expect, sync_playwright

from generation.tests.browser import launch_chromium
from questions.rendering import render_text

TEXT = """The table shows the results.

| Group | Yes | No |
|---|---|---|
| Adults | 30 | 10 |
| Teens | 12 | 8 |

What fraction of the adults said yes? The answer is \\(\\frac{3}{4}\\)."""


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page()
        browser.close()


def test_a_table_has_headers_and_a_fraction_is_text_size(page):
    css = Path(str(finders.find("css/satgen.css"))).read_text(encoding="utf-8")
    page.set_content(
        f'<html><head><style>{css}</style></head><body><main><div class="stem">'
        f"{render_text(TEXT)}</div></main></body></html>"
    )
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Group", "Yes", "No"])
    expect(table.get_by_role("rowheader")).to_have_text(["Adults", "Teens"])
    expect(table.get_by_role("cell")).to_have_count(4)
    sizes = page.evaluate(
        """() => {
            const stem = document.querySelector(".stem");
            const numerator = document.querySelector("mfrac > :first-child");
            return [getComputedStyle(stem).fontSize, getComputedStyle(numerator).fontSize];
        }"""
    )
    assert sizes[0] == sizes[1] == "16px", sizes
