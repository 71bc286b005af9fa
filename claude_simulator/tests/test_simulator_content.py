"""Tests for the Claude simulator's default responder, called directly with request bodies.

Every generated question must pass SATgen's own deterministic gates
(generation.pipeline.gates) and the structural checks spelled out here; math answers are
verified with SymPy here, in the test, on the simulator's own output.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import sympy
from latex2mathml.converter import convert
from PIL import Image

from claude_simulator.content import respond
from generation.pipeline import ocr
from generation.pipeline.gates import run_gates
from generation.pipeline.schemas import DraftQuestion
from generation.tests.builders import MATH_SCREENSHOT, question_png
from questions.services import questions_import
from questions.spr import spr_format_error
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

SEED_FILE = Path(__file__).resolve().parents[2] / "questions" / "seed" / "seed_bank.jsonl"
MATH_SKILLS = [s for s in Skill.values if SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(s)]] == "math"]
RW_SKILLS = [s for s in Skill.values if s not in MATH_SKILLS]
# (difficulty, variant) pairs per skill and kind: every difficulty, and several variants.
SAMPLES = [("easy", 0), ("medium", 0), ("medium", 1), ("medium", 2), ("hard", 0), ("hard", 3)]
INLINE_MATH = re.compile(r"\\\((.*?)\\\)", re.S)
LETTERS = "ABCD"
needs_tesseract = pytest.mark.skipif(
    shutil.which(ocr.TESSERACT) is None, reason="tesseract is missing: `make test` installs it"
)


def user_body(text: str, *, extra_messages: list[dict] | None = None) -> dict:
    messages = [{"role": "user", "content": [{"type": "text", "text": text}]}]
    return {"model": "claude-test", "messages": messages + (extra_messages or [])}


def extraction_body(pasted: str) -> dict:
    return user_body(f"Record this SAT question.\n<source_text>\n{pasted}\n</source_text>")


def question_body(skill: str, difficulty: str, kind: str, variant: int, **extra: object) -> dict:
    section = SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(skill)]].value
    request = {
        "section": section,
        "domain": DOMAIN_OF_SKILL[Skill(skill)].value,
        "skill": skill,
        "difficulty": difficulty,
        "kind": kind,
        "instruction": "",
        "variant": variant,
        "avoid": [],
        **extra,
    }
    return user_body(f"<examples>\n</examples>\n<request>{json.dumps(request)}</request>")


def solution_body(draft: dict) -> dict:
    shown = {k: draft[k] for k in ("kind", "passage", "passage_b", "figure", "stem", "choices")}
    return user_body(f"<question>{json.dumps(shown)}</question>")


def seed_lines(count: int | None = None) -> list[str]:
    lines = SEED_FILE.read_text().splitlines()
    return lines if count is None else lines[:count]


@pytest.fixture
def bank(db):
    report = questions_import(lines=seed_lines())
    assert not report.rejected
    return [json.loads(line) for line in seed_lines()]


# --- checking a draft the way SATgen's gates do -------------------------------------------------


def latex_value(choice: str) -> sympy.Expr | None:
    """Return the number a choice like \\(\\frac{7}{2}\\) or \\(3\\sqrt{2}\\) shows, else None."""
    match = re.fullmatch(r"\\\((.*)\\\)", choice.strip())
    if not match:
        return None
    text = match.group(1).replace("{,}", "")
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", text).replace(r"\pi", "pi")
    text = re.sub(r"(\d)\s*(pi|sqrt)", r"\1*\2", text)
    for _ in range(3):
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
    if re.search(r"[a-oq-z\\]", text.replace("sqrt", "").replace("pi", "")):
        return None
    return sympy.nsimplify(sympy.sympify(text))


def math_check_values(check: dict) -> set:
    expression = sympy.sympify(check["expression"].replace("^", "**"))
    if not check["solve_for"]:
        return {sympy.nsimplify(expression)}
    equations = []
    for equation in check["equations"]:
        left, right = equation.replace("^", "**").split("=")
        equations.append(sympy.Eq(sympy.sympify(left), sympy.sympify(right)))
    symbol = sympy.Symbol(check["solve_for"])
    solutions = sympy.solve(equations, symbol, dict=True)
    return {sympy.nsimplify(expression.subs(solution)) for solution in solutions}


def words(text: str) -> int:
    return len(text.split())


def assert_passes_gates(draft: dict, *, skill: str, difficulty: str, kind: str) -> None:
    model = DraftQuestion.model_validate(draft)
    section = SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(skill)]]
    failed = [g for g in run_gates(model, skill=Skill(skill), section=section) if not g.passed]
    assert not failed, failed
    assert (draft["skill"], draft["difficulty"], draft["kind"]) == (skill, difficulty, kind)
    texts = [draft["stem"], draft["passage"], draft["passage_b"], draft["figure"]]
    texts += [draft["explanation"], *draft["choices"]]
    texts += [r["why_wrong"] for r in draft["rationales"]]
    for text in texts:
        assert text.count(r"\(") == text.count(r"\)"), text
        for formula in INLINE_MATH.findall(text):
            convert(formula)  # raises when latex2mathml cannot render it
        assert "all of the above" not in text.lower()
        assert "none of the above" not in text.lower()

    if kind == "mcq":
        choices = draft["choices"]
        normalised = {
            " ".join(c.replace(r"\(", "").replace(r"\)", "").split()).casefold() for c in choices
        }
        assert len(choices) == 4 and len(normalised) == 4, choices
        key = draft["key"]
        assert key in LETTERS
        assert draft["explanation"].startswith(f"Choice {key} is correct.")
        assert sorted(r["choice"] for r in draft["rationales"]) == sorted(set(LETTERS) - {key})
        assert all(r["why_wrong"].strip() for r in draft["rationales"])
        key_text = choices[LETTERS.index(key)]
        others = [c for i, c in enumerate(choices) if i != LETTERS.index(key)]
        assert len(key_text) <= 1.2 * max(len(o) for o in others) + 3, choices
    else:
        assert spr_format_error(draft["key"]) is None, draft["key"]
        assert draft["key"] in draft["explanation"]
        assert draft["choices"] == [] and draft["rationales"] == []

    if skill in RW_SKILLS:
        assert 25 <= words(draft["passage"]) <= 150, draft["passage"]
        assert draft["math_check"] is None
        if skill == "cross_text_connections":
            assert draft["passage_b"] and 25 <= words(draft["passage_b"]) <= 150
        else:
            assert draft["passage_b"] == ""
        return

    key_value = (
        sympy.nsimplify(sympy.sympify(draft["key"]))
        if kind == "spr"
        else latex_value(draft["choices"][LETTERS.index(draft["key"])])
    )
    if draft["math_check"] is None:
        # Only answers that are not values (statements) go without a machine check.
        assert key_value is None, draft["choices"]
        return
    assert key_value is not None, draft["choices"]
    values = math_check_values(draft["math_check"])
    assert len(values) == 1, (values, draft["math_check"])
    assert sympy.simplify(values.pop() - key_value) == 0, (draft["math_check"], draft["key"])


# --- extract ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pasted_math_question_with_choices_is_extracted_as_latex(bank):
    out = respond(
        "extract",
        extraction_body("If 5x + 2 = 3x + 14, what is the value of x?\nA) 4\nB) 6\nC) 8\nD) 16"),
    )
    assert out["is_sat_question"] is True
    assert out["kind"] == "mcq"
    assert out["stem"] == r"If \(5x + 2 = 3x + 14\), what is the value of \(x\)?"
    assert out["choices"] == [r"\(4\)", r"\(6\)", r"\(8\)", r"\(16\)"]
    classification = out["classification"]
    assert classification["skill"] in MATH_SKILLS
    assert 0.6 <= classification["confidence"] <= 0.9
    for formula in INLINE_MATH.findall(out["stem"] + "".join(out["choices"])):
        convert(formula)


@pytest.mark.django_db
def test_inline_choices_and_a_pasted_answer_key_are_handled(bank):
    out = respond(
        "extract",
        extraction_body(
            "The function f is defined by f(x) = 3x^2 - 5. What is the value of f(4)?\n"
            "A) 7 B) 43 C) 48 D) 139\nAnswer: B"
        ),
    )
    assert out["choices"] == [r"\(7\)", r"\(43\)", r"\(48\)", r"\(139\)"]
    assert r"\(f(x) = 3x^2 - 5\)" in out["stem"] and r"\(f(4)\)" in out["stem"]
    assert "Answer" not in out["stem"]
    for formula in INLINE_MATH.findall(out["stem"]):
        convert(formula)


@pytest.mark.django_db
def test_pasted_word_problem_without_choices_is_a_grid_in(bank):
    out = respond(
        "extract",
        extraction_body(
            "A bakery sells muffins for $2.50 each. Dana spent $17.50 on muffins. "
            "How many muffins did Dana buy?"
        ),
    )
    assert out["is_sat_question"] is True
    assert out["kind"] == "spr" and out["choices"] == []
    assert out["classification"]["skill"] in MATH_SKILLS


@pytest.mark.django_db
def test_pasted_reading_question_is_split_into_passage_stem_and_choices(bank):
    pasted = (
        "Many city parks now let a strip of lawn grow into a meadow. Ecologist Mara Quist "
        "found that such strips attract more bees than mowed lawn does.\n"
        "Which choice best states the main idea of the text?\n"
        "(A) Meadow strips in parks can support more bees than lawns.\n"
        "(B) Bees avoid city parks.\n"
        "(C) Mowing lawns is expensive.\n"
        "(D) Quist studies only birds."
    )
    out = respond("extract", extraction_body(pasted))
    assert out["is_sat_question"] is True
    assert out["stem"] == "Which choice best states the main idea of the text?"
    assert out["passage"].startswith("Many city parks")
    assert out["choices"][0] == "Meadow strips in parks can support more bees than lawns."
    assert out["classification"]["skill"] == "central_ideas_details"


@pytest.mark.django_db
def test_cross_text_paste_keeps_the_two_texts_apart(bank):
    pasted = (
        "Text 1\nSome historians say the canal made the town rich.\n"
        "Text 2\nOthers point out that the town's trade grew before the canal opened.\n"
        "Based on the texts, how would the author of Text 2 most likely respond to Text 1?\n"
        "A. By agreeing fully\nB. By questioning the claim\nC. By ignoring it\nD. By praising it"
    )
    out = respond("extract", extraction_body(pasted))
    assert out["passage"].startswith("Text 1")
    assert out["passage_b"].startswith("Text 2")
    assert out["classification"]["skill"] == "cross_text_connections"


def test_shopping_list_is_not_an_sat_question():
    out = respond("extract", extraction_body("milk\neggs\n2 loaves of bread\napples"))
    assert out["is_sat_question"] is False
    assert "list" in out["not_a_question_reason"]
    assert out["classification"] is None
    assert out["stem"] == "" and out["choices"] == []


def image_body(*images: bytes) -> dict:
    content: list[dict] = [
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": "image/png",
                "data": base64.b64encode(data).decode(),
            },
        }
        for data in images
    ]
    content.append({"type": "text", "text": "Record the SAT question in this screenshot."})
    return {"messages": [{"role": "user", "content": content}]}


@needs_tesseract
@pytest.mark.django_db
def test_a_math_screenshot_is_read_as_the_math_question_it_shows(bank):
    stem, choices = MATH_SCREENSHOT
    out = respond("extract", image_body(question_png(stem, choices)))
    assert out["is_sat_question"] is True
    assert out["stem"] == r"If \(3x + 7 = 22\), what is the value of \(x\)?"
    assert out["choices"] == [r"\(3\)", r"\(5\)", r"\(7\)", r"\(15\)"]
    assert out["classification"]["skill"] in MATH_SKILLS
    assert not any(q["stem"] == out["stem"] for q in bank)  # read, not picked from the bank


@needs_tesseract
@pytest.mark.django_db
def test_a_reading_screenshot_is_read_as_passage_stem_and_choices(bank):
    passage = (
        "Since 1990, the giant panda had been classified as endangered. ______ in 2016, after "
        "a survey found that the number of wild pandas had grown, its status was changed."
    )
    stem = "Which choice completes the text with the most logical transition?"
    choices = ["Similarly,", "However,", "For example,", "In addition,"]
    out = respond("extract", image_body(question_png(stem, choices, passage=passage)))
    assert out["stem"] == stem and out["choices"] == choices
    assert out["passage"].startswith("Since 1990, the giant panda")
    assert out["classification"]["skill"] == "transitions"


@needs_tesseract
@pytest.mark.django_db
def test_a_screenshot_sent_in_overlapping_slices_is_read_once(bank):
    stem, choices = MATH_SCREENSHOT
    with Image.open(io.BytesIO(question_png(stem, choices))) as whole:
        cut = whole.height // 2
        slices = []
        for box in ((0, 0, whole.width, cut + 40), (0, cut - 40, whole.width, whole.height)):
            buffer = io.BytesIO()
            whole.crop(box).save(buffer, "PNG")
            slices.append(buffer.getvalue())
    out = respond("extract", image_body(*slices))
    assert out["choices"] == [r"\(3\)", r"\(5\)", r"\(7\)", r"\(15\)"]


@needs_tesseract
def test_a_screenshot_without_text_is_not_a_question():
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (90, 140, 60)).save(buffer, "PNG")
    out = respond("extract", image_body(buffer.getvalue()))
    assert out["is_sat_question"] is False
    assert "no text" in out["not_a_question_reason"]


def test_an_image_that_cannot_be_decoded_is_not_a_question():
    out = respond("extract", image_body(b"\x89PNG\r\n\x1a\n and then nothing"))
    assert out["is_sat_question"] is False
    assert "cannot be decoded" in out["not_a_question_reason"]


@needs_tesseract
@pytest.mark.django_db
def test_the_confidence_of_a_reading_says_what_the_parser_found(bank):
    stem, choices = MATH_SCREENSHOT
    with_choices = respond("extract", image_body(question_png(stem, choices)))
    grid_in = respond("extract", image_body(question_png(stem)))
    assert grid_in["kind"] == "spr"
    # The same question without its choices is read less surely, and a short reading too.
    assert grid_in["classification"]["confidence"] < with_choices["classification"]["confidence"]
    pasted = respond("extract", extraction_body(f"{stem}\nA) 3\nB) 5\nC) 7\nD) 15"))
    assert with_choices["classification"]["confidence"] < pasted["classification"]["confidence"]


# The forms a tutor pastes (or OCR reads): every one is the same question.
MARKED_FORMS = {
    "A) on lines": "If 2x + 3 = 11, what is x?\nA) 2\nB) 4\nC) 6\nD) 8",
    "(A) on lines": "If 2x + 3 = 11, what is x?\n(A) 2\n(B) 4\n(C) 6\n(D) 8",
    "A. on lines": "If 2x + 3 = 11, what is x?\nA. 2\nB. 4\nC. 6\nD. 8",
    "on one line": "If 2x + 3 = 11, what is x?\nA) 2  B) 4  C) 6  D) 8",
    "(A) on one line": "If 2x + 3 = 11, what is x?\n(A) 2 (B) 4 (C) 6 (D) 8",
    "all on one line": "If 2x + 3 = 11, what is x? A) 2 B) 4 C) 6 D) 8",
    "A. all on one line": "If 2x + 3 = 11, what is x? A. 2 B. 4 C. 6 D. 8",
    "unlettered, as copied from the test app": "If 2x + 3 = 11, what is x?\n2\n4\n6\n8",
}


@pytest.mark.django_db
@pytest.mark.parametrize("pasted", MARKED_FORMS.values(), ids=MARKED_FORMS.keys())
def test_every_way_of_marking_choices_reads_the_same_question(bank, pasted):
    out = respond("extract", extraction_body(pasted))
    assert out["is_sat_question"] is True, out["not_a_question_reason"]
    assert out["stem"] == r"If \(2x + 3 = 11\), what is \(x\)?"
    assert out["choices"] == [r"\(2\)", r"\(4\)", r"\(6\)", r"\(8\)"]
    assert out["classification"]["skill"] in MATH_SKILLS


@pytest.mark.django_db
def test_a_one_line_question_with_inline_expression_choices_is_math(bank):
    pasted = (
        "A line has slope 3 and passes through the point (0, 1). Which of the following is an "
        "equation of the line? A) y = 3x + 1  B) y = 3x - 1  C) y = x + 3  D) y = -3x + 1"
    )
    out = respond("extract", extraction_body(pasted))
    assert out["is_sat_question"] is True, out["not_a_question_reason"]
    assert out["kind"] == "mcq"
    assert out["stem"].endswith("Which of the following is an equation of the line?")
    assert out["choices"] == [
        r"\(y = 3x + 1\)",
        r"\(y = 3x - 1\)",
        r"\(y = x + 3\)",
        r"\(y = -3x + 1\)",
    ]
    assert out["classification"]["skill"] in MATH_SKILLS
    for formula in INLINE_MATH.findall(out["stem"] + "".join(out["choices"])):
        convert(formula)


@pytest.mark.django_db
def test_a_math_question_without_choices_is_a_grid_in_and_less_sure(bank):
    asked = respond("extract", extraction_body("If 3x - 4 = 11, what is the value of x?"))
    assert asked["kind"] == "spr" and asked["choices"] == []
    assert asked["stem"] == r"If \(3x - 4 = 11\), what is the value of \(x\)?"
    assert asked["classification"]["skill"] in MATH_SKILLS
    marked = respond(
        "extract",
        extraction_body("If 3x - 4 = 11, what is the value of x?\nA) 3\nB) 5\nC) 7\nD) 9"),
    )
    assert asked["classification"]["confidence"] < marked["classification"]["confidence"]


# --- generate -------------------------------------------------------------------------------


CASES = [(skill, "mcq") for skill in Skill.values] + [(skill, "spr") for skill in MATH_SKILLS]


@pytest.mark.parametrize(("skill", "kind"), CASES)
def test_generated_questions_pass_the_deterministic_gates(skill, kind):
    for difficulty, variant in SAMPLES:
        draft = respond("generate", question_body(skill, difficulty, kind, variant))
        assert_passes_gates(draft, skill=skill, difficulty=difficulty, kind=kind)


@pytest.mark.parametrize("skill", Skill.values)
def test_different_variants_give_different_questions(skill):
    texts = set()
    for variant in range(6):
        draft = respond("generate", question_body(skill, "medium", "mcq", variant))
        texts.add((draft["stem"], draft["passage"]))
    assert len(texts) == 6


def test_reading_and_writing_requests_for_grid_ins_get_multiple_choice():
    draft = respond("generate", question_body("transitions", "easy", "spr", 0))
    assert draft["kind"] == "mcq" and len(draft["choices"]) == 4


def test_generation_is_deterministic_for_the_same_request():
    body = question_body("percentages", "hard", "spr", 4)
    assert respond("generate", body) == respond("generate", body)


def test_avoid_list_steers_away_from_a_written_stem():
    first = respond("generate", question_body("circles", "medium", "mcq", 0))
    other = respond("generate", question_body("circles", "medium", "mcq", 0, avoid=[first["stem"]]))
    assert other["stem"] != first["stem"]


def test_repair_turn_is_answered_from_the_earlier_request():
    body = question_body("linear_functions", "easy", "mcq", 1)
    first = respond("generate", body)
    # The client's repair turn: the reply replayed verbatim, then what was wrong.
    body["messages"] += [
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "", "signature": "c2lnbmF0dXJl"},
            {"type": "text", "text": json.dumps(first)},
        ]},
        {"role": "user", "content": [{"type": "text", "text": "choices: field required"}]},
    ]  # fmt: skip
    repaired = respond("generate", body)
    assert_passes_gates(repaired, skill="linear_functions", difficulty="easy", kind="mcq")
    assert repaired["stem"] != first["stem"]


def test_harder_instruction_keeps_the_requested_difficulty_label():
    body = question_body("ratios_rates", "easy", "mcq", 0, instruction="make it harder")
    draft = respond("generate", body)
    assert_passes_gates(draft, skill="ratios_rates", difficulty="easy", kind="mcq")


def test_science_instruction_picks_a_science_passage():
    body = question_body("inferences", "medium", "mcq", 0, instruction="science context please")
    draft = respond("generate", body)
    science_words = ("planet", "moth", "wasp", "squirrel", "beaver", "fig", "star")
    assert any(word in draft["passage"] for word in science_words)


# --- solve -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skill", "kind"),
    [("systems_linear_equations", "mcq"), ("probability", "spr"), ("boundaries", "mcq")],
)
def test_solver_answers_questions_it_wrote(skill, kind):
    draft = respond("generate", question_body(skill, "hard", kind, 2))
    solution = respond("solve", solution_body(draft))
    assert solution["answer"] == draft["key"]
    assert solution["confident"] is True
    assert solution["reasoning"]


@pytest.mark.django_db
def test_solver_answers_bank_questions_from_the_bank(bank):
    question = next(q for q in bank if q["kind"] == "mcq" and q["key"] != "A")
    solution = respond("solve", solution_body(question))
    assert solution["answer"] == question["key"]
    assert solution["confident"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "expected"), [("mcq", "A"), ("spr", "0")])
def test_solver_is_not_confident_about_unknown_questions(kind, expected):
    question = {
        "kind": kind,
        "passage": "",
        "passage_b": "",
        "figure": "",
        "stem": "A question nobody wrote: what is the value of \\(q\\)?",
        "choices": ["\\(1\\)", "\\(2\\)", "\\(3\\)", "\\(4\\)"] if kind == "mcq" else [],
    }
    solution = respond("solve", solution_body(question))
    assert solution == {
        "answer": expected,
        "reasoning": "Could not solve this question.",
        "confident": False,
    }


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="no responder for task"):
        respond("record_question", user_body("hello"))
