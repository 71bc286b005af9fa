"""Measure OCR engines on Bluebook-like captures of SAT questions (docs/benchmarks.md, "OCR").

Run: .venv/bin/python bench/ocr.py [--engines tesseract,tesseract-raw,rapidocr,rapidocr-column]
     [--keep DIR] [-v]

Renders CAPTURES (seed-bank questions: Reading and Writing passages, math with expressions
drawn as MathML, four-choice and student-produced response) in Chromium as the digital SAT
app shows them, at 0.8x, 1x and 2x, cropped to the question or with the test window around
it, some with plain letters instead of circled ones, some as JPEGs. Each engine reads every
image; the simulator's parser turns what it read into passage, stem and choices, compared
with what was drawn. Prints, per engine: the mean and lowest similarity (difflib's ratio on
generation.pipeline.ocr.plain() of both), choice counts right, section right, seconds and
CPU seconds per image, and how well the product's reading check (ocr.match) tells a right
extraction from another question.

tesseract is generation/pipeline/ocr.py as the product runs it (Debian's tesseract-ocr);
tesseract-raw the same binary on the image as it is. rapidocr is RapidOCR on the image as it
is, its boxes put into lines and paragraphs here; rapidocr-column RapidOCR reading the
column ocr.py prepares for Tesseract. Both need `rapidocr` (+ onnxruntime) or
`rapidocr_onnxruntime`, which the project's requirements do not hold: measure them from a
venv that has them (docs/benchmarks.md says how); an engine that cannot run is skipped.
No database is used: the parser's bank lookup falls back to its defaults.
"""

from __future__ import annotations

import argparse
import bisect
import html
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings_test")
# No database: an address nothing listens on, so the parser's bank lookup fails fast.
os.environ["DATABASE_URL"] = "postgres://bench@127.0.0.1:9/none"

import django  # noqa: E402

django.setup()

import latex2mathml.converter  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from claude_simulator.content import _extract_from_text  # noqa: E402
from generation.pipeline import ocr  # noqa: E402
from generation.tests.browser import launch_chromium  # noqa: E402

SEED = ROOT / "questions" / "seed" / "seed_bank.jsonl"

# (external id, layout): the seed questions drawn, and how. A layout is viewport width,
# device scale factor, what is captured ("question": the tutor cropped to it; "window": the
# whole test window, with its header, timer and footer) and a style: "" as the test app
# draws it (circled letters, boxed choices), "letters" (plain "A)" letters, no boxes, as a
# worksheet prints them) or "jpeg" (saved as a JPEG at quality 60, as a phone shares it).
CAPTURES: list[tuple[str, tuple[int, float, str, str]]] = [
    ("seed-central_ideas_details-1", (1280, 1, "question", "")),
    ("seed-command_of_evidence_textual-1", (1440, 2, "window", "")),
    ("seed-inferences-1", (1024, 1, "window", "")),
    ("seed-words_in_context-1", (1280, 2, "question", "")),
    ("seed-text_structure_purpose-1", (1280, 1, "window", "")),
    ("seed-cross_text_connections-1", (1440, 1, "question", "")),
    ("seed-rhetorical_synthesis-1", (1280, 2, "window", "")),
    ("seed-transitions-1", (1024, 1, "question", "")),
    ("seed-boundaries-1", (1280, 1, "question", "")),
    ("seed-form_structure_sense-1", (1440, 2, "question", "")),
    ("seed-linear_equations_one_variable-1", (1280, 1, "question", "")),
    ("seed-systems_linear_equations-1", (1280, 2, "window", "")),
    ("seed-equivalent_expressions-1", (1024, 1, "question", "")),
    ("seed-nonlinear_functions-1", (1440, 1, "window", "")),
    ("seed-percentages-1", (1280, 1, "question", "")),
    ("seed-probability-1", (1280, 2, "question", "")),
    ("seed-circles-1", (1024, 1, "window", "")),
    ("seed-right_triangles_trig-1", (1280, 1, "question", "")),
    ("seed-linear_functions-1", (1440, 2, "question", "")),
    ("seed-nonlinear_equations-1", (1280, 1, "window", "")),
    ("seed-linear_equations_one_variable-2", (1280, 1, "question", "")),
    ("seed-circles-2", (1440, 2, "window", "")),
    ("seed-ratios_rates-2", (1024, 1, "question", "")),
    ("seed-linear_inequalities-2", (1280, 2, "question", "")),
    ("seed-central_ideas_details-3", (1280, 1, "question", "jpeg")),
    ("seed-words_in_context-2", (1280, 1, "window", "letters")),
    ("seed-transitions-2", (1024, 0.8, "question", "")),
    ("seed-percentages-2", (1280, 1, "question", "letters")),
    ("seed-nonlinear_functions-2", (1440, 0.8, "window", "jpeg")),
    ("seed-inferences-3", (1440, 2, "question", "jpeg")),
    ("seed-equivalent_expressions-3", (1280, 1, "window", "letters")),
    ("seed-one_variable_data-1", (1024, 0.8, "question", "jpeg")),
]

CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1e1e1e; font: 16px/1.6 "Liberation Sans", sans-serif; }
math { font-family: "DejaVu Math TeX Gyre", math; font-size: 1.05em; }
.top { display: flex; justify-content: space-between; align-items: center; height: 64px;
       padding: 0 32px; background: #e6edf8; border-bottom: 2px dashed #8a8a8a; }
.top .title { font-weight: bold; } .top .timer { font-size: 20px; font-weight: bold; }
.top .tools span { margin-left: 24px; font-size: 14px; }
.panes { display: flex; min-height: 560px; }
.pane { flex: 1; padding: 32px 48px; }
.pane.left { border-right: 4px solid #d0d0d0; font-family: var(--passage-font); font-size: 17px; }
.pane.single { max-width: 760px; margin: 0 auto; }
.bar { display: flex; align-items: center; gap: 12px; background: #f0f0f0;
       border-bottom: 2px dashed #8a8a8a; margin-bottom: 16px; }
.bar .num { background: #1e1e1e; color: #fff; font-weight: bold; padding: 4px 12px; }
.bar .mark { font-size: 14px; }
.stem { margin: 0 0 18px; }
.choice { display: flex; align-items: center; gap: 14px; border: 1.5px solid #444;
          border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.letter { flex: none; width: 28px; height: 28px; border: 1.5px solid #333; border-radius: 50%;
          display: flex; align-items: center; justify-content: center; font-weight: bold;
          font-size: 15px; }
.spr input { width: 140px; height: 44px; border: 1.5px solid #333; border-radius: 6px;
             font-size: 18px; }
.plain { margin: 8px 0; }
.passage p { margin: 0 0 12px; } .passage h4 { margin: 8px 0 4px; font-size: 16px; }
.bottom { display: flex; justify-content: space-between; align-items: center; height: 64px;
          padding: 0 32px; background: #e6edf8; border-top: 2px dashed #8a8a8a; }
.bottom .q { background: #1e1e1e; color: #fff; padding: 6px 14px; border-radius: 6px; }
.bottom button { background: #324dc7; color: #fff; border: 0; border-radius: 20px;
                 padding: 8px 22px; font-size: 15px; margin-left: 8px; }
"""
PASSAGE_FONTS = ("'Liberation Serif', serif", "'DejaVu Serif', serif", "'Liberation Sans'")


@dataclass(frozen=True)
class Capture:
    """One rendered question: its PNG and what was drawn."""

    name: str
    png: bytes
    record: dict[str, Any]
    layout: tuple[int, float, str, str]

    @property
    def truth(self) -> str:
        return _question_text(self.record)


def _question_text(record: dict[str, Any]) -> str:
    parts = [record["passage"], record["passage_b"], record["stem"], *record["choices"]]
    return "\n".join(part for part in parts if part)


def _math_html(text: str) -> str:
    """Return text as HTML, its \\( \\) segments as MathML (Chromium draws MathML Core)."""
    out = []
    for i, part in enumerate(re.split(r"\\\((.*?)\\\)", text, flags=re.S)):
        out.append(latex2mathml.converter.convert(part) if i % 2 else html.escape(part))
    return "".join(out)


def _paragraphs(text: str) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return "".join(
        f"<h4>{html.escape(ln)}</h4>"
        if re.fullmatch(r"Text [12]", ln)
        else f"<p>{_math_html(ln)}</p>"
        for ln in lines
    )


def page_html(record: dict[str, Any], number: int, *, passage_font: str, letters: bool) -> str:
    section = "Math" if record["section"] == "math" else "Reading and Writing"
    question = (
        f'<div class="bar"><span class="num">{number}</span>'
        f'<span class="mark">&#9873; Mark for Review</span></div>'
        f'<p class="stem">{_math_html(record["stem"])}</p>'
    )
    if record["choices"] and letters:
        question += "".join(
            f'<p class="plain">{letter}) {_math_html(choice)}</p>'
            for letter, choice in zip("ABCD", record["choices"], strict=True)
        )
    elif record["choices"]:
        question += "".join(
            f'<div class="choice"><span class="letter">{letter}</span>'
            f"<span>{_math_html(choice)}</span></div>"
            for letter, choice in zip("ABCD", record["choices"], strict=True)
        )
    else:
        question += '<div class="spr"><input type="text" aria-label="answer"></div>'
        question += "<p>Answer Preview:</p>"
    passage = _paragraphs(record["passage"] + "\n" + record["passage_b"])
    if passage.strip():
        panes = (
            f'<div class="pane left passage">{passage}</div>'
            f'<div class="pane right" id="question">{question}</div>'
        )
    else:
        panes = f'<div class="pane single" id="question">{question}</div>'
    return (
        f"<!doctype html><html><head><style>{CSS}</style></head>"
        f'<body style="--passage-font: {passage_font}"><div class="top">'
        f'<span class="title">Section {1 if section != "Math" else 2}, Module 1: {section}</span>'
        f'<span class="timer">{31 - number % 20}:{(number * 7) % 60:02d}</span>'
        f'<span class="tools"><span>Annotate</span><span>More</span></span></div>'
        f'<div class="panes" id="panes">{panes}</div>'
        f'<div class="bottom"><span>Student</span><span class="q">Question {number} of 27'
        f"</span><span><button>Back</button><button>Next</button></span></div></body></html>"
    )


def render(records: dict[str, dict[str, Any]]) -> list[Capture]:
    """Draw every capture in Chromium; return the PNGs with their records."""
    captures = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for number, (external_id, layout) in enumerate(CAPTURES, start=1):
                width, scale, crop, style = layout
                record = records[external_id]
                context = browser.new_context(
                    viewport={"width": width, "height": 800}, device_scale_factor=scale
                )
                page = context.new_page()
                font = PASSAGE_FONTS[number % len(PASSAGE_FONTS)]
                letters = style == "letters"
                page.set_content(page_html(record, number, passage_font=font, letters=letters))
                if crop == "window":
                    png = page.screenshot(full_page=True)
                else:
                    png = page.locator("#panes" if record["passage"] else "#question").screenshot()
                context.close()
                if style == "jpeg":
                    out = io.BytesIO()
                    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=60)
                    png = out.getvalue()
                captures.append(Capture(external_id, png, record, layout))
        finally:
            browser.close()
    return captures


# --- engines --------------------------------------------------------------------------------


def tesseract(png: bytes) -> str:
    """The product's OCR (generation/pipeline/ocr.py)."""
    return ocr.image_text(png)


def tesseract_raw(png: bytes) -> str:
    """Tesseract on the image as it is: no greyscale, no enlarging."""
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3"],
        input=png,
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return done.stdout.decode()


_rapid: Any = None


def _rapid_boxes(png: bytes) -> list[tuple[list[tuple[float, float]], str]]:
    """Return RapidOCR's text boxes (corner points, text) for an image."""
    global _rapid
    if _rapid is None:  # the models load once
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]
        except ImportError:
            from rapidocr import RapidOCR  # type: ignore[import-not-found,no-redef]
        _rapid = RapidOCR()
    import numpy as np

    found = _rapid(np.array(Image.open(io.BytesIO(png)).convert("RGB"))[:, :, ::-1])  # BGR
    if isinstance(found, tuple):  # rapidocr_onnxruntime: (results, timings)
        pairs = [(box, text) for box, text, _ in found[0] or []]
    else:  # rapidocr >= 2: an output object
        boxes = found.boxes if found.boxes is not None else []
        pairs = list(zip(boxes, found.txts or [], strict=True))
    return [([(float(p[0]), float(p[1])) for p in box], str(text)) for box, text in pairs]


def rapidocr(png: bytes) -> str:
    """RapidOCR on the image as it is, its boxes put back into lines, columns, paragraphs."""
    return _layout(_rapid_boxes(png))


def rapidocr_column(png: bytes) -> str:
    """RapidOCR reading the column the product prepares for Tesseract, and its lines."""
    page = ocr._Page(ocr._decoded(png))
    if not page.lines:
        return ""
    boxes = _rapid_boxes(page.column_png())
    # As Tesseract's TSV has it: one line per row of the column, its boxes as the words.
    tops = [top for top, _, _ in page.rows]
    records = []
    for box, text in boxes:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        row = max(0, bisect.bisect_right(tops, (min(ys) + max(ys)) / 2) - 1)
        where = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
        records.append(["5", "1", str(row), "1", "1", "1", *map(str, map(int, where)), "90", text])
    return page.text("header\n" + "\n".join("\t".join(r) for r in records))


def _layout(boxes: list[tuple[list[tuple[float, float]], str]]) -> str:
    """Return text boxes as the product's OCR returns text: lines, and paragraphs apart.

    Boxes side by side make a line; a column gutter (an x no box crosses) splits columns,
    read one after the other; a gap well above the usual line gap starts a paragraph, and so
    does each answer choice, found by the box of its circled letter (a lone A-D), dropped.
    """
    items = []
    for box, text in boxes:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        items.append((min(xs), min(ys), max(xs), max(ys), text.strip()))
    marks = [i for i in items if re.fullmatch(r"[A-D]", i[4])]
    items = [i for i in items if i not in marks]
    columns: list[list[tuple]] = [items]
    if items:
        left, right = min(i[0] for i in items), max(i[2] for i in items)
        for x in range(int(left) + 1, int(right)):
            if not any(i[0] < x < i[2] for i in items):
                before = [i for i in items if i[2] <= x]
                after = [i for i in items if i[0] >= x]
                if len(before) >= 3 and len(after) >= 3:
                    columns = [before, after]
                    break
    out: list[str] = []
    for column in columns:
        rows: list[list[tuple]] = []
        for item in sorted(column, key=lambda i: (i[1] + i[3]) / 2):
            middle, height = (item[1] + item[3]) / 2, item[3] - item[1]
            if rows and abs(middle - statistics.mean((r[1] + r[3]) / 2 for r in rows[-1])) < (
                0.5 * height
            ):
                rows[-1].append(item)
            else:
                rows.append([item])
        spans = [(min(i[1] for i in r), max(i[3] for i in r), min(i[0] for i in r)) for r in rows]
        gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False) if b[0] > a[1]]
        usual = sorted(gaps)[len(gaps) // 4] if gaps else 0.0  # the gap between lines
        starts = set()
        for mark in marks:
            # The first row of this column beside the mark, or just above its middle.
            near = [
                k
                for k, s in enumerate(spans)
                if 0 < s[2] - mark[2] < 4 * (mark[3] - mark[1]) and s[1] >= mark[1]
            ]
            if near:
                starts.add(near[0])
        for k, row in enumerate(rows):
            gap = spans[k][0] - spans[k - 1][1] if k else 0
            if out and out[-1] and (k == 0 or k in starts or gap > 1.5 * usual + 1):
                out.append("")
            out.append(" ".join(i[4] for i in sorted(row)))
        out.append("")
    return "\n".join(out).strip()


ENGINES: dict[str, Callable[[bytes], str]] = {
    "tesseract": tesseract,
    "tesseract-raw": tesseract_raw,
    "rapidocr": rapidocr,
    "rapidocr-column": rapidocr_column,
}


# --- measuring ------------------------------------------------------------------------------


def measure(name: str, engine: Callable[[bytes], str], captures: list[Capture]) -> dict:
    rows = []
    for capture in captures:
        start, cpu = time.perf_counter(), _cpu()
        text = engine(capture.png)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        parsed = _extract_from_text(text, from_image=True)
        read = _question_text(parsed) if parsed["is_sat_question"] else ""
        others = [c.truth for c in captures if c is not capture]
        rows.append(
            {
                "name": capture.name,
                "layout": "{}px {}x {} {}".format(*capture.layout).strip(),
                "similarity": ocr.similarity(read, capture.truth),
                "raw_similarity": ocr.similarity(ocr.without_chrome(text), capture.truth),
                "choices": len(parsed["choices"]) if parsed["is_sat_question"] else -1,
                "choices_drawn": len(capture.record["choices"]),
                "section": _section_of(parsed),
                "section_drawn": capture.record["section"],
                "seconds": seconds,
                "cpu": cpu,
                "match_own": ocr.match(text, [capture.truth]),
                "match_other": max(ocr.match(text, [o]) or 0.0 for o in others),
                "text": text,
                "read": read,
            }
        )
    return {"engine": name, "rows": rows}


def _cpu() -> float:
    """Return the CPU seconds of this process and its finished children (Tesseract runs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _section_of(parsed: dict) -> str:
    if not parsed["is_sat_question"]:
        return "none"
    from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

    skill = Skill(parsed["classification"]["skill"])
    return SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[skill]].value


def report(result: dict, *, verbose: bool) -> None:
    rows = result["rows"]
    sims = [r["similarity"] for r in rows]
    right = sum(r["choices"] == r["choices_drawn"] for r in rows)
    sections = sum(r["section"] == r["section_drawn"] for r in rows)
    own = [r["match_own"] for r in rows if r["match_own"] is not None]
    other = [r["match_other"] for r in rows]
    print(f"\n== {result['engine']} ({len(rows)} captures)")
    print(
        f"similarity of stem+choices (+passage): mean {statistics.mean(sims):.3f}, "
        f"min {min(sims):.3f}; raw text (chrome removed) mean "
        f"{statistics.mean(r['raw_similarity'] for r in rows):.3f}"
    )
    print(f"choice counts right: {right}/{len(rows)}; section right: {sections}/{len(rows)}")
    seconds = [r["seconds"] for r in rows]
    cpu = [r["cpu"] for r in rows]
    print(
        f"seconds per image: mean {statistics.mean(seconds):.2f}, max {max(seconds):.2f}; "
        f"CPU seconds per image: mean {statistics.mean(cpu):.2f}, max {max(cpu):.2f}"
    )
    print(
        f"reading check (ocr.match): own capture min {min(own):.2f} mean {statistics.mean(own):.2f}"
        f"; best other question max {max(other):.2f} mean {statistics.mean(other):.2f}"
    )
    for r in rows:
        flag = (
            ""
            if r["choices"] == r["choices_drawn"] and r["section"] == r["section_drawn"]
            else " <-"
        )
        print(
            f"  {r['name']:<42} {r['layout']:<18} sim {r['similarity']:.3f} choices "
            f"{r['choices']}/{r['choices_drawn']} {r['section']:<4} {r['seconds']:.2f}s "
            f"match {r['match_own']} / {r['match_other']:.2f}{flag}"
        )
        if verbose:
            print("    OCR:  " + r["text"].replace("\n", "\n          "))
            print("    READ: " + r["read"].replace("\n", "\n          "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="tesseract,tesseract-raw,rapidocr,rapidocr-column")
    parser.add_argument("--keep", type=Path, help="write the PNGs and results here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every text read")
    args = parser.parse_args()

    records = {r["external_id"]: r for r in map(json.loads, SEED.read_text().splitlines())}
    start = time.perf_counter()
    captures = render(records)
    print(
        f"{len(captures)} captures rendered in {time.perf_counter() - start:.1f} s "
        f"({sum(1 for c in captures if c.record['section'] == 'rw')} Reading and Writing, "
        f"{sum(1 for c in captures if c.record['kind'] == 'spr')} SPR); "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    keep = args.keep or Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    for capture in captures:
        suffix = "jpg" if capture.layout[3] == "jpeg" else "png"
        (keep / f"{capture.name}.{suffix}").write_bytes(capture.png)
    results = []
    for name in args.engines.split(","):
        try:
            result = measure(name, ENGINES[name], captures)
        except (ImportError, ocr.OcrUnavailable, OSError, subprocess.CalledProcessError) as error:
            print(f"\n== {name}: not measured ({error})")
            continue
        report(result, verbose=args.verbose)
        results.append(result)
    (keep / "results.json").write_text(json.dumps(results, indent=1))
    print(f"\nPNGs and results.json in {keep}")


if __name__ == "__main__":
    main()
