"""Verify a generated math answer with SymPy: parsed safely, solved under a hard time limit.

Model-written text never reaches eval, exec, sympify or parse_expr (parse_expr calls
eval). A small recursive-descent parser turns calculator syntax into SymPy objects
directly, and only through the constructors named in it:

    statement := expr [ ("=" | "<" | ">" | "<=" | ">=") expr ]
    expr      := term { ("+" | "-") term }
    term      := unary { ("*" | "/") unary | power }     a bare power is implicit "*"
    unary     := ("+" | "-") unary | power
    power     := atom [ ("^" | "**") unary ]             right-associative: 2^3^2 = 2^9
    atom      := NUMBER | CONSTANT | SYMBOL | "(" expr ")"
               | FUNCTION "(" expr { "," expr } ")"
    NUMBER    := digits [ "." [digits] ] | "." digits    exact: 0.1 is Rational(1, 10)
    CONSTANT  := "pi" | "e"
    FUNCTION  := sqrt | abs | sin | cos | tan | exp | ln | log    (log(x) is base 10,
                 log(x, b) base b, ln natural; trig takes radians)
    SYMBOL    := [A-Za-z][A-Za-z0-9_]{0,15}                a real SymPy Symbol, nothing else

Implicit multiplication happens only before a name or "(" ("2x", "2(x+1)",
"(x+1)(x-1)", "x(x+1)"), never between two numbers. "f(", "g(" and "h(" are function
notation, refused rather than misread as multiplication. Inputs are capped in length,
nesting depth, exponent size and the size of exact numeric powers.

Solving runs in a separate process (a forkserver pool) so that a hung SymPy call can be
killed: see verify_math.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal, cast

import sympy

if TYPE_CHECKING:  # only for annotations: the child process must not import Django
    from generation.pipeline.schemas import DraftQuestion, MathCheck

Status = Literal["verified", "mismatch", "unverifiable"]


@dataclass(frozen=True)
class MathVerdict:
    status: Status
    detail: str
    computed: str = ""  # the value SymPy computed, as a string


# --- limits --------------------------------------------------------------------------

MAX_INPUT_CHARS = 300
MAX_NAME_CHARS = 16
MAX_DEPTH = 40
MAX_EXPONENT = 1000
# An exact power such as (10^999)^20 is computed eagerly by SymPy; refuse results
# beyond ~6000 digits before they are built.
MAX_POWER_BITS = 20_000
MAX_STATEMENTS = 10
MAX_COMPUTED_CHARS = 200


class MathParseError(ValueError):
    """Model-written math that the calculator grammar does not accept."""


# --- tokenizer and parser -----------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|[-+*/^(),=<>])"
    r"|(?P<space>\s+)"
)
Token = tuple[str, str]  # (kind, text): kind is num, name, op or end


def tokenize(text: str) -> list[Token]:
    """Split calculator syntax into tokens, refusing anything outside the grammar."""
    text = text.replace("\u2212", "-")
    if len(text) > MAX_INPUT_CHARS:
        raise MathParseError(f"input is {len(text)} characters; the limit is {MAX_INPUT_CHARS}")
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise MathParseError(f"unexpected character {text[position]!r} at {position}")
        kind, value = match.lastgroup or "", match.group()
        if kind == "name" and len(value) > MAX_NAME_CHARS:
            raise MathParseError(f"name {value[:20]!r}... is longer than {MAX_NAME_CHARS}")
        if kind != "space":
            tokens.append((kind, value))
        position = match.end()
    return tokens


def _log(x: sympy.Expr, base: sympy.Expr | None = None) -> sympy.Expr:
    # Calculator convention, which is what a question's author means by "log".
    return sympy.log(x, 10 if base is None else base)


_FUNCTIONS = {
    "sqrt": (sympy.sqrt, 1, 1),
    "abs": (sympy.Abs, 1, 1),
    "sin": (sympy.sin, 1, 1),
    "cos": (sympy.cos, 1, 1),
    "tan": (sympy.tan, 1, 1),
    "exp": (sympy.exp, 1, 1),
    "ln": (sympy.log, 1, 1),
    "log": (_log, 1, 2),
}
_CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
# Function notation: "f(3)" read as f*3 would give a confidently wrong verdict.
_FUNCTION_NOTATION = {"f", "g", "h"}
_RELATIONS = ("=", "<", ">", "<=", ">=")


@dataclass(frozen=True)
class Statement:
    """One parsed line: an expression, or lhs <op> rhs."""

    lhs: sympy.Expr
    op: str | None = None
    rhs: sympy.Expr | None = None


def _number(text: str) -> sympy.Rational:
    value = Fraction(text)
    return sympy.Rational(value.numerator, value.denominator)


def _power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """Return base**exponent, refusing numbers big enough to stall the process."""
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise MathParseError(f"exponent {exponent} is larger than {MAX_EXPONENT}")
        if base.is_Rational and base != 0:
            bits = max(abs(base.p).bit_length(), base.q.bit_length())
            if bits * abs(exponent) > MAX_POWER_BITS:
                raise MathParseError("a power in the input is too large to compute exactly")
    return sympy.Pow(base, exponent)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.position = 0
        self.depth = 0

    def _peek(self) -> Token:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def _take(self) -> Token:
        token = self._peek()
        self.position += 1
        return token

    def _accept(self, *ops: str) -> str | None:
        kind, value = self._peek()
        if kind == "op" and value in ops:
            self.position += 1
            return value
        return None

    def _expect(self, op: str) -> None:
        if self._accept(op) is None:
            raise MathParseError(f"expected {op!r} but found {self._peek()[1] or 'the end'!r}")

    def statement(self) -> Statement:
        if not self.tokens:
            raise MathParseError("empty input")
        lhs = self._expr()
        op = self._accept(*_RELATIONS)
        rhs = self._expr() if op else None
        if self._peek()[0] != "end":
            raise MathParseError(f"unexpected {self._peek()[1]!r}")
        return Statement(lhs, op, rhs)

    def _expr(self) -> sympy.Expr:
        value = self._term()
        while op := self._accept("+", "-"):
            value = value + self._term() if op == "+" else value - self._term()
        return value

    def _term(self) -> sympy.Expr:
        value = self._unary()
        while True:
            if op := self._accept("*", "/"):
                right = self._unary()
                if op == "/" and right == 0:
                    raise MathParseError("division by zero")
                value = value * right if op == "*" else value / right
            elif self._peek()[0] == "name" or self._peek() == ("op", "("):
                value = value * self._power()
            else:
                return value

    def _unary(self) -> sympy.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathParseError(f"nested deeper than {MAX_DEPTH} levels")
        try:
            if op := self._accept("+", "-"):
                operand = self._unary()
                return -operand if op == "-" else operand
            return self._power()
        finally:
            self.depth -= 1

    def _power(self) -> sympy.Expr:
        base = self._atom()
        if self._accept("^", "**"):
            return _power(base, self._unary())
        return base

    def _atom(self) -> sympy.Expr:
        kind, value = self._take()
        if kind == "num":
            return _number(value)
        if kind == "op" and value == "(":
            inner = self._expr()
            self._expect(")")
            return inner
        if kind == "name":
            return self._name(value)
        raise MathParseError(f"unexpected {value or 'end of input'!r}")

    def _name(self, name: str) -> sympy.Expr:
        if name in _FUNCTIONS:
            function, least, most = _FUNCTIONS[name]
            self._expect("(")
            arguments = [self._expr()]
            while self._accept(","):
                arguments.append(self._expr())
            self._expect(")")
            if not least <= len(arguments) <= most:
                raise MathParseError(f"{name} takes {least} argument(s), not {len(arguments)}")
            return function(*arguments)
        if self._peek() == ("op", "("):
            if name in _FUNCTION_NOTATION:
                raise MathParseError(f"function notation {name}(...) is not supported")
            if len(name) > 1:
                raise MathParseError(f"unknown function {name!r}")
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        return sympy.Symbol(name, real=True)


def parse_statement(text: str) -> Statement:
    """Parse one line of calculator syntax: an expression or a relation."""
    return _Parser(text).statement()


def parse_expression(text: str) -> sympy.Expr:
    """Parse calculator syntax that must be a plain expression."""
    statement = parse_statement(text)
    if statement.op is not None:
        raise MathParseError(f"expected an expression, not a relation ({statement.op!r})")
    return statement.lhs


# --- the problem and its solution (runs in the child process) ---------------------------


class _Unverifiable(Exception):
    """SymPy cannot settle the answer either way."""


@dataclass(frozen=True)
class _Problem:
    equations: list[sympy.Expr]  # each lhs - rhs, meaning "= 0"
    conditions: list[Statement]  # inequalities that pick among solutions, e.g. x > 0
    solve_for: sympy.Symbol | None
    expression: sympy.Expr
    expected: sympy.Expr
    expected_text: str


def _parse_problem(
    equations: list[str], solve_for: str, expression: str, expected: str
) -> _Problem:
    if len(equations) > MAX_STATEMENTS:
        raise MathParseError(f"{len(equations)} equations; the limit is {MAX_STATEMENTS}")
    if solve_for and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,15}", solve_for):
        raise MathParseError(f"solve_for {solve_for[:20]!r} is not a symbol name")
    if not expected:
        raise MathParseError("there is no answer value to check")
    parsed_equations, conditions = [], []
    for line in equations:
        statement = parse_statement(line)
        if statement.op == "=":
            parsed_equations.append(statement.lhs - statement.rhs)
        elif statement.op is not None:
            conditions.append(statement)
        else:
            raise MathParseError(f"{line[:40]!r} is not an equation")
    return _Problem(
        equations=parsed_equations,
        conditions=conditions,
        solve_for=sympy.Symbol(solve_for, real=True) if solve_for else None,
        expression=parse_expression(expression),
        expected=parse_expression(expected),
        expected_text=expected,
    )


_SAMPLE_POINTS = ((37, 17), (-53, 19), (5, 7))


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Return whether a and b are equal: exactly by simplify, else numerically."""
    difference = a - b
    if difference == 0 or sympy.simplify(difference) == 0:
        return True
    symbols = sorted(difference.free_symbols, key=lambda symbol: symbol.name)
    # With free symbols this is an identity check: equal at three unrelated points.
    points = _SAMPLE_POINTS if symbols else ((0, 1),)
    for numerator, denominator in points:
        point = {
            symbol: sympy.Rational(numerator + 11 * i, denominator)
            for i, symbol in enumerate(symbols)
        }
        try:
            gap = abs(complex(sympy.N(difference.subs(point), 30)))
            scale = max(1.0, abs(complex(sympy.N(b.subs(point), 30))))
        except (TypeError, ValueError):  # zoo, nan: not a number at this point
            return False
        if not gap < 1e-9 * scale:
            return False
    return True


def _sat_rounding(value: sympy.Expr, shown: str) -> bool:
    """Return whether shown is value rounded or truncated to shown's decimal places."""
    if not re.fullmatch(r"-?[0-9]*\.[0-9]+", shown) or value.free_symbols:
        return False
    approximate = complex(sympy.N(value, 50))
    if approximate.imag:
        return False
    exact = Decimal(str(sympy.N(sympy.re(value), 50)))
    places = Decimal(1).scaleb(-len(shown.split(".", 1)[1]))
    return Decimal(shown) in (
        exact.quantize(places, rounding=ROUND_HALF_UP),
        exact.quantize(places, rounding=ROUND_DOWN),
    )


def _holds(condition: Statement, solution: dict[sympy.Symbol, sympy.Expr]) -> bool:
    assert condition.rhs is not None and condition.op is not None
    difference = sympy.simplify((condition.lhs - condition.rhs).subs(solution))
    if difference.free_symbols:
        raise _Unverifiable("a condition still has free symbols after solving")
    if difference == 0:
        return condition.op in ("<=", ">=")
    value = complex(sympy.N(difference, 30))
    if value.imag:
        return False
    return value.real < 0 if condition.op in ("<", "<=") else value.real > 0


def _distinct(values: list[sympy.Expr]) -> list[sympy.Expr]:
    unique: list[sympy.Expr] = []
    for value in values:
        if not any(_same(value, seen) for seen in unique):
            unique.append(value)
    return unique


def _names(symbols: set[sympy.Symbol]) -> str:
    return ", ".join(sorted(symbol.name for symbol in symbols))


def _candidate_values(problem: _Problem) -> list[sympy.Expr]:
    """Return every value the expression takes at the solutions of the equations."""
    if not problem.equations:
        free = problem.expression.free_symbols
        if free and not problem.expected.free_symbols:
            raise _Unverifiable(f"with no equations, the expression still contains {_names(free)}")
        return [problem.expression]
    unknowns = sorted(
        set().union(*(equation.free_symbols for equation in problem.equations)),
        key=lambda symbol: symbol.name,
    )
    if problem.solve_for is not None:
        if problem.solve_for not in unknowns:
            raise _Unverifiable(f"{problem.solve_for} does not appear in the equations")
        unknowns.remove(problem.solve_for)
        unknowns.insert(0, problem.solve_for)
    solutions = sympy.solve(problem.equations, unknowns, dict=True) if unknowns else [{}]
    if not unknowns and any(sympy.simplify(equation) != 0 for equation in problem.equations):
        solutions = []
    if not solutions:
        raise _Unverifiable("SymPy finds no real solution of the equations")
    kept = [s for s in solutions if all(_holds(c, s) for c in problem.conditions)]
    if not kept:
        raise _Unverifiable(f"none of the {len(solutions)} solutions meets the conditions")
    values = _distinct([sympy.simplify(problem.expression.subs(s)) for s in kept])
    for value in values:
        if value.free_symbols - problem.expected.free_symbols:
            raise _Unverifiable(f"the answer still depends on {_names(value.free_symbols)}")
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise _Unverifiable(f"the expression is undefined at a solution ({value})")
    return values


def _shown(values: list[sympy.Expr]) -> str:
    text = ", ".join(str(value) for value in values)
    return text if len(text) <= MAX_COMPUTED_CHARS else text[: MAX_COMPUTED_CHARS - 3] + "..."


def _judge(problem: _Problem) -> MathVerdict:
    values = _candidate_values(problem)
    computed = _shown(values)
    key = problem.expected_text
    exact = [value for value in values if _same(value, problem.expected)]
    rounded = [value for value in values if _sat_rounding(value, key)]
    if not exact and not rounded:
        return MathVerdict(
            "mismatch", f"SymPy computes {computed}, but the key is {key}.", computed
        )
    if len(values) > 1:
        return MathVerdict(
            "unverifiable",
            f"The equations allow several values ({computed}); the key {key} is one of them. "
            "A condition such as 'x > 0' in equations would pick one.",
            computed,
        )
    how = "matches" if exact else "matches, rounded to the decimals shown,"
    return MathVerdict(
        "verified", f"SymPy computes {computed}, which {how} the key {key}.", computed
    )


def _verify_in_child(
    equations: list[str], solve_for: str, expression: str, expected: str
) -> tuple[str, str, str]:
    """Parse, solve and compare; runs in a pool process and returns plain strings."""
    try:
        verdict = _judge(_parse_problem(equations, solve_for, expression, expected))
    except (MathParseError, _Unverifiable) as error:
        verdict = MathVerdict("unverifiable", str(error))
    except Exception as error:  # any SymPy failure means "could not check", not a crash
        verdict = MathVerdict(
            "unverifiable", f"SymPy failed: {type(error).__name__}: {error}"[:300]
        )
    return verdict.status, verdict.detail, verdict.computed


# --- the process pool ----------------------------------------------------------------------

_MAX_WORKERS = 2
# Virtual-memory cap per worker: a runaway expansion hits MemoryError instead of the host.
_WORKER_MEMORY_BYTES = 1 << 30
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
# One running check per worker, so a check's timeout measures its own work and never
# time spent queued behind another check.
_slots = threading.BoundedSemaphore(_MAX_WORKERS)


def _limit_worker_memory() -> None:
    import resource

    # ValueError/OSError: a lower hard limit is already in place, which is just as good.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (_WORKER_MEMORY_BYTES, _WORKER_MEMORY_BYTES))


def _ready() -> bool:
    return True


def _get_pool() -> ProcessPoolExecutor:
    """Return the worker pool, starting it (and waiting until it answers) on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has already imported this module and SymPy,
            # so a fresh worker is ready in milliseconds rather than a second.
            context.set_forkserver_preload([__name__])
            pool = ProcessPoolExecutor(
                max_workers=_MAX_WORKERS, mp_context=context, initializer=_limit_worker_memory
            )
            try:
                # Start-up is not the check's time: wait for it here, outside any timeout.
                pool.submit(_ready).result(timeout=120)
            except BaseException:
                _kill(pool)
                raise
            _pool = pool
        return _pool


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    """Kill pool's workers (a hung solve ignores everything else) and forget the pool."""
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    # _processes is private, but it is the only handle on a worker stuck inside SymPy.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def _shutdown_pool() -> None:
    if _pool is not None:
        _discard_pool(_pool)


# --- public API ------------------------------------------------------------------------------


def verify_math(check: MathCheck, *, expected: str, timeout: float = 3.0) -> MathVerdict:
    """Check that the key's value, expected, is what check computes, within timeout seconds.

    With equations, SymPy solves them for every symbol they contain (solve_for first),
    keeps the solutions that meet any inequality lines (e.g. "x > 0" among the
    equations), and evaluates expression at each. The key is verified when it equals
    the single resulting value, a mismatch when it equals none of them, and
    unverifiable when several distinct values remain (ambiguous question or missing
    condition). Without equations, expression is evaluated directly. A decimal key
    also matches a value it rounds or truncates to, as SAT grid-ins allow.
    """
    request = (list(check.equations), check.solve_for.strip(), check.expression, expected.strip())
    try:
        # Parsing is cheap and safe, so bad input is refused here without a process.
        _parse_problem(*request)
    except MathParseError as error:
        return MathVerdict("unverifiable", f"Cannot read the math check: {error}")
    for _attempt in range(2):  # a pool killed by another check's timeout is retried once
        with _slots:
            try:
                pool = _get_pool()
            except Exception as error:
                return MathVerdict("unverifiable", f"Cannot start the SymPy worker: {error!r}")
            try:
                future = pool.submit(_verify_in_child, *request)
                status, detail, computed = future.result(timeout=timeout)
            except FutureTimeout:
                _discard_pool(pool)
                return MathVerdict("unverifiable", f"SymPy took longer than {timeout:g} s.")
            except (BrokenProcessPool, RuntimeError):
                _discard_pool(pool)
                continue
        return MathVerdict(cast(Status, status), detail, computed)
    return MathVerdict("unverifiable", "The SymPy worker process crashed.")


async def averify_math(check: MathCheck, *, expected: str, timeout: float = 3.0) -> MathVerdict:
    """Run verify_math in a thread so the event loop keeps serving while SymPy works."""
    return await asyncio.to_thread(verify_math, check, expected=expected, timeout=timeout)


# --- the key's value -----------------------------------------------------------------------

# Unit words a numeric choice may end with ("45 cm", "12 square feet"); plurals too.
# fmt: off
_UNITS = frozenset({
    "cm", "mm", "m", "km", "in", "inch", "ft", "foot", "feet", "yd", "yard", "mi", "mile",
    "meter", "metre", "centimeter", "centimetre", "millimeter", "kilometer", "unit", "square",
    "sq", "cubic", "per", "hour", "hr", "h", "minute", "min", "second", "sec", "s", "day",
    "week", "month", "year", "degree", "deg", "radian", "dollar", "cent", "percent", "kg", "g",
    "gram", "kilogram", "mg", "lb", "pound", "ounce", "oz", "liter", "litre", "l", "ml",
    "milliliter", "gallon", "gal", "quart", "pint", "cup", "mph", "ton", "acre", "hectare",
    "person", "people", "student", "item", "point",
})
# fmt: on
_LATEX_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[0-9]+(?:\.[0-9]*)?|\.[0-9]+|[a-zA-Z]|\S")
_LATEX_WORDS = {
    r"\pi": "pi",
    r"\sqrt": "sqrt",
    r"\sin": "sin",
    r"\cos": "cos",
    r"\tan": "tan",
    r"\ln": "ln",
    r"\log": "log",
    r"\exp": "exp",
}
_LATEX_SAME = {"(": "(", ")": ")", "[": "(", "]": ")", "+": "+", "-": "-", "*": "*", "/": "/"}
_LATEX_OPERATORS = {r"\cdot": "*", r"\times": "*", r"\div": "/"}
_LATEX_IGNORED = {r"\left", r"\right", r"\,", r"\!", r"\;", r"\:", "\\ ", r"\displaystyle"}
_TEXT_COMMAND = re.compile(
    r"\\(?:text|textrm|mathrm|mbox)\s*\{([^{}]*)\}(?:\s*\^\s*(?:[23]|\{\s*[23]\s*\}))?"
)
_SINGLE_TOKEN = re.compile(r"[0-9.]+|[A-Za-z]+")


class _NotAValue(Exception):
    """The choice is not a number or simple expression."""


class _LatexConverter:
    """Turn the LaTeX of one number or expression into calculator syntax."""

    def __init__(self, latex: str) -> None:
        self.tokens = _LATEX_TOKEN.findall(latex)
        self.position = 0

    def convert(self, stop: str | None = None) -> str:
        parts: list[str] = []
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token == stop:
                return " ".join(parts)
            parts.append(self._token(token))
        if stop is not None:
            raise _NotAValue(f"missing {stop!r}")
        return " ".join(parts)

    def _group(self) -> str:
        if self.position >= len(self.tokens):
            raise _NotAValue("missing argument")
        token = self.tokens[self.position]
        self.position += 1
        return self.convert("}") if token == "{" else self._token(token)

    def _token(self, token: str) -> str:
        if token in _LATEX_WORDS:
            if token == r"\sqrt":
                return self._root()
            return f" {_LATEX_WORDS[token]} "
        if token in (r"\frac", r"\dfrac", r"\tfrac"):
            numerator, denominator = self._group(), self._group()
            return f" {_wrapped(numerator)}/{_wrapped(denominator)} "
        if token == "^":
            return f"^{_wrapped(self._group())}"
        if token == "{":
            return f"({self.convert('}')})"
        if token in _LATEX_OPERATORS:
            return _LATEX_OPERATORS[token]
        if token in _LATEX_SAME:
            return _LATEX_SAME[token]
        if token in _LATEX_IGNORED:
            return ""
        if token[0].isdigit() or token[0] == "." or (token.isalpha() and len(token) == 1):
            return f" {token} "  # one letter is one symbol in LaTeX: 2ab is 2*a*b
        raise _NotAValue(token)

    def _root(self) -> str:
        if self.position < len(self.tokens) and self.tokens[self.position] == "[":
            self.position += 1
            index = self.convert("]")
            return f"{_wrapped(self._group())}^(1/{_wrapped(index)})"
        return f"sqrt({self._group()})"


def _wrapped(text: str) -> str:
    text = text.strip()
    return text if _SINGLE_TOKEN.fullmatch(text) else f"({text})"


def _is_units(text: str) -> bool:
    for word in re.split(r"[\s/]+", text.strip().lower()):
        word = re.sub(r"(\^\{?[23]\}?|[\u00b2\u00b3.,])+$", "", word)
        if (
            word
            and word not in _UNITS
            and word.removesuffix("s") not in _UNITS
            and (word.removesuffix("es") not in _UNITS)
        ):
            return False
    return True


def _strip_units(latex: str) -> str:
    """Drop \\text{} units inside math; refuse any other \\text{}."""

    def unit_or_refuse(match: re.Match[str]) -> str:
        if not _is_units(match[1]):
            raise _NotAValue(match[0])
        return " "

    return _TEXT_COMMAND.sub(unit_or_refuse, latex)


def _canonical(calculator: str) -> str | None:
    """Return calculator text with explicit "*", if it parses as one expression."""
    try:
        parse_expression(calculator)
        tokens = tokenize(calculator)
    except MathParseError:
        return None
    out: list[str] = []
    previous: Token = ("end", "")
    for token in tokens:
        ends_operand = (
            previous[0] == "num"
            or previous == ("op", ")")
            or (previous[0] == "name" and previous[1] not in _FUNCTIONS)
        )
        if ends_operand and (token[0] == "name" or token == ("op", "(")):
            out.append("*")
        out.append(token[1])
        previous = token
    return "".join(out)


def _math_of_choice(text: str) -> str:
    """Return the calculator text of a choice's value, or raise _NotAValue."""
    text = text.strip().replace("\u2212", "-")
    # Degrees, percent and currency mark what the number measures, not its value.
    text = re.sub(r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![a-zA-Z])|\u00b0", " ", text)
    text = re.sub(r"\\?[%$]", " ", text)
    text = re.sub(r"\{,\}|(?<=[0-9]),(?=[0-9]{3}(?![0-9]))", "", text)  # 1,200 and 1{,}200
    segments = re.findall(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", text, flags=re.DOTALL)
    if len(segments) > 1:
        raise _NotAValue("several math segments")
    if segments:
        outside = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", text, flags=re.DOTALL)
        if not _is_units(outside):
            raise _NotAValue(outside)
        return _LatexConverter(_strip_units(segments[0][0] or segments[0][1])).convert()
    if "\\" in text or "{" in text:
        return _LatexConverter(_strip_units(text)).convert()
    # Plain text: a number or calculator expression, then perhaps unit words.
    match = re.fullmatch(r"(.*?[0-9)a-zA-Z])((?:\s+[A-Za-z]+\.?(?:\^[23])?)*)\s*", text)
    if match is None or not _is_units(match[2]):
        raise _NotAValue(text)
    words = {word for word in re.findall(r"[A-Za-z]{2,}", match[1])}
    if words - set(_FUNCTIONS) - set(_CONSTANTS):
        raise _NotAValue(text)  # a word, not a value
    return match[1]


def choice_as_calculator(text: str) -> str | None:
    """Return a choice's value in calculator syntax ("\\(\\frac{3}{2}\\)" -> "3/2"), or None."""
    try:
        calculator = _math_of_choice(text)
    except _NotAValue:
        return None
    return _canonical(calculator) if calculator.strip() else None


def answer_value(draft: DraftQuestion) -> str | None:
    """Return the value the key claims, in calculator syntax, or None if it is not one."""
    if draft.kind == "spr":
        return _canonical(draft.key.strip())
    if draft.key not in ("A", "B", "C", "D"):
        return None
    index = "ABCD".index(draft.key)
    if index >= len(draft.choices):
        return None
    return choice_as_calculator(draft.choices[index])
