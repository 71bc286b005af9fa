from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from questions.models import Question
from questions.services import questions_import
from questions.tests.builders import jsonl, mcq_record, spr_record

pytestmark = pytest.mark.django_db


def _export(**filters) -> str:
    out = io.StringIO()
    call_command("export_questions", stdout=out, **filters)
    return out.getvalue()


def test_import_reports_each_bad_line_by_number_and_imports_the_good_ones():
    lines = [
        json.dumps(mcq_record(external_id="good-1")),
        '{"external_id": "broken", ',
        json.dumps(mcq_record(external_id="bad-skill", skill="circles")),
        "",
        json.dumps(mcq_record(external_id="bad-key", key="Z")),
        json.dumps(spr_record(external_id="bad-spr", key="1.23456")),
        json.dumps(mcq_record(external_id="good-1")),
        json.dumps({**mcq_record(external_id="extra"), "colour": "red"}),
        json.dumps(spr_record(external_id="good-2")),
    ]
    report = questions_import(lines=lines)

    assert report.created == ["good-1", "good-2"]
    reasons = dict(report.rejected)
    assert sorted(reasons) == [2, 3, 5, 6, 7, 8]
    assert "not valid JSON" in reasons[2]
    assert "skill: Circles belongs to Geometry and Trigonometry" in reasons[3]
    assert "key" in reasons[5]
    assert "fits in 5" in reasons[6]
    assert "already used on line 1" in reasons[7]
    assert "colour: Extra inputs are not permitted" in reasons[8]
    assert set(Question.objects.values_list("external_id", flat=True)) == {"good-1", "good-2"}


def test_reimporting_the_same_file_changes_nothing():
    lines = jsonl(mcq_record(), spr_record(), mcq_record(difficulty="hard"))
    first = questions_import(lines=lines)
    stamps = dict(Question.objects.values_list("external_id", "updated_at"))

    again = questions_import(lines=lines)

    assert len(first.created) == 3
    assert again.created == again.updated == again.rejected == []
    assert len(again.unchanged) == 3
    assert dict(Question.objects.values_list("external_id", "updated_at")) == stamps


def test_a_changed_line_updates_its_question_in_place():
    record = mcq_record()
    questions_import(lines=jsonl(record))
    report = questions_import(lines=jsonl({**record, "difficulty": "hard"}))
    assert report.updated == [record["external_id"]]
    assert Question.objects.get().difficulty == "hard"


def test_dry_run_validates_without_writing():
    report = questions_import(lines=jsonl(mcq_record(), mcq_record(key="Q")), dry_run=True)
    assert len(report.created) == 1 and len(report.rejected) == 1
    assert not Question.objects.exists()


def test_export_then_import_round_trips_with_no_change():
    questions_import(
        lines=jsonl(
            mcq_record(),
            spr_record(key="-5/2", difficulty="medium"),
            mcq_record(
                section="rw",
                domain="craft_structure",
                skill="cross_text_connections",
                passage="Text 1: one view.",
                passage_b="Text 2: another — with “quotes”.",
                stem="Based on the texts, how would the author of Text 2 respond?",
            ),
        )
    )
    exported = _export()

    report = questions_import(lines=exported.splitlines())
    assert len(report.unchanged) == 3 and not report.changed_ids

    Question.objects.all().delete()
    questions_import(lines=exported.splitlines())
    assert _export() == exported


def test_questions_created_without_an_external_id_still_round_trip():
    record = mcq_record()
    del record["external_id"]
    question = Question.objects.create(**record)
    assert question.external_id is not None
    assert question.external_id.startswith("satgen-")
    report = questions_import(lines=_export().splitlines())
    assert report.unchanged == [question.external_id]


def test_export_filters_by_taxonomy_and_status():
    questions_import(
        lines=jsonl(
            mcq_record(external_id="a", difficulty="hard"),
            mcq_record(external_id="b", difficulty="easy"),
            mcq_record(external_id="c", difficulty="hard", status="retired"),
        )
    )
    exported = _export(difficulty="hard", status="approved")
    assert [json.loads(line)["external_id"] for line in exported.splitlines()] == ["a"]


def test_import_command_prints_rejected_lines_and_fails(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join([json.dumps(mcq_record()), "not json"]) + "\n")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 line"):
        call_command("import_questions", str(path), "--no-embed", stdout=out, stderr=err)

    assert "line 2: not valid JSON" in err.getvalue()
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out.getvalue()
    assert Question.objects.count() == 1


def test_import_command_dry_run_says_so_and_writes_nothing(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text(json.dumps(mcq_record()) + "\n")
    out = io.StringIO()
    call_command("import_questions", str(path), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing written: 1 created")
    assert not Question.objects.exists()


def test_import_command_names_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_questions", str(tmp_path / "missing.jsonl"))


def test_import_command_queues_new_questions_for_the_worker_to_embed(
    tmp_path, django_capture_on_commit_callbacks
):
    from procrastinate.contrib.django.models import ProcrastinateJob

    path = tmp_path / "bank.jsonl"
    path.write_text("\n".join(jsonl(mcq_record(), mcq_record())) + "\n")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_questions", str(path), stdout=out)
    assert "Queued 2 question(s) for embedding by the worker." in out.getvalue()
    job = ProcrastinateJob.objects.get(task_name="questions.embed_questions")
    assert job.args == {"question_ids": sorted(Question.objects.values_list("pk", flat=True))}
