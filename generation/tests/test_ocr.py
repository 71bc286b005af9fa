"""The OCR check: Tesseract on rendered screenshots, and the comparison with an extraction."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image

from generation.pipeline import ocr
from generation.pipeline.extract import reading_check
from generation.pipeline.schemas import Extraction
from generation.tests.builders import MATH_SCREENSHOT, extraction, question_png

needs_tesseract = pytest.mark.skipif(
    shutil.which(ocr.TESSERACT) is None, reason="tesseract is missing: `make test` installs it"
)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


@needs_tesseract
def test_it_reads_a_screenshot_with_boxed_choices_each_choice_a_paragraph():
    stem, choices = MATH_SCREENSHOT
    text = ocr.image_text(question_png(stem, choices))
    paragraphs = _paragraphs(text)
    assert ocr.plain(paragraphs[0]) == ocr.plain(stem)
    # The circled letters are gone, and each boxed choice is a paragraph of its own.
    assert [ocr.plain(p) for p in paragraphs[1:]] == choices


@needs_tesseract
def test_it_reads_a_passage_and_a_two_line_choice_in_order():
    passage = (
        "Sea otters eat large numbers of sea urchins, and sea urchins feed on kelp, a type of "
        "large seaweed. Researchers studying a bay where otters have returned would expect that"
    )
    long_choice = (
        "the otters will leave the bay again once they have eaten most of its kelp and moved "
        "on to another bay nearby."
    )
    choices = [long_choice, "urchins will grow.", "kelp will decline.", "nothing will change."]
    stem = "Which choice most logically completes the text?"
    text = ocr.image_text(question_png(stem, choices, passage=passage))
    paragraphs = [ocr.plain(p) for p in _paragraphs(text)]
    assert paragraphs == [ocr.plain(part) for part in [passage, stem, *choices]]


@needs_tesseract
def test_a_blank_image_has_no_text():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), "white").save(buffer, "PNG")
    assert ocr.image_text(buffer.getvalue()) == ""


def test_bytes_that_are_not_an_image_cannot_be_read():
    with pytest.raises(ocr.OcrUnavailable, match="cannot be decoded"):
        ocr.image_text(b"\x89PNG\r\n\x1a\n but nothing after the signature")


def test_without_tesseract_it_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no tesseract in it
    assert not ocr.available()
    with pytest.raises(ocr.OcrUnavailable, match="not installed"):
        ocr.image_text(question_png(*MATH_SCREENSHOT))


@pytest.mark.parametrize(
    ("latex", "read"),
    [
        (r"If \(\frac{3}{4}x = 6\), what is \(x\)?", "If 3/4 x = 6, what is x?"),
        (r"\(\frac{3}{4}\)", "3\n4"),  # a fraction drawn stacked
        (r"\(x^{2} - 5 \le 7\)", "x2 — 5 ≤ 7"),  # a raised 2 is read on the line
        (r"\(f(x) = 2x^2 - 3\)", "f(x) = 2x² − 3"),
        (r"\(\dfrac{x+1}{\sqrt{2}}\)", "x + 1 / √2"),
        (r"\(\sin \theta = 0.6\)", "sin θ = 0.6"),
        (r"\(12\text{ cm}\)", "12 cm"),
    ],
)
def test_latex_and_what_ocr_reads_of_it_come_to_the_same_words(latex, read):
    assert ocr.plain(latex) == ocr.plain(read)


def test_a_right_reading_matches_and_another_question_does_not():
    seen = (
        "15 Mark for Review\n\nIf 3x + 7 = 22, what is the value of x?\n\n3\n\n5\n\n7\n\n15\n\n"
        "Question 15 of 27"
    )
    right = [r"If \(3x + 7 = 22\), what is the value of \(x\)?", r"\(3\)", r"\(5\)", "7", "15"]
    assert ocr.match(seen, right) == 1.0
    other = [r"If \(4x - 7 = 21\), what is the value of \(x\)?", r"\(\frac{7}{2}\)", "7", "28"]
    score = ocr.match(seen, other)
    assert score is not None and score < ocr.MATCH_THRESHOLD
    prose = ["Which choice best states the main idea of the text?", "Tomas is relieved."]
    assert ocr.match(seen, prose) == 0.0


def test_too_little_text_says_nothing_either_way():
    assert ocr.match("Figure 1\n\n3", ["A bag holds 3 red marbles."]) is None
    assert ocr.match("", ["anything"]) is None


def test_the_reading_check_flags_an_extraction_the_screenshot_does_not_show():
    seen = "If 3x + 7 = 22, what is the value of x?\n\n3\n\n5\n\n7\n\n15"
    right = Extraction.model_validate(
        extraction(
            stem=r"If \(3x + 7 = 22\), what is the value of \(x\)?", choices=MATH_SCREENSHOT[1]
        )
    )
    wrong = Extraction.model_validate(
        extraction(
            passage="Since 1990, the giant panda had been classified as endangered.",
            stem="Which choice completes the text with the most logical transition?",
            choices=["Similarly,", "However,", "For example,", "In addition,"],
        )
    )
    assert not reading_check(seen, right).doubtful
    checked = reading_check(seen, wrong)
    assert checked.doubtful and checked.match is not None and checked.match < 0.2
    assert checked.text == seen
