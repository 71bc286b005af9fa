"""Builders for jobs and for tool inputs the simulator can be scripted with."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw, ImageFont

from generation.claude import is_simulated
from generation.models import GeneratedQuestion, Job
from generation.services import JobOptions, job_create


def make_user(username: str = "tutor"):
    return get_user_model().objects.get_or_create(username=username)[0]


def make_job(*, count: int = 1, owner=None, target: str = "same", **source: Any) -> Job:
    """Create a job without deferring its task (tests run it directly)."""
    if not source:
        source = {"text": LINEAR_TEXT}
    return job_create(
        owner=owner or make_user(),
        options=JobOptions(count=count, target=target),
        simulated=is_simulated(),
        defer=False,
        **source,
    )


def make_failed_job(
    *, owner=None, kind: str = "transient", stage: str = "generate", error: str = "Claude is busy."
) -> Job:
    """Create a job that failed in `stage` (the stages before it done), as a run leaves it."""
    job = make_job(owner=owner)
    Job.objects.filter(pk=job.pk).update(
        status="failed", error=error, error_kind=kind, error_detail="HTTP 529 overloaded_error"
    )
    done = list(job.stages.order_by("position").values_list("name", flat=True))
    job.stages.filter(name__in=done[: done.index(stage)]).update(status="succeeded")
    job.stages.filter(name=stage).update(status="failed", error=error)
    job.refresh_from_db()
    return job


LINEAR_TEXT = (
    "A bakery sells muffins for $3 each. On Monday it sold 4 more than twice the number it "
    "sold on Sunday, for a total of 58 muffins on the two days. How many muffins did it sell "
    "on Sunday?\nA) 18\nB) 20\nC) 27\nD) 38"
)


def extraction(**overrides: Any) -> dict[str, Any]:
    """A valid record_extraction input for a linear-equation question."""
    value = {
        "is_sat_question": True,
        "not_a_question_reason": "",
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "stem": r"If \(3x + 4 = 19\), what is the value of \(x\)?",
        "choices": ["3", "5", "7", "15"],
        "figure": "",
        "classification": {
            "skill": "linear_equations_one_variable",
            "difficulty": "easy",
            "confidence": 0.9,
        },
    }
    value.update(overrides)
    return value


def math_question(**overrides: Any) -> dict[str, Any]:
    """A valid record_question input (linear equation, key B = 6)."""
    value = {
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "figure": "",
        "stem": r"A plumber charges a \(\$45\) call-out fee plus \(\$30\) per hour. A bill came "
        r"to \(\$225\). For how many hours, \(h\), did the plumber work?",
        "choices": [r"\(5\)", r"\(6\)", r"\(7.5\)", r"\(9\)"],
        "key": "B",
        "explanation": r"Choice B is correct. \(45 + 30h = 225\), so \(30h = 180\) and \(h = 6\).",
        "rationales": [
            {"choice": "A", "why_wrong": "Subtracts the fee twice: (225 - 45 - 30)/30 = 5."},
            {"choice": "C", "why_wrong": "Ignores the call-out fee: 225/30 = 7.5."},
            {"choice": "D", "why_wrong": "Adds the fee instead of subtracting it: 270/30 = 9."},
        ],
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "math_check": {"equations": ["45 + 30*h = 225"], "solve_for": "h", "expression": "h"},
    }
    value.update(overrides)
    return value


def solution(answer: str, *, confident: bool = True) -> dict[str, Any]:
    return {"answer": answer, "reasoning": "Worked it out.", "confident": confident}


def generated_question(
    job: Job, position: int = 1, status: str = "passed", **overrides: Any
) -> GeneratedQuestion:
    """A generated multiple-choice math question with inline LaTeX (key D)."""
    values: dict[str, Any] = {
        "job": job,
        "position": position,
        "status": status,
        "section": "math",
        "domain": "algebra",
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "kind": "mcq",
        "stem": rf"If \(x + {position} = 10\), what is the value of \(x\)?",
        "choices": [r"\(1\)", r"\(2\)", r"\(3\)", rf"\({10 - position}\)"],
        "key": "D",
        "explanation": rf"Choice D is correct. Subtract {position}: \(x = {10 - position}\).",
        "rationales": {
            "A": r"Adds instead of subtracting: \(1\) is too small.",
            "B": "Confuses the sides of the equation.",
            "C": "Stops one step early.",
        },
    }
    values.update(overrides)
    return GeneratedQuestion.objects.create(**values)


def generated_spr(job: Job, position: int = 1, **overrides: Any) -> GeneratedQuestion:
    """A generated student-produced-response question (key 3/2)."""
    values: dict[str, Any] = {
        "kind": "spr",
        "stem": r"What value of \(x\) satisfies \(2x = 3\)?",
        "choices": [],
        "key": "3/2",
        "explanation": r"Divide both sides by 2: \(x = \frac{3}{2}\).",
        "rationales": {},
    }
    values.update(overrides)
    return generated_question(job, position, **values)


def question_png(
    stem: str, choices: Sequence[str] = (), *, passage: str = "", width: int = 900
) -> bytes:
    """Draw a question as the test app shows it: passage, stem, choices boxed with a ring.

    Pillow's own scalable font, so that it draws the same on every machine.
    """
    font = ImageFont.load_default(size=20)
    margin, pitch = 30, 30

    def wrapped(text: str, room: int) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and font.getlength(f"{lines[-1]} {word}") <= room:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        return lines

    passage_lines = wrapped(passage, width - 2 * margin) if passage else []
    stem_lines = wrapped(stem, width - 2 * margin)
    choice_lines = [wrapped(choice, width - 2 * margin - 90) for choice in choices]
    height = margin * 2 + pitch * (len(passage_lines) + len(stem_lines) + 1)
    height += sum(max(1, len(lines)) * pitch + 40 for lines in choice_lines)
    image = Image.new("RGB", (width, height + (pitch if passage else 0)), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    for line in passage_lines:
        draw.text((margin, y), line, fill="black", font=font)
        y += pitch
    y += pitch if passage else 0
    for line in stem_lines:
        draw.text((margin, y), line, fill="black", font=font)
        y += pitch
    y += pitch // 2
    for letter, lines in zip("ABCD", choice_lines, strict=False):
        box = (margin, y, width - margin, y + len(lines) * pitch + 24)
        draw.rounded_rectangle(box, radius=8, outline="#444444", width=2)
        middle = (box[1] + box[3]) // 2
        draw.ellipse(
            (margin + 14, middle - 15, margin + 44, middle + 15), outline="#333333", width=2
        )
        draw.text((margin + 29, middle), letter, fill="black", font=font, anchor="mm")
        for row, line in enumerate(lines):
            draw.text((margin + 64, y + 12 + row * pitch), line, fill="black", font=font)
        y = box[3] + 16
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


MATH_SCREENSHOT = (
    "If 3x + 7 = 22, what is the value of x?",
    ["3", "5", "7", "15"],
)
