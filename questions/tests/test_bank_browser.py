from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from questions.models import Question
from questions.selectors import bank_search
from questions.tests.builders import make_question

pytestmark = pytest.mark.django_db

BANK_URL = reverse("bank")


@pytest.fixture
def tutor(django_user_model):
    return django_user_model.objects.create_user("tutor")


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor)
    return client


def _rw_question(**overrides: Any) -> Question:
    fields = {
        "section": "rw",
        "domain": "craft_structure",
        "skill": "words_in_context",
        "difficulty": "medium",
        "passage": "The committee reached a decision after a long debate.",
        "stem": "Which choice completes the text with the most logical and precise word?",
        "choices": ["swift", "final", "ancient", "narrow"],
        "key": "B",
        "explanation": "Choice B is correct: the decision ended the debate.",
    }
    return make_question(**{**fields, **overrides})


def _page(client, **params: Any) -> str:
    response = client.get(BANK_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _shown(page: str) -> set[int]:
    """Return the ids of the question cards on the page."""
    return {int(pk) for pk in re.findall(r'<article[^>]*id="bank-question-(\d+)"', page)}


def _find(pattern: str, page: str) -> re.Match[str]:
    """Return the first match of pattern (across lines) on the page, failing if there is none."""
    match = re.search(pattern, page, re.DOTALL)
    assert match, f"{pattern!r} is not on the page"
    return match


def _status(page: str) -> str:
    match = re.search(r'<p id="bank-count" role="status">(.*?)</p>', page, re.DOTALL)
    assert match, "the result count is in a role=status element"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


@pytest.fixture
def taxonomy_spread():
    return {
        "linear_easy": make_question(skill="linear_equations_one_variable", difficulty="easy"),
        "functions_medium": make_question(skill="linear_functions", difficulty="medium"),
        "circles_hard": make_question(domain="geometry_trig", skill="circles", difficulty="hard"),
        "words_medium": _rw_question(),
    }


def test_it_lists_every_approved_question_unfiltered(tutor_client, taxonomy_spread):
    page = _page(tutor_client)
    assert _shown(page) == {q.pk for q in taxonomy_spread.values()}
    assert _status(page) == "4 questions match."


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"section": "rw"}, {"words_medium"}),
        ({"section": "math"}, {"linear_easy", "functions_medium", "circles_hard"}),
        ({"domain": "algebra"}, {"linear_easy", "functions_medium"}),
        ({"domain": "geometry_trig"}, {"circles_hard"}),
        ({"skill": "linear_functions"}, {"functions_medium"}),
        ({"difficulty": "medium"}, {"functions_medium", "words_medium"}),
        ({"section": "math", "difficulty": "medium"}, {"functions_medium"}),
        (
            {"section": "math", "domain": "algebra", "skill": "linear_functions"},
            {"functions_medium"},
        ),
    ],
)
def test_it_filters_by_each_taxonomy_level(tutor_client, taxonomy_spread, params, expected):
    page = _page(tutor_client, **params)
    assert _shown(page) == {taxonomy_spread[name].pk for name in expected}
    assert _status(page).startswith(f"{len(expected)} question")


def test_a_skill_outside_the_chosen_domain_is_ignored_and_said_so(tutor_client, taxonomy_spread):
    page = _page(tutor_client, domain="algebra", skill="words_in_context")
    shown = {taxonomy_spread["linear_easy"].pk, taxonomy_spread["functions_medium"].pk}
    assert _shown(page) == shown
    assert "Ignored the skill: it is not part of Algebra." in page


def test_options_are_narrowed_by_the_chosen_section_and_domain(tutor_client):
    page = _page(tutor_client, section="rw")
    domain_select = _find(r'<select name="domain".*?</select>', page).group(0)
    assert 'value="craft_structure"' in domain_select
    assert 'value="algebra"' not in domain_select

    page = _page(tutor_client, section="math", domain="algebra")
    skill_select = _find(r'<select name="skill".*?</select>', page).group(0)
    assert 'value="linear_functions"' in skill_select
    assert 'value="circles"' not in skill_select
    assert 'value="words_in_context"' not in skill_select


def test_without_a_section_the_skills_are_grouped_by_domain(tutor_client):
    page = _page(tutor_client)
    assert '<optgroup label="Algebra">' in page
    assert '<optgroup label="Craft and Structure">' in page


@pytest.fixture
def texts():
    return {
        "in_passage": _rw_question(
            passage="Worker bees gather pollen from the meadow all summer.",
            stem="Which choice best states the main idea of the text?",
        ),
        "in_stem": make_question(
            stem=r"A lighthouse keeper climbs \(x\) stairs twice. If \(2x = 180\), what is \(x\)?",
        ),
        # The words again, but only in a choice, the explanation and a rationale.
        "elsewhere": _rw_question(
            choices=["meadow", "lighthouse", "pollen", "bees"],
            explanation="Choice B is correct: a lighthouse guides ships past the meadow.",
            rationales={"A": "Not a meadow.", "C": "Not pollen.", "D": "Not bees."},
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("meadow", {"in_passage"}),
        ("lighthouse", {"in_stem"}),
        ("MEADOW", {"in_passage"}),
        ("gathered", {"in_passage"}),  # stemmed: gather
        ("meadow pollen", {"in_passage"}),  # words in any order
        ('"gather pollen"', {"in_passage"}),  # a quoted phrase
        ("lightho", {"in_stem"}),  # a fragment, by substring
        ("2x = 180", {"in_stem"}),  # math source, by substring
        ("meadow OR lighthouse", {"in_passage", "in_stem"}),
        ("bees -meadow", set()),
        ("gondola", set()),
        ("the", {"in_passage", "elsewhere"}),  # only a stop word: the substring still counts
    ],
)
def test_text_search_looks_in_passages_and_stems_only(tutor_client, texts, query, expected):
    page = _page(tutor_client, q=query)
    assert _shown(page) == {texts[name].pk for name in expected}


def test_text_search_combines_with_the_filters(tutor_client, texts):
    assert _shown(_page(tutor_client, q="meadow", section="math")) == set()
    assert _shown(_page(tutor_client, q="meadow", section="rw")) == {texts["in_passage"].pk}


def test_text_search_reaches_the_second_passage(tutor_client):
    question = _rw_question(
        skill="cross_text_connections",
        passage="Text 1 argues that cities cool down at night.",
        passage_b="Text 2 notes that asphalt stores heat.",
        stem="How would the author of Text 2 respond to Text 1?",
    )
    assert _shown(_page(tutor_client, q="asphalt")) == {question.pk}


def test_draft_and_retired_questions_never_appear(tutor_client):
    approved = make_question(stem=r"Approved \(x = 1\) about a zeppelin")
    make_question(stem=r"Draft \(x = 2\) about a zeppelin", status="draft")
    make_question(stem=r"Retired \(x = 3\) about a zeppelin", status="retired")
    assert _shown(_page(tutor_client)) == {approved.pk}
    assert _shown(_page(tutor_client, q="zeppelin")) == {approved.pk}
    assert _shown(_page(tutor_client, skill=approved.skill)) == {approved.pk}


def test_a_question_card_renders_math_and_hides_the_answer(tutor_client):
    question = make_question(
        stem=r"If \(\frac{x}{2} = 3\), what is \(x\)?",
        explanation=r"Choice B is correct: \(x = 6\).",
    )
    page = _page(tutor_client)
    assert "<math" in page and "<mfrac>" in page
    assert r"\frac" not in page
    card = page[page.index(f'id="bank-question-{question.pk}"') :]
    details = card[card.index("<details") : card.index("</details>")]
    assert "Answer: B" in details and "Halves twice." in details
    assert "Linear equations in one variable" in card and "Easy" in card


def test_it_paginates_twenty_per_page_in_a_stable_order(tutor_client):
    made = [make_question(difficulty="hard") for _ in range(25)]
    make_question(difficulty="easy")  # filtered out: the filter must survive paging

    first = _page(tutor_client, difficulty="hard")
    assert len(_shown(first)) == 20
    assert _status(first) == "25 questions match · showing 1–20."
    next_link = _find(r'<a href="([^"]+)" rel="next">', first).group(1)
    assert "difficulty=hard" in html.unescape(next_link)

    second_response = tutor_client.get(BANK_URL + html.unescape(next_link))
    second = second_response.content.decode()
    assert len(_shown(second)) == 5
    assert "Page 2 of 2" in second
    assert _shown(first) | _shown(second) == {q.pk for q in made}


def test_results_are_ordered_by_skill_in_taxonomy_order_then_id():
    words = _rw_question()
    circles = make_question(domain="geometry_trig", skill="circles")
    functions_b = make_question(skill="linear_functions")
    linear = make_question(skill="linear_equations_one_variable")
    functions_a = make_question(skill="linear_functions")
    assert list(bank_search()) == [linear, functions_b, functions_a, circles, words]


def test_the_save_form_posts_the_bank_id_back_to_this_page(tutor_client):
    question = make_question()
    page = _page(tutor_client, skill=question.skill, difficulty="easy")
    form = _find(r'<form method="post" action="([^"]+)".*?</form>', page)
    assert form.group(1) == reverse("sets:add")
    assert f'name="bank_id" value="{question.pk}"' in form.group(0)
    next_value = _find(r'name="next" value="([^"]+)"', form.group(0)).group(1)
    assert html.unescape(next_value) == (f"{BANK_URL}?skill={question.skill}&difficulty=easy")
    # No sets yet: the form names a new one.
    assert 'name="new_set_name"' in form.group(0)
    assert 'name="set_id"' not in form.group(0)


def test_filter_controls_are_labelled(tutor_client):
    page = _page(tutor_client)
    for name in ("q", "section", "domain", "skill", "difficulty"):
        assert f'<label for="id_{name}">' in page
        assert f'id="id_{name}"' in page
    assert re.search(r'<form method="get"[^>]*role="search"', page)
    assert '<button type="submit">Show questions</button>' in page


def test_no_match_says_so(tutor_client):
    make_question()
    page = _page(tutor_client, q="gondola")
    assert _status(page) == "0 questions match."
    assert "No approved questions match these filters." in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "bees\x00"},
        {"q": "x" * 5000},
        {"q": "'\"():*&|!<->"},
        {"section": "physics", "domain": "nope", "skill": "nope", "difficulty": "brutal"},
        {"page": "abc"},
        {"page": "999"},
    ],
)
def test_odd_parameters_still_give_a_page(tutor_client, params):
    question = make_question()
    page = _page(tutor_client, **params)
    if "q" not in params:
        assert _shown(page) == {question.pk}


def test_the_nav_links_to_the_bank(tutor_client):
    assert f'href="{BANK_URL}">Bank</a>' in _page(tutor_client)


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(BANK_URL)
    assert response.status_code == 302
    assert response.url == f"{resolve_url(settings.LOGIN_URL)}?next={BANK_URL}"
