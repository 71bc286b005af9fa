from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from questions.services import questions_import
from sets.exports import CSV_COLUMNS
from sets.models import QuestionSet, SetItem
from sets.services import set_add_bank, set_add_generated, set_create
from sets.tests.builders import bank_question, generated_question, generated_spr

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_set(tutor, job):
    """A set with a generated MCQ, a generated SPR and a bank question, in that order."""
    question_set = set_create(owner=tutor, name="Algebra: week 3 / review")
    set_add_generated(question_set=question_set, question=generated_question(job, 1))
    set_add_generated(question_set=question_set, question=generated_spr(job, 2))
    set_add_bank(question_set=question_set, question=bank_question())
    return question_set


def _url(name: str, question_set: QuestionSet, *extra: int) -> str:
    return reverse(f"sets:{name}", args=[question_set.pk, *extra])


# Access


def test_a_logged_out_visitor_is_sent_to_log_in(client, full_set):
    response = client.get(_url("detail", full_set))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["detail", "delete", "print", "export_json", "export_csv"])
def test_another_tutor_gets_404_for_a_sets_pages(other_client, full_set, name):
    assert other_client.get(_url(name, full_set)).status_code == 404


def test_another_tutor_cannot_change_a_set(other_client, full_set, other_job):
    item = SetItem.objects.filter(set=full_set)[0]
    posts = [
        (_url("rename", full_set), {"name": "Mine now"}),
        (_url("item_move", full_set, item.pk), {"to_position": "3"}),
        (_url("item_remove", full_set, item.pk), {}),
        (_url("delete", full_set), {}),
        (
            reverse("sets:add"),
            {"set_id": full_set.pk, "generated_id": generated_question(other_job).pk},
        ),
    ]
    for url, data in posts:
        assert other_client.post(url, data).status_code == 404, url

    full_set.refresh_from_db()
    assert full_set.name == "Algebra: week 3 / review"
    assert SetItem.objects.filter(set=full_set).count() == 3
    assert list(SetItem.objects.filter(set=full_set).values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_tutor_cannot_save_another_tutors_generated_question(tutor_client, full_set, other_job):
    theirs = generated_question(other_job)
    response = tutor_client.post(
        reverse("sets:add"), {"set_id": full_set.pk, "generated_id": theirs.pk}
    )
    assert response.status_code == 404
    assert not SetItem.objects.filter(generated=theirs).exists()


def test_changes_need_a_post(tutor_client, full_set):
    assert tutor_client.get(_url("rename", full_set)).status_code == 405
    assert tutor_client.get(reverse("sets:add")).status_code == 405


# List, detail and changes


def test_a_tutor_creates_a_set_and_sees_it_listed(tutor_client, full_set):
    response = tutor_client.post(reverse("sets:list"), {"name": "Geometry drills"})
    created = QuestionSet.objects.get(name="Geometry drills")
    assert response.status_code == 302 and response["Location"] == _url("detail", created)

    page = tutor_client.get(reverse("sets:list")).content.decode()
    assert "Geometry drills" in page and "Algebra: week 3 / review" in page
    assert '<label for="id_name">' in page


def test_an_empty_name_is_shown_as_a_form_error(tutor_client):
    response = tutor_client.post(reverse("sets:list"), {"name": "   "})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not QuestionSet.objects.exists()


def test_the_detail_page_numbers_items_with_move_and_remove_buttons(tutor_client, full_set):
    page = tutor_client.get(_url("detail", full_set)).content.decode()
    # The accessible name starts with the visible text ("Move up question 1"): WCAG 2.5.3.
    for number in (1, 2, 3):
        assert f'Remove<span class="visually-hidden"> question {number} from the set' in page
    assert 'Move up<span class="visually-hidden"> question 1</span>' in page and "<math" in page
    assert "csrfmiddlewaretoken" in page


def test_the_detail_page_shows_each_questions_choices_and_answer(tutor_client, full_set):
    page = tutor_client.get(_url("detail", full_set)).content.decode()
    assert page.count('<ol class="choices" type="A">') == 2  # two multiple choice, one grid-in
    assert page.count("Show answer and explanation") == 3
    assert "<strong>Answer: 3/2</strong>" in page and "Confuses the sides" in page


def test_move_up_and_down_buttons_reorder_the_set(tutor_client, full_set):
    items = list(SetItem.objects.filter(set=full_set))
    last = items[-1]

    response = tutor_client.post(_url("item_move", full_set, last.pk), {"to_position": "2"})

    assert response.status_code == 302 and response["Location"].endswith(f"#item-{last.pk}")
    order = list(SetItem.objects.filter(set=full_set).values_list("pk", flat=True))
    assert order == [items[0].pk, last.pk, items[1].pk]
    page = tutor_client.get(response["Location"]).content.decode()
    assert "Moved the question to number 2." in page


def test_remove_rename_and_delete_from_the_detail_page(tutor_client, full_set):
    first = SetItem.objects.filter(set=full_set)[0]
    tutor_client.post(_url("item_remove", full_set, first.pk))
    assert list(SetItem.objects.filter(set=full_set).values_list("position", flat=True)) == [1, 2]

    tutor_client.post(_url("rename", full_set), {"name": "Renamed"})
    full_set.refresh_from_db()
    assert full_set.name == "Renamed"

    asked = tutor_client.get(_url("delete", full_set)).content.decode()
    assert "Delete “Renamed”?" in asked and "2 questions" in asked
    assert QuestionSet.objects.exists()  # asking deletes nothing
    response = tutor_client.post(_url("delete", full_set))
    assert response["Location"] == reverse("sets:list")
    assert not QuestionSet.objects.exists()


# Print


def test_the_worksheet_numbers_every_question_then_the_answer_key_on_a_new_page(
    tutor_client, full_set
):
    response = tutor_client.get(_url("print", full_set))
    page = response.content.decode()

    assert response.status_code == 200
    positions = [page.index(f">Question {n}</h2>") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    page_break = page.index('class="answer-key page-break"')
    assert positions[-1] < page_break < page.index(">Answer key</h2>")
    key = page[page_break:]
    # MCQ choices on the worksheet, an answer line for the SPR, keys and rationales after.
    assert "A)" in page[: positions[1]] and "D)" in page[: positions[1]]
    assert 'class="fill-line fill-line-wide"' in page[positions[1] : positions[2]]
    assert "Question 1: D" in key and "Question 2: 3/2" in key and "Question 3: B" in key
    assert "Choice B is correct: a terse report" in key and "Confuses the sides" in key
    assert "<dt>Choice A</dt>" in key
    # Math is typeset on the server: MathML, and no LaTeX delimiters left over.
    assert "<math" in page and "\\(" not in page and "\\)" not in page


def test_the_stylesheet_prints_the_answer_key_on_a_new_page():
    from django.contrib.staticfiles import finders

    css = Path(str(finders.find("css/satgen.css"))).read_text(encoding="utf-8")
    print_rules = css[css.index("@media print") :]
    assert ".page-break { break-before: page;" in css
    assert "break-inside: avoid" in print_rules and "serif" in print_rules


# Exports


def test_the_json_export_reimports_cleanly_into_the_bank(tutor_client, full_set, job):
    response = tutor_client.get(_url("export_json", full_set))
    lines = response.content.decode().splitlines()

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="algebra-week-3-review.jsonl"'
    assert len(lines) == 3
    assert f'"external_id": "generated-{job.public_id}-' in lines[0]

    report = questions_import(lines=lines, dry_run=True)
    assert report.rejected == []
    assert len(report.created) == 2 and len(report.unchanged) == 1  # the bank one is as is


def test_the_csv_export_has_a_header_and_a_row_per_question(tutor_client, full_set):
    response = tutor_client.get(_url("export_csv", full_set))

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="algebra-week-3-review.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["number"] for r in records] == ["1", "2", "3"]
    assert [r["key"] for r in records] == ["D", "3/2", "B"]
    assert records[0]["choice_d"] == "9" and records[0]["rationale_b"]  # math as plain text
    assert records[0]["stem"] == "If x + 1 = 10, what is the value of x?"
    assert records[2]["skill"] == "Words in Context" and records[1]["choice_a"] == ""


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(tutor, tutor_client, job):
    question_set = set_create(owner=tutor, name="Formulas")
    question = generated_spr(job, stem='=HYPERLINK("http://evil.example")', key="-3/2")
    set_add_generated(question_set=question_set, question=question)

    content = tutor_client.get(_url("export_csv", question_set)).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(content)))[1]
    assert row[CSV_COLUMNS.index("stem")].startswith("'=HYPERLINK")
    assert row[CSV_COLUMNS.index("key")] == "-3/2"


def test_simulated_questions_stay_labelled_on_the_page_the_worksheet_and_the_exports(
    tutor, tutor_client, job
):
    assert job.simulated
    question_set = set_create(owner=tutor, name="Demo")
    set_add_generated(question_set=question_set, question=generated_question(job, 1))
    set_add_bank(question_set=question_set, question=bank_question())

    page = tutor_client.get(_url("detail", question_set)).content.decode()
    assert "simulated (demo data, not Claude’s)" in page and "from the bank" in page
    worksheet = tutor_client.get(_url("print", question_set)).content.decode()
    assert "1 of these questions is simulated" in worksheet
    assert worksheet.count('class="key-simulated"') == 1
    content = tutor_client.get(_url("export_csv", question_set)).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["source"] for row in rows] == [
        "simulated (demo data, not Claude’s)",
        "from the bank",
    ]
    lines = tutor_client.get(_url("export_json", question_set)).content.decode().splitlines()
    assert '"source": "simulated"' in lines[0]
    assert questions_import(lines=lines, dry_run=True).rejected == []


# Saving from other pages


def test_htmx_save_returns_the_saved_fragment(tutor_client, full_set, job):
    question = generated_question(job, 3)
    response = tutor_client.post(
        reverse("sets:add"),
        {"set_id": full_set.pk, "generated_id": question.pk},
        headers={"HX-Request": "true"},
    )
    fragment = response.content.decode()

    assert response.status_code == 200
    assert re.search(r"Saved to\s*<a href=\"/sets/\d+/\">Algebra: week 3 / review</a>", fragment)
    assert "<html" not in fragment
    assert SetItem.objects.filter(set=full_set, generated=question, position=4).exists()


def test_htmx_save_of_a_failed_question_explains_the_refusal(tutor_client, full_set, job):
    response = tutor_client.post(
        reverse("sets:add"),
        {"set_id": full_set.pk, "generated_id": generated_question(job, 3, "failed").pk},
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in response.content.decode()
    assert "failed its checks" in response.content.decode()


def test_saving_to_a_new_set_creates_it_and_redirects_to_a_local_next(tutor_client, tutor):
    bank = bank_question()
    response = tutor_client.post(
        reverse("sets:add"),
        {"set_id": "", "new_set_name": "Vocabulary", "bank_id": bank.pk, "next": "/jobs/abc/"},
    )
    assert response.status_code == 302 and response["Location"] == "/jobs/abc/"
    question_set = QuestionSet.objects.get(owner=tutor, name="Vocabulary")
    assert question_set.items.get().bank == bank


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
def test_an_outside_next_falls_back_to_the_set(tutor_client, full_set, next_url):
    bank = bank_question(stem="Which choice best describes the function of the sentence?")
    response = tutor_client.post(
        reverse("sets:add"), {"set_id": full_set.pk, "bank_id": bank.pk, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == _url("detail", full_set)


def test_saving_without_a_set_is_refused_with_a_message(tutor_client, job):
    response = tutor_client.post(
        reverse("sets:add"), {"generated_id": generated_question(job).pk}, follow=True
    )
    assert "Choose a set, or give a new set a name." in response.content.decode()
    assert not QuestionSet.objects.exists()


def test_the_header_links_to_sets(tutor_client):
    page = tutor_client.get(reverse("sets:list")).content.decode()
    assert f'<a href="{reverse("sets:list")}">Sets</a>' in page
