"""Parametrised SAT question templates for the Claude simulator, a list per skill."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from typing import Any

from claude_simulator.templates import reading, writing
from claude_simulator.templates.base import Ctx, Retry, Template, assemble
from claude_simulator.templates.engine import load
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

MATH_DATA = ("algebra", "advanced_math", "data_analysis", "geometry")  # data/<name>.yaml
TEMPLATES: dict[str, list[Template]] = {
    **{skill: items for name in MATH_DATA for skill, items in load(name).items()},
    **reading.TEMPLATES,
    **writing.TEMPLATES,
}

LEVELS = {"easy": 0, "medium": 1, "hard": 2}
TOPIC_WORDS = {
    "science": ("science", "scientific", "biolog", "chemi", "physic", "ecolog", "astronom",
                "lab", "nature", "animal", "plant"),
    "history": ("history", "historical", "historian", "century"),
    "arts": ("art", "music", "literature", "literary", "novel", "poem", "poetry", "fiction"),
    "money": ("money", "shopping", "business", "price", "cost", "finance"),
}  # fmt: skip
HARDER = re.compile(r"\b(harder|more difficult|more challenging|tougher)\b", re.I)
EASIER = re.compile(r"\b(easier|simpler|less difficult)\b", re.I)
TEMPLATE_ROUNDS = 12
DRAWS_PER_TEMPLATE = 40


def stable_int(*parts: object) -> int:
    """Return a hash of parts that is the same in every process (unlike hash())."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def level_for(difficulty: str, instruction: str) -> int:
    """Return the template level: the difficulty, nudged by 'harder'/'easier' wishes."""
    level = LEVELS.get(difficulty, 1)
    if HARDER.search(instruction):
        level += 1
    elif EASIER.search(instruction):
        level -= 1
    return max(0, min(2, level))


def topics_in(instruction: str) -> frozenset[str]:
    lowered = instruction.lower()
    return frozenset(
        topic for topic, words in TOPIC_WORDS.items() if any(w in lowered for w in words)
    )


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _collides(draft: dict[str, Any], avoid: Iterable[str], section: str) -> bool:
    """Return whether the draft repeats a question the request asked us to avoid."""
    stem, passage = _norm(draft["stem"]), _norm(draft["passage"])
    for text in avoid:
        other = _norm(str(text))
        if not other:
            continue
        # R&W stems are formulaic ("Which choice ..."), so for them only the passage counts.
        if section == "math" and other == stem:
            return True
        if passage and (passage[:80] in other or other == passage):
            return True
    return False


def write_question(
    *,
    skill: str,
    difficulty: str,
    kind: str,
    variant: int = 0,
    instruction: str = "",
    avoid: Iterable[str] = (),
    salt: str = "",
) -> dict[str, Any]:
    """Return the fields of a new DraftQuestion for the request; deterministic for its inputs."""
    section = SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(skill)]].value
    if section != "math":
        kind = "mcq"
    avoid = list(avoid)
    level = level_for(difficulty, instruction)
    topics = topics_in(instruction)
    templates = TEMPLATES[skill]
    usable = [t for t in templates if kind == "mcq" or t.spr]
    eligible = [t for t in usable if level in t.levels] or usable
    offset = stable_int(skill, difficulty, instruction) % len(eligible)
    for attempt in range(TEMPLATE_ROUNDS):
        turn = variant + offset + attempt
        template = eligible[turn % len(eligible)]
        for draw in range(DRAWS_PER_TEMPLATE):
            rng = random.Random(
                stable_int(salt, skill, difficulty, kind, variant, instruction, attempt, draw)
            )
            ctx = Ctx(
                rng=rng,
                level=level,
                kind=kind,
                variant=variant,
                attempt=attempt,
                topics=topics,
                cycle=turn // len(eligible),
            )
            try:
                item = template.build(ctx)
                draft = assemble(item, kind, rng)
            except (Retry, ZeroDivisionError):
                continue
            if _collides(draft, avoid, section):
                if section == "math":
                    continue  # new numbers may do
                break  # an R&W unit stays the same across draws: move on to the next one
            return draft | {"skill": skill, "difficulty": difficulty}
    raise RuntimeError(f"no template produced a question for {skill}/{difficulty}/{kind}")
