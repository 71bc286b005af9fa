"""The Claude simulator's default responder: SAT-style stage outputs built from our own bank.

Nothing here is Claude. Extraction parses pasted text (or, for an image it cannot see,
returns a bank question picked by the image's hash), generation fills parametrised
templates (claude_simulator.templates), and the blind solve answers from a memory of
what generation wrote. Every output is validated with the stage's pydantic model.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from pydantic import BaseModel

from claude_simulator.templates import write_question
from generation.pipeline.schemas import BlindSolution, DraftQuestion, Extraction
from questions.taxonomy import (
    SECTION_OF_DOMAIN,
    SKILLS_BY_DOMAIN,
    Difficulty,
    Domain,
    Section,
    Skill,
)

MEMORY_SIZE = 20_000
IMAGE_CONFIDENCE = 0.85
DEFAULT_SKILL = {"math": Skill.LINEAR_EQUATIONS_ONE_VARIABLE, "rw": Skill.CENTRAL_IDEAS_DETAILS}

# Built-in extraction for a screenshot when the bank is empty.
FALLBACK_IMAGE_QUESTION = {
    "kind": "mcq",
    "passage": "",
    "passage_b": "",
    "stem": r"If \(5x - 3 = 2x + 12\), what is the value of \(x\)?",
    "choices": [r"\(3\)", r"\(5\)", r"\(9\)", r"\(15\)"],
    "figure": "",
    "skill": Skill.LINEAR_EQUATIONS_ONE_VARIABLE.value,
    "difficulty": Difficulty.EASY.value,
}

_memory: OrderedDict[str, str] = OrderedDict()
_memory_lock = threading.Lock()


def respond(task: str, body: dict) -> dict:
    """Return the output of a task ("extract", "generate", "solve") for this request body."""
    try:
        handler, model = _HANDLERS[task]
    except KeyError:
        raise ValueError(f"the simulator has no responder for task {task!r}") from None
    output = handler(body)
    return model.model_validate(output).model_dump(mode="json")


# --- reading the request ---------------------------------------------------------------------


def _blocks(message: dict) -> list[dict]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def _user_messages_newest_first(body: dict) -> Iterator[dict]:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            yield message


def _tag(body: dict, name: str) -> str | None:
    """Return the inner text of <name>...</name> in the newest user message that has one.

    A repair turn's newest user message only says what was wrong, so the search walks
    back to the message that carried the request.
    """
    opening, closing = f"<{name}>", f"</{name}>"
    for message in _user_messages_newest_first(body):
        for block in _blocks(message):
            text = block.get("text") if block.get("type") == "text" else None
            if isinstance(text, str) and opening in text:
                start = text.index(opening) + len(opening)
                end = text.rfind(closing)
                return text[start : end if end >= start else len(text)]
    return None


def _image_data(body: dict) -> str | None:
    for message in _user_messages_newest_first(body):
        for block in _blocks(message):
            if block.get("type") == "image":
                source = block.get("source") or {}
                return str(source.get("data") or source.get("url") or "")
    return None


def _repairs(body: dict) -> int:
    """Return how many times SATgen has sent a reply back to be repaired in this conversation.

    A repair turn replays the assistant's reply and adds a user message saying what was
    wrong, so each assistant turn in the conversation is one repair.
    """
    return sum(
        1
        for message in body.get("messages") or []
        if isinstance(message, dict) and message.get("role") == "assistant"
    )


def _json_tag(body: dict, name: str) -> Any:
    text = _tag(body, name)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


# --- the bank, read through the ORM ------------------------------------------------------------


def _with_db(work: Callable[[], Any], default: Any) -> Any:
    """Run ORM work from a reused server thread; fall back to default when the DB is away."""
    # Server threads are reused, so stale connections are dropped around the work; inside an
    # atomic block (a test's transaction) closing the connection would abort it, so skip.
    fresh = not connection.in_atomic_block
    if fresh:
        close_old_connections()
    try:
        return work()
    except DatabaseError:
        return default
    finally:
        if fresh:
            close_old_connections()


def _approved() -> Any:
    from questions.models import Question

    return Question.objects.filter(status=Question.Status.APPROVED)


# --- extract ------------------------------------------------------------------------------------


CHOICE_LINE = re.compile(r"^\s*(?:\(([A-Da-d])\)|([A-Da-d])\s*[).:])\s*(.+?)\s*$")
INLINE_CHOICES = re.compile(r"(?:^|\s)\(?([A-D])[).:]\s+(.+?)(?=\s+\(?[A-D][).:]\s+|$)")
TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
RW_SIGNALS = re.compile(
    r"______|which choice|text 1|text 2|standard english|the text\b|most logically|"
    r"as used in the text|the student wants|following notes",
    re.I,
)
MATH_SIGNALS = re.compile(
    r"\\\(|\d\s*[-+*/×÷^=<>≤≥]\s*\d|[a-z]\s*[=<>≤≥]\s*-?\d|\d[a-z]\b|\b[a-z]\s*\^\s*\d|"
    r"\bf\(x\)|value of\b|\bsolve\b|equation|xy-plane|\bslope\b|\bradius\b|"
    r"\bprobability\b|\bperimeter\b",
    re.I,
)
QUESTION_START = re.compile(
    r"^(which|what|how|why|according to|based on|if\b.*\?|in the .*\?)", re.I
)
WORD = re.compile(r"[a-z]+|\d+")
LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")


def _extract(body: dict) -> dict:
    image = _image_data(body)
    if image is not None:
        return _extract_from_image(image)
    text = _tag(body, "source_text")
    if text is None:
        text = next(
            (
                b.get("text", "")
                for m in _user_messages_newest_first(body)
                for b in _blocks(m)
                if b.get("type") == "text"
            ),
            "",
        )
    return _extract_from_text(text)


def _extract_from_image(data: str) -> dict:
    def pick() -> dict | None:
        rows = _approved().order_by("id")
        count = rows.count()
        if not count:
            return None
        index = int(hashlib.sha256(data.encode()).hexdigest(), 16) % count
        q = rows.values(
            "kind", "passage", "passage_b", "stem", "choices", "figure", "skill", "difficulty"
        )[index]
        return dict(q)

    q = _with_db(pick, None) or FALLBACK_IMAGE_QUESTION
    return {
        "is_sat_question": True,
        "not_a_question_reason": "",
        "kind": q["kind"],
        "passage": q["passage"],
        "passage_b": q["passage_b"],
        "stem": q["stem"],
        "choices": list(q["choices"]) if q["kind"] == "mcq" else [],
        "figure": q["figure"],
        "classification": {
            "skill": q["skill"],
            "difficulty": q["difficulty"],
            "confidence": IMAGE_CONFIDENCE,
        },
    }


def _not_a_question(reason: str) -> dict:
    return {
        "is_sat_question": False,
        "not_a_question_reason": reason,
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "stem": "",
        "choices": [],
        "figure": "",
        "classification": None,
    }


def _split_choices(lines: list[str]) -> tuple[list[str], list[str]]:
    """Return (the lines that are not choices, the four choices A-D) when four are present."""
    found: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, line in enumerate(lines):
        inline = INLINE_CHOICES.findall(line)
        if [letter for letter, _ in inline] == ["A", "B", "C", "D"]:
            return lines[:i] + _without_answer_key(lines[i + 1 :]), [c.strip() for _, c in inline]
        match = CHOICE_LINE.match(line)
        if match:
            letter = (match.group(1) or match.group(2)).upper()
            if letter not in found and (letter == "A" or chr(ord(letter) - 1) in found):
                found[letter], texts[letter] = i, match.group(3)
            continue
    if list(found) == ["A", "B", "C", "D"]:
        last = found["D"]
        rest = [ln for j, ln in enumerate(lines) if j not in found.values() and j < last]
        rest += _without_answer_key(lines[last + 1 :])
        return rest, [texts[letter] for letter in "ABCD"]
    return lines, []


def _without_answer_key(lines: list[str]) -> list[str]:
    # An answer key pasted after the choices ("Answer: B") is not part of the question.
    return [ln for ln in lines if not re.match(r"^\s*(answer|key|correct answer)\b", ln, re.I)]


def _is_question_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.endswith("?") or bool(re.match(r"^which choice\b", stripped, re.I))


def _extract_from_text(text: str) -> dict:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    body_lines, choices = _split_choices([ln for ln in lines])
    table = [ln.strip() for ln in body_lines if TABLE_LINE.match(ln)]
    body_lines = [ln for ln in body_lines if not TABLE_LINE.match(ln)]
    content = [ln.strip() for ln in body_lines if ln.strip()]
    joined = "\n".join(content + choices)
    question_index = max((i for i, ln in enumerate(content) if _is_question_line(ln)), default=-1)
    is_rw = bool(RW_SIGNALS.search(joined))
    # A word problem ("... How many pencils did she buy?") is math even without symbols.
    word_problem = question_index >= 0 and len(re.findall(r"\d+(?:\.\d+)?", joined)) >= 2
    is_math = not is_rw and (
        bool(MATH_SIGNALS.search(joined)) or _mostly_numeric(choices) or word_problem
    )

    if question_index < 0 and not choices and not is_math:
        shape = "a list of short items" if _looks_like_list(content) else "ordinary prose"
        return _not_a_question(
            f"The text has no question, no answer choices and no math problem; it looks like "
            f"{shape}, not an SAT question."
        )
    if not content:
        return _not_a_question("The text has answer choices but no question or passage.")
    if not is_math and len(choices) != 4:
        return _not_a_question(
            "The text has no four answer choices, and a Reading and Writing question always "
            "has them; it does not look like a complete SAT question."
        )

    section = "math" if is_math else "rw"
    passage = passage_b = ""
    if section == "math":
        stem = "\n\n".join(_latexify(ln) for ln in content)
        choices = [_latexify_choice(c) for c in choices]
    else:
        stem_at = question_index if question_index >= 0 else len(content) - 1
        stem = content[stem_at]
        before = content[:stem_at] + content[stem_at + 1 :]
        passage, passage_b = _split_cross_text(before)
    figure = "\n".join(table)
    skill, difficulty, confidence = _classify(section, stem, passage + " " + passage_b)
    return {
        "is_sat_question": True,
        "not_a_question_reason": "",
        "kind": "mcq" if len(choices) == 4 else "spr",
        "passage": passage,
        "passage_b": passage_b,
        "stem": stem,
        "choices": choices if len(choices) == 4 else [],
        "figure": figure,
        "classification": {"skill": skill, "difficulty": difficulty, "confidence": confidence},
    }


def _split_cross_text(lines: list[str]) -> tuple[str, str]:
    """Return (Text 1, Text 2) when the passage is a cross-text pair, else (passage, "")."""
    starts = [i for i, ln in enumerate(lines) if re.match(r"^text 2\b", ln, re.I)]
    if not starts:
        return "\n".join(lines), ""
    cut = starts[0]
    return "\n".join(lines[:cut]), "\n".join(lines[cut:])


def _mostly_numeric(choices: list[str]) -> bool:
    numeric = [c for c in choices if re.fullmatch(r"[-−$\d.,/\s()%x=^+*a-z]*\d[-−\d.,/\s()%]*", c)]
    return len(choices) == 4 and len(numeric) >= 3


def _looks_like_list(lines: list[str]) -> bool:
    return len(lines) >= 3 and sum(len(ln.split()) <= 4 for ln in lines) >= 0.7 * len(lines)


# Plain-text math to LaTeX, conservatively: only runs that are clearly formulas are wrapped.
MATH_WORD = re.compile(
    r"^[(\[]*(?:-?\d+(?:\.\d+)?[a-z]?(?:\^\d+)?|[a-z](?:\^\d+)?|[a-z]\([a-z0-9]\)|\d*[a-z]\^\d+"
    r"|\d+\([a-z])[)\]]*$"
)
OPERATORS = {"+", "-", "−", "=", "<", ">", "≤", "≥", "*", "×", "/", "÷", "<=", ">="}
# Outside formulas: ordered pairs "(3, -2)", function values "f(4)" and lone variables "x".
LONE_MATH = re.compile(
    r"(\(\s*-?[\d.]+\s*,\s*-?[\d.]+\s*\)|\([a-z], [a-z]\)"
    r"|(?<![\w\\])[a-z]\([a-z0-9+\-]+\)|(?<![\w\\])[xyknt](?![\w(]))"
)


def _tex_symbols(text: str) -> str:
    text = text.replace("−", "-").replace("<=", r"\le ").replace(">=", r"\ge ")
    text = text.replace("≤", r"\le ").replace("≥", r"\ge ").replace("×", r"\times ")
    text = text.replace("÷", r"\div ").replace("*", r"\cdot ")
    text = re.sub(r"\^(\d{2,})", r"^{\1}", text)
    return re.sub(r" {2,}", " ", text).strip()


def _latexify(line: str) -> str:
    """Wrap formula-like runs of a plain-text line (4x - 7 = 21) in \\( \\)."""
    if r"\(" in line:
        return line
    words = line.split(" ")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        trail = ""
        while run and run[-1][-1:] in ",.;:?!" and run[-1] not in OPERATORS:
            trail = run[-1][-1] + trail
            run[-1] = run[-1][:-1]
            if not run[-1]:
                run.pop()
        has_operator = any(w in OPERATORS for w in run)
        if has_operator and len(run) >= 3 and run[0] not in OPERATORS and run[-1] not in OPERATORS:
            out.append(r"\(" + _tex_symbols(" ".join(run)) + r"\)" + trail)
        else:
            out.append(" ".join(run) + trail)
        run.clear()

    for word in words:
        core = word.rstrip(",.;:?!")
        if core in OPERATORS or (
            core and MATH_WORD.match(core.lower()) and core not in ("a", "A", "I")
        ):
            run.append(word)
            if core != word:
                flush()
        else:
            flush()
            out.append(word)
    flush()
    text = " ".join(out)
    # Wrap lone variables outside the formulas already wrapped.
    parts = re.split(r"(\\\(.*?\\\))", text)
    return "".join(
        part if part.startswith(r"\(") else LONE_MATH.sub(r"\\(\1\\)", part) for part in parts
    )


def _latexify_choice(choice: str) -> str:
    if r"\(" in choice:
        return choice
    core = choice.strip()
    fraction = re.fullmatch(r"(-?)(\d+)\s*/\s*(\d+)", core)
    if fraction:
        sign, top, bottom = fraction.groups()
        return rf"\({sign}\frac{{{top}}}{{{bottom}}}\)"
    if re.fullmatch(r"\(\s*-?[\d.]+\s*,\s*-?[\d.]+\s*\)", core):
        return r"\(" + core + r"\)"
    if re.fullmatch(r"-?\d+(\.\d+)?", core) or all(
        w in OPERATORS or MATH_WORD.match(w.lower()) for w in core.split()
    ):
        return r"\(" + _tex_symbols(core) + r"\)"
    return _latexify(core)


def _words(text: str) -> set[str]:
    return set(WORD.findall(LATEX_COMMAND.sub(" ", text.lower())))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _classify(section: str, stem: str, passage: str) -> tuple[str, str, float]:
    """Return the skill and difficulty of the most similar approved bank question, lexically."""
    stem_words, all_words = _words(stem), _words(stem + " " + passage)

    def best() -> tuple[float, str, str] | None:
        domains = [d.value for d, s in SECTION_OF_DOMAIN.items() if s.value == section]
        rows = (
            _approved()
            .filter(domain__in=domains)
            .values_list("skill", "difficulty", "stem", "passage")
        )
        scored = [
            (
                # The stem carries the skill ("most logical transition"), so it counts double.
                0.5 * _jaccard(stem_words, _words(s))
                + 0.5 * _jaccard(all_words, _words(s + " " + p)),
                skill,
                difficulty,
            )
            for skill, difficulty, s, p in rows
        ]
        return max(scored, default=None)

    found = _with_db(best, None)
    if found is None:
        return DEFAULT_SKILL[section].value, Difficulty.MEDIUM.value, 0.6
    score, skill, difficulty = found
    return skill, difficulty, round(0.6 + 0.3 * min(1.0, score / 0.5), 2)


# --- generate ------------------------------------------------------------------------------------


def _generate(body: dict) -> dict:
    request = _json_tag(body, "request")
    if not isinstance(request, dict):
        raise ValueError("generate needs a <request> with the question's taxonomy")
    skill = _valid_skill(request)
    difficulty = request.get("difficulty")
    if difficulty not in Difficulty.values:
        difficulty = Difficulty.MEDIUM.value
    kind = "spr" if request.get("kind") == "spr" else "mcq"
    try:
        variant = int(request.get("variant") or 0)
    except (TypeError, ValueError):
        variant = 0
    instruction = str(request.get("instruction") or "")
    avoid = [str(a) for a in request.get("avoid") or [] if a]
    # A regeneration after failed checks, a revision or a repair must not repeat itself.
    salt = "|".join(
        str(part)
        for part in (_tag(body, "feedback") or "", _tag(body, "previous") or "", _repairs(body))
    )
    draft = write_question(
        skill=skill,
        difficulty=difficulty,
        kind=kind,
        variant=variant,
        instruction=instruction,
        avoid=avoid,
        salt=salt,
    )
    _remember(draft, draft["key"])
    return draft


def _valid_skill(request: dict) -> str:
    skill = request.get("skill")
    if skill in Skill.values:
        return skill
    domain = request.get("domain")
    if domain in Domain.values:
        return SKILLS_BY_DOMAIN[Domain(domain)][0].value
    section = request.get("section")
    if section not in DEFAULT_SKILL:
        section = Section.MATH.value
    return DEFAULT_SKILL[section].value


# --- memory and solve ---------------------------------------------------------------------------


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def fingerprint(question: dict) -> str:
    """Return a hash of what a solver sees of a question: stem, passages and choices."""
    parts = [question.get("stem"), question.get("passage"), question.get("passage_b")]
    parts += list(question.get("choices") or [])
    return hashlib.sha256("\x1f".join(_norm(p) for p in parts).encode()).hexdigest()


def _remember(question: dict, key: str) -> None:
    with _memory_lock:
        _memory[fingerprint(question)] = key
        _memory.move_to_end(fingerprint(question))
        while len(_memory) > MEMORY_SIZE:
            _memory.popitem(last=False)


def _recall(question: dict) -> str | None:
    with _memory_lock:
        return _memory.get(fingerprint(question))


def _bank_key(question: dict) -> str | None:
    stem = str(question.get("stem") or "")
    choices = [_norm(c) for c in question.get("choices") or []]

    def find() -> str | None:
        for row_choices, key in _approved().filter(stem=stem).values_list("choices", "key"):
            if [_norm(c) for c in row_choices or []] == choices:
                return key
        return None

    return _with_db(find, None) if stem else None


def _solve(body: dict) -> dict:
    question = _json_tag(body, "question")
    if not isinstance(question, dict):
        question = {}
    kind = "spr" if question.get("kind") == "spr" else "mcq"
    key = _recall(question) or _bank_key(question)
    if key is None:
        return {
            "answer": "0" if kind == "spr" else "A",
            "reasoning": "Could not solve this question.",
            "confident": False,
        }
    if kind == "spr":
        reasoning = f"Working the problem through step by step gives {key}."
    else:
        reasoning = (
            f"Working through the question, only choice {key} holds up; each of the other "
            "choices follows from a common mistake."
        )
    return {"answer": key, "reasoning": reasoning, "confident": True}


_HANDLERS: dict[str, tuple[Callable[[dict], dict], type[BaseModel]]] = {
    "extract": (_extract, Extraction),
    "generate": (_generate, DraftQuestion),
    "solve": (_solve, BlindSolution),
}

__all__ = ["fingerprint", "respond"]
