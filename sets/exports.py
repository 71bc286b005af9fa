"""A set as files: JSON Lines in the bank import format (LaTeX kept), and CSV for spreadsheets
(math as plain text).

The views and the API both serve these bodies, so a download is the same wherever it
comes from.
"""

from __future__ import annotations

import csv
import io
import json
import re

from django.utils.text import slugify

from questions.models import CHOICE_LETTERS, Question
from questions.plaintext import plain_text
from questions.records import RECORD_FIELDS, record_from_question
from sets.models import QuestionSet
from sets.selectors import SetItemView, set_items

JSONL_CONTENT_TYPE = "application/jsonl; charset=utf-8"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

CSV_COLUMNS = (
    "number",
    "source",
    "section",
    "domain",
    "skill",
    "difficulty",
    "kind",
    "passage",
    "passage_b",
    "figure",
    "stem",
    *(f"choice_{letter.lower()}" for letter in CHOICE_LETTERS),
    "key",
    "explanation",
    *(f"rationale_{letter.lower()}" for letter in CHOICE_LETTERS),
)

# Spreadsheets run a cell that starts with one of these as a formula; a plain number such
# as -3 or -3/2 (an SPR key) is left alone, anything else gets a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?")


def _record(view: SetItemView) -> dict[str, object]:
    if view.bank is not None:
        record = record_from_question(view.bank)
        if not record["external_id"]:
            record["external_id"] = f"bank-{view.bank.pk}"
        return record
    generated = view.generated
    assert generated is not None
    # The same id promotion gives the question in the bank, so both paths meet on one row.
    values = {name: getattr(generated, name, "") for name in RECORD_FIELDS}
    values.update(
        external_id=f"generated-{generated.job.public_id}-{generated.pk}",
        rationales=view.rationales,
        source=(Question.Source.SIMULATED if view.simulated else Question.Source.GENERATED).value,
        status=Question.Status.DRAFT.value,
    )
    return values


def set_export_jsonl(question_set: QuestionSet) -> str:
    """Return the set as JSON Lines that questions_import accepts, one question per line."""
    lines = [
        json.dumps(_record(view), ensure_ascii=False) + "\n" for view in set_items(question_set)
    ]
    return "".join(lines)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _row(view: SetItemView) -> list[object]:
    """One question's cells, its math written as plain text (3/4, x^2): nothing renders it."""
    choices = dict(view.lettered_choices)
    texts = [
        view.passage,
        view.passage_b,
        view.figure,
        view.stem,
        *(choices.get(letter, "") for letter in CHOICE_LETTERS),
        view.key,
        view.explanation,
        *(view.rationales.get(letter, "") for letter in CHOICE_LETTERS),
    ]
    labels = [view.source_label, view.section_label, view.domain_label, view.skill_label]
    return [
        view.number,
        *labels,
        view.difficulty_label,
        view.kind_label,
        *(plain_text(text) for text in texts),
    ]


def set_export_csv(question_set: QuestionSet) -> str:
    """Return the set as CSV: a header, then one row per question in set order.

    The text starts with a byte-order mark so Excel reads it as UTF-8.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for view in set_items(question_set):
        writer.writerow([_cell(value) for value in _row(view)])
    return buffer.getvalue()


def export_filename(question_set: QuestionSet, extension: str) -> str:
    """Return a safe download name such as "algebra-warm-up.csv"."""
    stem = slugify(question_set.name) or f"set-{question_set.pk}"
    return f"{stem}.{extension}"


def content_disposition(question_set: QuestionSet, extension: str) -> str:
    return f'attachment; filename="{export_filename(question_set, extension)}"'
