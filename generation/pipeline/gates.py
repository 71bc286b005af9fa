"""The deterministic quality gates every generated question goes through.

Each gate is a small pure function ``gate(draft, skill, section) -> str | None`` that
returns why the draft fails, or None when it passes. ``run_gates`` runs all of them,
always, so a tutor sees every problem at once rather than the first one.

Gates that compare something against the key (the explanation, the rationales, the
length giveaway) pass silently when the key itself is invalid: ``key_is_a_choice``
already reports that, and one fault should produce one failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from latex2mathml.converter import convert as latex_to_mathml

from generation.pipeline.schemas import DraftQuestion, GateResult
from questions.spr import spr_format_error
from questions.taxonomy import Section, Skill

LETTERS = ("A", "B", "C", "D")

Gate = Callable[[DraftQuestion, Skill, Section], str | None]

# --- choice normalisation ---------------------------------------------------------

# Rewrites applied in order by normalise_choice; each makes two spellings of the same
# rendered choice compare equal. Casefolding and whitespace removal come after.
_NORMALISE_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("\u2212"), "-"),  # Unicode minus sign
    (re.compile(r"\\[()\[\]]"), ""),  # \( \) \[ \] math delimiters
    (re.compile(r"\\(?:left|right)(?![a-zA-Z])"), ""),  # sizing only
    (re.compile(r"\\[dt]frac(?![a-zA-Z])"), r"\\frac"),  # display/text size only
    (re.compile(r"\\(?:cdot|times)(?![a-zA-Z])"), "*"),  # all three mean multiplication
    (re.compile(r"\\(?:text|textrm|mathrm|mbox)\s*\{([^{}]*)\}"), r"\1"),  # font only
    (re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![a-zA-Z])"), "\u00b0"),  # degrees
    (re.compile(r"\\([%$])"), r"\1"),  # escaped percent and dollar
    (re.compile(r"\\[,!;: ]|\\q?quad(?![a-zA-Z])"), ""),  # LaTeX spacing
    (re.compile(r"\s+"), ""),  # all whitespace
)
# Braces around one token change nothing: x^{2} is x^2, \frac{1}{2} is \frac12.
_SINGLE_TOKEN_GROUP = re.compile(r"\{(\\[a-zA-Z]+|[^{}\\])\}")


def normalise_choice(text: str) -> str:
    """Return text in a canonical form: no delimiters, spacing, sizing or case."""
    for pattern, replacement in _NORMALISE_REWRITES:
        text = pattern.sub(replacement, text)
    previous = None
    while previous != text:
        previous, text = text, _SINGLE_TOKEN_GROUP.sub(r"\1", text)
    return text.casefold()


_NUMBER = r"(?:\d{1,3}(?:(?:,|\{,\})\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
_PLAIN_NUMBER = re.compile(rf"(-?){_NUMBER}")
_SLASH_FRACTION = re.compile(rf"(-?{_NUMBER})/(-?{_NUMBER})")
_LATEX_FRACTION = re.compile(rf"(-?)\\frac\{{(-?{_NUMBER})\}}\{{(-?{_NUMBER})\}}")


def _fraction(number: str) -> Fraction:
    return Fraction(number.replace("{,}", "").replace(",", ""))


def choice_value(text: str) -> Fraction | None:
    """Return the exact value of a numeric choice (12, -0.5, 3/4, \\(\\frac{3}{4}\\)), or None."""
    compact = text.replace("\u2212", "-")
    compact = re.sub(r"\\[()\[\]]|\\(?:left|right)(?![a-zA-Z])|\\[,!;: ]|\s+", "", compact)
    compact = re.sub(r"\\[dt]frac(?![a-zA-Z])", r"\\frac", compact)
    if _PLAIN_NUMBER.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        return _fraction(compact)
    if match := _SLASH_FRACTION.fullmatch(compact):
        numerator, denominator = _fraction(match[1]), _fraction(match[2])
        return numerator / denominator if denominator else None
    if match := _LATEX_FRACTION.fullmatch(compact):
        numerator, denominator = _fraction(match[2]), _fraction(match[3])
        if not denominator:
            return None
        return -numerator / denominator if match[1] else numerator / denominator
    return None


def choice_values(choices: list[str]) -> list[Fraction | None]:
    """Return choice_value for every choice, in order."""
    return [choice_value(choice) for choice in choices]


# --- kind and choices ----------------------------------------------------------------


def kind_fits_section(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail a student-produced response outside Math."""
    if draft.kind == "spr" and section != Section.MATH:
        return (
            f"{Section(section).label} questions are always multiple choice, "
            "but this one is a student-produced response."
        )
    return None


def four_distinct_choices(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail unless an mcq has four non-empty distinct choices (and an spr none)."""
    choices = draft.choices
    if draft.kind == "spr":
        if choices:
            return f"A student-produced response has no choices, but this one has {len(choices)}."
        return None
    if len(choices) != 4:
        return f"A multiple-choice question needs exactly 4 choices; this one has {len(choices)}."
    empty = [letter for letter, text in zip(LETTERS, choices, strict=True) if not text.strip()]
    if empty:
        return f"Choice {' and '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty."
    problems = []
    normalised = [normalise_choice(choice) for choice in choices]
    values = choice_values(choices)
    for i in range(4):
        for j in range(i + 1, 4):
            pair = f"Choices {LETTERS[i]} and {LETTERS[j]}"
            shown = _quoted_pair(choices[i], choices[j])
            if normalised[i] == normalised[j]:
                problems.append(f"{pair} are the same after normalising: {shown}")
            elif values[i] is not None and values[i] == values[j]:
                problems.append(f"{pair} have the same value ({values[i]}): {shown}")
    return "; ".join(problems) or None


def _quoted_pair(first: str, second: str) -> str:
    return f"'{first}'" if first == second else f"'{first}' and '{second}'"


def key_is_a_choice(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail an mcq key that is not a letter with a choice, or an spr key off the grid."""
    if draft.kind == "spr":
        return spr_format_error(draft.key)
    if draft.key not in LETTERS:
        return f"The key {draft.key!r} is not one of A, B, C, D."
    index = LETTERS.index(draft.key)
    if index >= len(draft.choices):
        return f"The key is {draft.key} but there are only {len(draft.choices)} choices."
    if not draft.choices[index].strip():
        return f"The key is {draft.key} but choice {draft.key} is empty."
    return None


# A choice that is about the other choices: the whole choice is the phrase ("None of the
# above.", "All of these are correct", "Both A and B"). An ordinary answer that uses the words
# ("None of them is type V.", "Both studies used the same method.") is not one.
_LETTER = r"\(?(?-i:[A-D])\)?"
_ALL_OR_NONE = re.compile(
    r"^\s*(?:"
    r"(?:all|none|any)\s+of\s+(?:the\s+)?(?:above|these|those|them|choices|answers|options)"
    r"(?:\s+(?:choices|answers|options))?(?:\s+(?:is|are)\s+(?:correct|true|right))?"
    rf"|both\s+(?:choices?\s+)?{_LETTER}\s+and\s+{_LETTER}"
    r"|both\s+of\s+(?:the\s+)?(?:above|these|them)"
    rf"|neither(?:\s+of\s+(?:the\s+)?(?:above|these|them)|\s+{_LETTER}\s+nor\s+{_LETTER})?"
    r")\s*[.!]?\s*$",
    re.IGNORECASE,
)


def no_all_or_none_of_the_above(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail choices such as "All of the above", "None of the above", "Both A and B", "Neither"."""
    found = [
        f"Choice {letter} is '{text}'"
        for letter, text in zip(LETTERS, draft.choices, strict=False)
        if _ALL_OR_NONE.search(text)
    ]
    if found:
        return "; ".join(found) + ": the SAT never uses all/none/both/neither-of-the-above choices."
    return None


# --- explanation and rationales ---------------------------------------------------------

# Ways an explanation says a letter is the answer. Letters are upper case only, so the
# article "a" never counts; "is incorrect" and "is not correct" never match "is correct".
_CORRECT = r"(?i:is|was)\s+(?i:the\s+)?(?i:correct|right|best)\b"
_CLAIMS = (
    re.compile(rf"\b(?i:choice|option|answer)\s*\(?([A-D])\)?\s*,?\s*{_CORRECT}"),
    re.compile(rf"(?<![\w'])\(?([A-D])\)?\s+{_CORRECT}"),
    re.compile(
        r"\b(?i:the)\s+(?i:(?:correct|right|best)\s+)?(?i:answer|choice)\s+(?i:is)\s+"
        r"(?i:choice\s+|option\s+)?\(?([A-D])\)?(?![\w'])"
    ),
)


# A letter dressed up as real explanations write it: \(\mathbf{C}\), \textbf{C}, **C**.
_DRESSED_LETTER = re.compile(
    r"\\\(\s*(?:\\(?:mathbf|textbf|mathrm|textrm|text|mathit|textit|boldsymbol)\s*)?"
    r"\{?\s*([A-D])\s*\}?\s*\\\)"
    r"|\\(?:mathbf|textbf|mathrm|textrm|text|textit|emph)\s*\{\s*([A-D])\s*\}"
)
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=[A-Za-z])|(?<=[A-Za-z])\*(?![\w*])")


def claimed_correct_letters(explanation: str) -> set[str]:
    """Return the letters the explanation says are correct."""
    plain = _DRESSED_LETTER.sub(lambda m: m[1] or m[2], explanation)
    plain = _MARKDOWN_EMPHASIS.sub("", plain)
    return {match[1] for pattern in _CLAIMS for match in pattern.finditer(plain)}


def explanation_names_key(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail an explanation that does not name the key as the answer, or names another."""
    if draft.kind == "spr":
        return _spr_explanation_error(draft)
    if draft.key not in LETTERS:
        return None  # key_is_a_choice reports it
    claimed = claimed_correct_letters(draft.explanation)
    others = sorted(claimed - {draft.key})
    if others:
        named = " and ".join(f"Choice {letter}" for letter in others)
        return f"The explanation says {named} is correct, but the key is {draft.key}."
    if draft.key not in claimed:
        return f"The explanation never says Choice {draft.key} is correct."
    return None


_TEXT_FRACTION = re.compile(
    rf"(-\s*)?\\[dt]?frac\s*\{{\s*(-?{_NUMBER})\s*\}}\s*\{{\s*(-?{_NUMBER})\s*\}}"
)
_TEXT_NUMBER = re.compile(rf"(?<![\w.])(-?{_NUMBER})(?:/(-?{_NUMBER}))?(?![\w])")


def _numbers_in(text: str) -> set[Fraction]:
    """Return every numeric value written in text: 1.5, -3/2, \\frac{3}{2}."""
    text = text.replace("\u2212", "-")
    values: set[Fraction] = set()
    for match in _TEXT_FRACTION.finditer(text):
        denominator = _fraction(match[3])
        if denominator:
            value = _fraction(match[2]) / denominator
            values.add(-value if match[1] else value)
    for match in _TEXT_NUMBER.finditer(_TEXT_FRACTION.sub(" ", text)):
        value = _fraction(match[1].rstrip("."))
        if match[2] is not None:
            denominator = _fraction(match[2])
            if not denominator:
                continue
            value /= denominator
        values.add(value)
    return values


def sat_decimal_matches(shown: str, value: Fraction) -> bool:
    """Return whether shown is value rounded or truncated to shown's decimal places."""
    if "." not in shown:
        return False
    places = Decimal(1).scaleb(-len(shown.split(".", 1)[1]))
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    target = Decimal(shown)
    return target in (
        exact.quantize(places, rounding=ROUND_HALF_UP),
        exact.quantize(places, rounding=ROUND_DOWN),
    )


def _spr_explanation_error(draft: DraftQuestion) -> str | None:
    if spr_format_error(draft.key) is not None:
        return None  # key_is_a_choice reports it
    key = _fraction(draft.key.rstrip("."))
    stated = _numbers_in(draft.explanation)
    if key in stated or any(sat_decimal_matches(draft.key, value) for value in stated):
        return None
    return f"The explanation never states the answer {draft.key} (in any equivalent form)."


def rationales_cover_wrong_choices(
    draft: DraftQuestion, skill: Skill, section: Section
) -> str | None:
    """Fail unless every wrong choice has exactly one non-empty rationale and the key none."""
    if draft.kind == "spr":
        if draft.rationales:
            return (
                "A student-produced response has no wrong choices, "
                f"but there are {len(draft.rationales)} rationales."
            )
        return None
    if draft.key not in LETTERS:
        return None  # key_is_a_choice reports it
    counts = {letter: 0 for letter in LETTERS}
    problems = []
    for rationale in draft.rationales:
        counts[rationale.choice] += 1
        if not rationale.why_wrong.strip():
            problems.append(f"The rationale for {rationale.choice} is empty.")
    if counts[draft.key]:
        problems.append(f"There is a rationale for the key {draft.key}.")
    wrong = [letter for letter in LETTERS if letter != draft.key]
    missing = [letter for letter in wrong if counts[letter] == 0]
    if missing:
        problems.append(f"No rationale for choice {', '.join(missing)}.")
    problems += [
        f"Choice {letter} has {counts[letter]} rationales."
        for letter in wrong
        if counts[letter] > 1
    ]
    return " ".join(problems) or None


# --- length giveaway --------------------------------------------------------------------

# A key this much longer than every distractor is the classic test-wiseness cue ("pick
# the longest answer"). Official choices are written to parallel length, but a real key is
# often a qualifying phrase longer than the next choice: at 1.3x and 10 characters the gate
# rejected such College Board items (issue 13). Half as long again and 15 characters more
# still catches the giveaway; the absolute gap keeps short math choices ("12" vs "4") out.
KEY_LENGTH_RATIO = 1.5
KEY_LENGTH_MIN_GAP = 15


def display_length(text: str) -> int:
    """Return roughly how many characters a choice shows: LaTeX markup does not count."""
    text = re.sub(r"\\[()\[\]]|\\[a-zA-Z]+|\\.|[{}]", "", text)
    return len(" ".join(text.split()))


def key_not_longest(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail when the key is conspicuously the longest choice."""
    if draft.kind == "spr" or draft.key not in LETTERS or len(draft.choices) != 4:
        return None
    lengths = [display_length(choice) for choice in draft.choices]
    key_length = lengths[LETTERS.index(draft.key)]
    others = sorted(
        length for letter, length in zip(LETTERS, lengths, strict=True) if letter != draft.key
    )
    runner_up = others[-1]
    if (
        runner_up > 0
        and key_length >= KEY_LENGTH_RATIO * runner_up
        and key_length - runner_up >= KEY_LENGTH_MIN_GAP
    ):
        return (
            f"The key {draft.key} is the longest choice by far ({key_length} characters, "
            f"{key_length / runner_up:.1f}x the next longest at {runner_up}); "
            "its length gives the answer away."
        )
    return None


# --- LaTeX -------------------------------------------------------------------------------

_DELIMITER = re.compile(r"\\\\|\\[()\[\]]")
_CLOSER = {"\\(": "\\)", "\\[": "\\]"}
# latex2mathml renders a command it does not know as the literal text "\name".
_UNKNOWN_COMMAND = re.compile(r"<m[io]>\\([a-zA-Z]+)</m[io]>")
# Pandoc's rule for $...$: no space just inside either dollar, no digit right after the
# closing one. It is what keeps "$45 plus $30" and "$3.75 to $4" from pairing up.
_DOLLAR_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]*?\S)\$(?!\d)")
_MATHY = re.compile(r"[\\^_={}]")
_ALGEBRA = re.compile(r"[A-Za-z0-9+\-*/().\s<>]+")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def math_segments(text: str) -> tuple[list[str], list[str]]:
    """Return the \\( \\) and \\[ \\] segments of text, and any delimiter problems."""
    segments: list[str] = []
    problems: list[str] = []
    opener: str | None = None
    start = 0
    for match in _DELIMITER.finditer(text):
        token = match.group()
        if token == "\\\\":
            continue  # a LaTeX line break, not a delimiter
        if token in _CLOSER:
            if opener is not None:
                problems.append(f"'{token}' opened inside another math segment")
            opener, start = token, match.end()
        elif opener is None:
            problems.append(f"stray '{token}' with no opening delimiter")
        elif token != _CLOSER[opener]:
            problems.append(f"'{opener}' closed by '{token}'")
            opener = None
        else:
            segments.append(text[start : match.start()])
            opener = None
    if opener is not None:
        problems.append(f"'{opener}' is never closed: '{_shorten(text[start - 2 :])}'")
    return segments, problems


def _braces_balanced(segment: str) -> bool:
    depth = 0
    for token in re.findall(r"\\.|[{}]", segment):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


def segment_error(segment: str) -> str | None:
    """Return why one math segment would not render, or None."""
    if not _braces_balanced(segment):
        return f"unbalanced braces in '{_shorten(segment)}'"
    try:
        mathml = latex_to_mathml(segment)
    except Exception as error:  # latex2mathml raises many types, all meaning "cannot render"
        return f"cannot render '{_shorten(segment)}' ({type(error).__name__})"
    if unknown := _UNKNOWN_COMMAND.search(mathml):
        return f"unknown command '\\{unknown[1]}' in '{_shorten(segment)}'"
    return None


def _looks_like_math(content: str) -> bool:
    if _MATHY.search(content) or re.fullmatch(r"[A-Za-z]", content):
        return True
    # "2x + 1" is algebra; "45 and the other costs" is prose that happens to sit between $s.
    return bool(
        _ALGEBRA.fullmatch(content)
        and re.search(r"[A-Za-z]", content)
        and not re.search(r"[A-Za-z]{3,}", content)
    )


def latex_problems(text: str) -> list[str]:
    """Return every reason text's math would not render as we write it."""
    segments, problems = math_segments(text)
    problems += [error for segment in segments if (error := segment_error(segment))]
    prose = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", text, flags=re.DOTALL)
    problems += [
        f"'${match[1]}$' uses dollar signs for math; write \\( ... \\) instead"
        for match in _DOLLAR_MATH.finditer(prose)
        if _looks_like_math(match[1])
    ]
    return problems


def _text_fields(draft: DraftQuestion) -> Iterator[tuple[str, str]]:
    yield "passage", draft.passage
    yield "passage_b", draft.passage_b
    yield "figure", draft.figure
    yield "stem", draft.stem
    for letter, choice in zip(LETTERS, draft.choices, strict=False):
        yield f"choice {letter}", choice
    yield "explanation", draft.explanation
    for rationale in draft.rationales:
        yield f"rationale for {rationale.choice}", rationale.why_wrong


def latex_renders(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail when any field's math has broken delimiters or braces or will not render."""
    problems = [
        f"{field}: {problem}"
        for field, text in _text_fields(draft)
        for problem in latex_problems(text)
    ]
    return "; ".join(problems) or None


# --- lengths -----------------------------------------------------------------------------

MAX_STEM_CHARS = 1200
MAX_CHOICE_CHARS = 400
MAX_EXPLANATION_CHARS = 4000
MAX_MATH_PASSAGE_CHARS = 1200
# Official Reading and Writing passages run 25-150 words; 20 leaves room for a terse
# but real passage while still catching an empty or one-line one.
MAX_RW_PASSAGE_WORDS = 150
MIN_RW_PASSAGE_WORDS = 20


def _word_count(text: str) -> int:
    return len(text.split())


def _rw_passage_problems(name: str, text: str) -> list[str]:
    words = _word_count(text)
    if words < MIN_RW_PASSAGE_WORDS:
        return [f"{name} has {words} words; it needs at least {MIN_RW_PASSAGE_WORDS}."]
    if words > MAX_RW_PASSAGE_WORDS:
        return [
            f"{name} has {words} words; SAT Reading and Writing passages have at most "
            f"{MAX_RW_PASSAGE_WORDS}."
        ]
    return []


def _passage_problems(draft: DraftQuestion, skill: Skill, section: Section) -> list[str]:
    cross_text = skill == Skill.CROSS_TEXT_CONNECTIONS
    if draft.passage_b.strip() and not cross_text:
        return ["passage_b (Text 2) is only for cross-text questions, but it is not empty."]
    if section == Section.MATH:
        return [
            f"The {name} is {len(text)} characters; the limit is {MAX_MATH_PASSAGE_CHARS}."
            for name, text in (("passage", draft.passage), ("passage_b", draft.passage_b))
            if len(text) > MAX_MATH_PASSAGE_CHARS
        ]
    if not cross_text:
        return _rw_passage_problems("The passage", draft.passage)
    return _rw_passage_problems("Text 1 (passage)", draft.passage) + _rw_passage_problems(
        "Text 2 (passage_b)", draft.passage_b
    )


def length_limits(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail text that is missing or longer than an SAT question allows."""
    problems = []
    if not draft.stem.strip():
        problems.append("The stem is empty.")
    elif len(draft.stem) > MAX_STEM_CHARS:
        problems.append(f"The stem is {len(draft.stem)} characters; the limit is {MAX_STEM_CHARS}.")
    problems += [
        f"Choice {letter} is {len(choice)} characters; the limit is {MAX_CHOICE_CHARS}."
        for letter, choice in zip(LETTERS, draft.choices, strict=False)
        if len(choice) > MAX_CHOICE_CHARS
    ]
    if len(draft.explanation) > MAX_EXPLANATION_CHARS:
        problems.append(
            f"The explanation is {len(draft.explanation)} characters; "
            f"the limit is {MAX_EXPLANATION_CHARS}."
        )
    problems += _passage_problems(draft, skill, section)
    return " ".join(problems) or None


def skill_matches(draft: DraftQuestion, skill: Skill, section: Section) -> str | None:
    """Fail a question written for a different skill than the one asked for."""
    if draft.skill != skill:
        return (
            f"The question is labelled '{Skill(draft.skill).label}', "
            f"but '{Skill(skill).label}' was asked for."
        )
    return None


# --- running them -------------------------------------------------------------------------

GATES: tuple[Gate, ...] = (
    kind_fits_section,
    four_distinct_choices,
    key_is_a_choice,
    no_all_or_none_of_the_above,
    explanation_names_key,
    rationales_cover_wrong_choices,
    key_not_longest,
    latex_renders,
    length_limits,
    skill_matches,
)


# Gates about choices: a grid-in passes them by having none, which checks nothing.
CHOICE_GATES = frozenset(
    gate.__name__
    for gate in (
        four_distinct_choices,
        no_all_or_none_of_the_above,
        rationales_cover_wrong_choices,
        key_not_longest,
    )
)


def run_gates(draft: DraftQuestion, *, skill: Skill, section: Section) -> list[GateResult]:
    """Run every gate on draft and return one result per gate, in GATES order."""
    results = []
    for gate in GATES:
        try:
            detail = gate(draft, skill, section)
        except Exception as error:  # a gate bug must fail that gate, not hide the others
            detail = f"The gate crashed: {type(error).__name__}: {error}"
        applies = draft.kind == "mcq" or gate.__name__ not in CHOICE_GATES
        results.append(
            GateResult(
                name=gate.__name__, passed=detail is None, detail=detail or "", applies=applies
            )
        )
    return results
