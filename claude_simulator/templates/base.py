"""Shared pieces of the simulator's question templates: exact values, context and assembly."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, TypeVar

from questions.spr import spr_format_error

LETTERS = ("A", "B", "C", "D")
T = TypeVar("T")

NAMES = (
    "Adaeze", "Bruno", "Chiara", "Dev", "Elif", "Fumiko", "Gideon", "Hana", "Ilya", "Joaquin",
    "Kofi", "Leilani", "Malik", "Noor", "Oskar", "Paloma", "Rafael", "Sunita", "Tariq", "Ursula",
    "Vikram", "Wanjiru", "Ximena", "Yusuf", "Zofia",
)  # fmt: skip


class Retry(Exception):
    """The drawn numbers would not make a clean question: draw again."""


# --- exact numbers ---------------------------------------------------------------------


def decimal_text(value: Fraction) -> str | None:
    """Return the exact decimal for value, or None when it does not terminate."""
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    with localcontext() as context:
        context.prec = 40
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def frac_tex(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return rf"{sign}\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def num_tex(value: Fraction | int, style: str = "frac") -> str:
    """Return value as LaTeX: an integer, a fraction, or (style dec/money) a decimal."""
    value = Fraction(value)
    if style in ("dec", "money"):
        text = decimal_text(value)
        if text is not None:
            if style == "money" and "." in text:
                text = f"{value.numerator / value.denominator:.2f}"
            return text
    return frac_tex(value)


def plain(value: Fraction | int) -> str:
    """Return value for running prose: an integer or a terminating decimal (else a/b)."""
    value = Fraction(value)
    text = decimal_text(value)
    if text is None:
        return f"{value.numerator}/{value.denominator}"
    if "." not in text and abs(value) >= 10000:
        return f"{value.numerator:,}"
    return text


def money(value: Fraction | int) -> str:
    """Return a dollar amount for prose, e.g. $12 or $12.50."""
    value = Fraction(value)
    if value.denominator == 1:
        return f"${value.numerator:,}"
    return f"${value.numerator / value.denominator:,.2f}"


def calc(value: Fraction | int) -> str:
    """Return value in calculator syntax, parenthesised when it is not a plain integer."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator) if value >= 0 else f"({value.numerator})"
    return f"({value.numerator}/{value.denominator})"


def squarefree(n: int) -> tuple[int, int]:
    """Return (k, m) with n = k*k*m and m square-free."""
    k, m, f = 1, n, 2
    while f * f <= m:
        while m % (f * f) == 0:
            m //= f * f
            k *= f
        f += 1
    return k, m


@dataclass(frozen=True)
class Val:
    """An exact answer value: coef, coef*pi or coef*sqrt(rad)."""

    coef: Fraction
    unit: str = ""  # "", "pi" or "sqrt"
    rad: int = 1
    style: str = "frac"  # how a non-integer prints: "frac", "dec" or "money"

    @property
    def ident(self) -> tuple[Fraction, str, int]:
        return (self.coef, self.unit, self.rad)

    def __float__(self) -> float:
        base = float(self.coef)
        if self.unit == "pi":
            return base * 3.141592653589793
        if self.unit == "sqrt":
            return base * self.rad**0.5
        return base

    def tex(self) -> str:
        if not self.unit:
            return num_tex(self.coef, self.style)
        symbol = r"\pi" if self.unit == "pi" else rf"\sqrt{{{self.rad}}}"
        p, q = self.coef.numerator, self.coef.denominator
        sign = "-" if p < 0 else ""
        top = symbol if abs(p) == 1 else f"{abs(p)}{symbol}"
        if q == 1:
            return f"{sign}{top}"
        return rf"{sign}\frac{{{top}}}{{{q}}}"

    def calc(self) -> str:
        if not self.unit:
            return calc(self.coef)
        symbol = "pi" if self.unit == "pi" else f"sqrt({self.rad})"
        return f"{calc(self.coef)}*{symbol}"

    def grid(self) -> str | None:
        """Return the value as a student would grid it, or None when it cannot be gridded."""
        if self.unit:
            return None
        q = self.coef
        options: list[str | None] = []
        if q.denominator == 1:
            options.append(str(q.numerator))
        else:
            dec = decimal_text(q)
            fraction = f"{q.numerator}/{q.denominator}"
            options += [dec, fraction] if self.style in ("dec", "money") else [fraction, dec]
        for option in options:
            if option and spr_format_error(option) is None:
                return option
        return None


def num(value: int | Fraction | str, style: str = "frac") -> Val:
    return Val(Fraction(value), "", 1, style)


def pi_val(coef: int | Fraction) -> Val:
    return Val(Fraction(coef), "pi")


def root_val(coef: int | Fraction, rad: int) -> Val:
    """Return coef*sqrt(rad), simplified; a plain number when rad is a perfect square."""
    k, m = squarefree(rad)
    coef = Fraction(coef) * k
    return num(coef) if m == 1 else Val(coef, "sqrt", m)


# --- algebra in LaTeX and in calculator syntax -------------------------------------------


def expr_calc(*terms: tuple[int | Fraction, str]) -> str:
    """Return terms like (3, "x^2"), (-7, "") in calculator syntax "3*x**2 - 7"."""
    out = []
    for c, v in terms:
        c = Fraction(c)
        if c == 0:
            continue
        var = v.replace("^", "**")
        mag = abs(c)
        mag_text = str(mag.numerator) if mag.denominator == 1 else f"({mag})"
        body = f"{mag_text}*{var}" if var else mag_text
        sign = "-" if c < 0 else "+"
        out.append((sign, body))
    if not out:
        return "0"
    text = ("-" if out[0][0] == "-" else "") + out[0][1]
    for sign, body in out[1:]:
        text += f" {sign} {body}"
    return text


def signed(value: int | Fraction) -> str:
    """Return " + 5" or " - 5" to append a constant to an expression."""
    value = Fraction(value)
    return f" - {num_tex(-value)}" if value < 0 else f" + {num_tex(value)}"


def undo(value: int | Fraction) -> tuple[str, str]:
    """Return how to remove a constant from a side, and the opposite move a student makes."""
    value = Fraction(value)
    v = num_tex(abs(value))
    if value > 0:
        return (
            f"subtracting {v} from both sides",
            f"adding {v} to both sides instead of subtracting it",
        )
    return f"adding {v} to both sides", f"subtracting {v} from both sides instead of adding it"


def m(text: str) -> str:
    """Wrap LaTeX in inline-math delimiters."""
    return rf"\({text}\)"


# --- what a template returns -----------------------------------------------------------------


Choice = Any  # a Val (math) or a str (a statement or a word)


@dataclass
class Item:
    """One question before its choices are ordered and lettered."""

    stem: str
    answer: Choice
    wrong: list[tuple[Choice, str]]  # candidate distractors, preferred first, with the mistake
    explanation: str
    check: dict[str, Any] | None = None
    passage: str = ""
    passage_b: str = ""
    figure: str = ""
    section: str = "math"
    max_denominator: int = 0  # 0: twice the key's denominator, at least 12


def check(expression: str, equations: Sequence[str] = (), solve_for: str = "") -> dict[str, Any]:
    return {"equations": list(equations), "solve_for": solve_for, "expression": expression}


@dataclass
class Ctx:
    """What a template may vary on: its random source, level and the request's wishes."""

    rng: random.Random
    level: int
    kind: str
    variant: int
    attempt: int
    topics: frozenset[str] = field(default_factory=frozenset)
    cycle: int = 0  # how many times the variants have wrapped around this skill's templates

    def pick(self, seq: Sequence[T]) -> T:
        return self.rng.choice(list(seq))

    def scene(self, options: Sequence[T]) -> T:
        """Pick a wording or setting: variants that reuse a template get different ones."""
        return list(options)[self.cycle % len(options)]

    def context(self, contexts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Pick a context, preferring ones whose topic the instruction asked for."""
        wanted = [c for c in contexts if c.get("topic") in self.topics]
        return self.scene(wanted or list(contexts))

    def rotate(
        self,
        units: Sequence[T],
        *,
        level_of: Callable[[T], int],
        round_of: Callable[[T], int] | None = None,
    ) -> T:
        """Return the unit for this variant: variants 0..n-1 each get a different one.

        Units of an earlier round (e.g. the first question form asked of each passage)
        come first, so neighbouring variants use different passages; within a round, units
        at the requested level (and on a requested topic) come first.
        """

        def topic(unit: Any) -> str:
            if isinstance(unit, tuple) and unit:
                unit = unit[0]
            return unit.get("topic", "") if isinstance(unit, dict) else ""

        def rank(unit: T) -> int:
            score = 0 if level_of(unit) == self.level else 2
            if self.topics and topic(unit) not in self.topics:
                score += 1
            return score

        def key(unit: T) -> tuple[int, int]:
            return (round_of(unit) if round_of else 0, rank(unit))

        ordered = sorted(units, key=key)  # stable: keeps authoring order within a key
        return ordered[(self.variant + self.attempt) % len(ordered)]


@dataclass(frozen=True)
class Template:
    build: Callable[[Ctx], Item]
    levels: tuple[int, ...] = (0, 1, 2)
    spr: bool = True


# --- assembly --------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.replace(r"\(", "").replace(r"\)", "").split()).casefold()


def choice_text(value: Choice) -> str:
    return m(value.tex()) if isinstance(value, Val) else str(value)


def _identity(value: Choice) -> object:
    return value.ident if isinstance(value, Val) else _norm(str(value))


def key_too_long(key: str, others: Sequence[str]) -> bool:
    """Return whether the key would stand out as clearly the longest choice."""
    return len(key) > 1.2 * max(len(o) for o in others) + 3


def assemble(item: Item, kind: str, rng: random.Random) -> dict[str, Any]:
    """Return the DraftQuestion fields (without skill and difficulty) for an item."""
    base = {
        "kind": kind,
        "passage": item.passage,
        "passage_b": item.passage_b,
        "figure": item.figure,
        "stem": item.stem,
        "math_check": item.check,
    }
    if kind == "spr":
        if not isinstance(item.answer, Val):
            raise Retry
        key = item.answer.grid()
        if key is None:
            raise Retry
        explanation = f"The correct answer is {key}. {item.explanation}"
        dec = decimal_text(item.answer.coef)
        if "/" in key and dec and spr_format_error(dec) is None:
            explanation += f" Either {key} or {dec} is an acceptable answer."
        return base | {"choices": [], "key": key, "explanation": explanation, "rationales": []}

    seen = {_identity(item.answer), _norm(choice_text(item.answer))}
    candidates: list[tuple[Choice, str]] = []
    # Distractors with denominators far beyond the key's (253/5 for a key of 11) are implausible.
    limit = item.max_denominator or (
        max(12, item.answer.coef.denominator * 2) if isinstance(item.answer, Val) else 12
    )
    for value, why in item.wrong:
        if isinstance(value, Val) and (value.coef.denominator > limit or abs(value.coef) > 99999):
            continue
        marks = {_identity(value), _norm(choice_text(value))}
        if marks & seen:
            continue
        seen |= marks
        candidates.append((value, why))
    if len(candidates) < 3:
        raise Retry

    target = rng.randrange(4)
    if isinstance(item.answer, Val):
        # Numeric choices are listed in increasing order, as on the SAT; choose the
        # distractors so the key still lands on the letter the dice picked.
        key_value = float(item.answer)
        below = [c for c in candidates if float(c[0]) < key_value]
        above = [c for c in candidates if float(c[0]) >= key_value]
        if len(below) >= target and len(above) >= 3 - target:
            chosen = below[:target] + above[: 3 - target]
        else:
            chosen = candidates[:3]
        options = sorted([*chosen, (item.answer, "")], key=lambda c: float(c[0]))
    else:
        chosen = candidates[:3]
        rng.shuffle(chosen)
        options = list(chosen)
        options.insert(target, (item.answer, ""))

    texts = [choice_text(value) for value, _ in options]
    key_index = next(i for i, (value, _) in enumerate(options) if value is item.answer)
    key = LETTERS[key_index]
    if key_too_long(texts[key_index], [t for i, t in enumerate(texts) if i != key_index]):
        raise Retry
    prefix = item.section == "math"
    rationales = [
        {
            "choice": LETTERS[i],
            "why_wrong": f"Choice {LETTERS[i]} is incorrect. {why}" if prefix else why,
        }
        for i, (_, why) in enumerate(options)
        if i != key_index
    ]
    return base | {
        "choices": texts,
        "key": key,
        "explanation": f"Choice {key} is correct. {item.explanation}",
        "rationales": rationales,
    }
