"""SymPy verification: right keys verified, wrong keys caught, hostile input never run."""

from __future__ import annotations

import builtins
import inspect
import re
import time

import pytest
import sympy

from generation.pipeline import mathcheck
from generation.pipeline.mathcheck import (
    MathParseError,
    MathVerdict,
    answer_value,
    averify_math,
    choice_as_calculator,
    parse_expression,
    parse_statement,
    verify_math,
)
from generation.pipeline.schemas import MathCheck
from generation.tests.test_gates import math_mcq, math_spr

x, y = sympy.symbols("x y", real=True)


def check(*equations: str, solve_for: str = "", expression: str = "x") -> MathCheck:
    return MathCheck(equations=list(equations), solve_for=solve_for, expression=expression)


# --- verdicts ---------------------------------------------------------------------------------


def test_wrong_numeric_key_is_a_mismatch():
    verdict = verify_math(check("2x + 3 = 11", solve_for="x"), expected="5")

    assert verdict == MathVerdict("mismatch", "SymPy computes 4, but the key is 5.", "4")


def test_right_key_is_verified():
    verdict = verify_math(check("2x + 3 = 11", solve_for="x"), expected="4")

    assert verdict == MathVerdict("verified", "SymPy computes 4, which matches the key 4.", "4")


@pytest.mark.parametrize("expected", ["0.5", "1/2", ".5", "2/4"])
def test_right_key_written_differently_is_verified(expected):
    verdict = verify_math(check("4x = 2", solve_for="x"), expected=expected)

    assert (verdict.status, verdict.computed) == ("verified", "1/2")


def test_latex_choice_key_is_verified_through_answer_value():
    draft = math_mcq(
        choices=[r"\(\frac{1}{4}\)", r"\(\frac{1}{2}\)", r"\(2\)", r"\(4\)"],
        math_check=check("4x = 2", solve_for="x"),
    )
    expected = answer_value(draft)

    assert expected == "1/2"
    assert draft.math_check is not None
    assert verify_math(draft.math_check, expected=expected).status == "verified"


def test_system_of_two_equations():
    system = check("x + y = 10", "x - y = 2", solve_for="x", expression="x*y")

    assert verify_math(system, expected="24").status == "verified"
    assert verify_math(system, expected="6").status == "mismatch"


def test_expression_evaluated_after_solving():
    asks_for = check("3x - 5 = 7", solve_for="x", expression="3x + 1")

    assert verify_math(asks_for, expected="13").computed == "13"
    assert verify_math(asks_for, expected="4").status == "mismatch"


def test_underdetermined_system_with_a_determined_expression():
    verdict = verify_math(check("2x + 4y = 10", expression="x + 2y"), expected="5")

    assert (verdict.status, verdict.computed) == ("verified", "5")


def test_quadratic_with_two_roots_is_ambiguous_without_a_condition():
    verdict = verify_math(check("x^2 - x - 6 = 0", solve_for="x"), expected="3")

    assert verdict.status == "unverifiable"
    assert verdict.computed == "-2, 3"
    assert "several values" in verdict.detail


def test_quadratic_key_matching_neither_root_is_a_mismatch():
    verdict = verify_math(check("x^2 - x - 6 = 0", solve_for="x"), expected="6")

    assert (verdict.status, verdict.computed) == ("mismatch", "-2, 3")


def test_condition_line_picks_the_positive_root():
    positive = check("x^2 - x - 6 = 0", "x > 0", solve_for="x")

    assert verify_math(positive, expected="3").status == "verified"
    assert verify_math(positive, expected="-2").status == "mismatch"


def test_no_real_solution_is_unverifiable():
    verdict = verify_math(check("x^2 = -4", solve_for="x"), expected="2")

    assert verdict == MathVerdict("unverifiable", "SymPy finds no real solution of the equations")


def test_pure_calculation():
    angle = check(expression="(180 - 52 - 71)")

    assert verify_math(angle, expected="57").status == "verified"
    assert verify_math(angle, expected="53").status == "mismatch"


def test_irrational_value_is_compared_exactly():
    assert verify_math(check(expression="sqrt(12)"), expected="2*sqrt(3)").status == "verified"
    assert verify_math(check(expression="sqrt(12)"), expected="3.464").status == "verified"
    assert verify_math(check(expression="sqrt(12)"), expected="2*sqrt(2)").status == "mismatch"


def test_equivalent_expression_is_an_identity_check():
    assert verify_math(check(expression="(4x+2)/2"), expected="2x+1").status == "verified"
    assert verify_math(check(expression="(4x+2)/2"), expected="2x+2").status == "mismatch"


def test_expression_with_free_symbols_but_numeric_key_is_unverifiable():
    verdict = verify_math(check(expression="x + 1"), expected="3")

    assert verdict == MathVerdict(
        "unverifiable", "with no equations, the expression still contains x"
    )


@pytest.mark.parametrize(
    ("expected", "status"),
    [
        ("0.333", "verified"),
        (".3333", "verified"),
        ("0.3", "verified"),
        ("0.334", "mismatch"),
        ("0.3334", "mismatch"),
    ],
)
def test_sat_rounded_decimals_of_one_third(expected, status):
    assert verify_math(check(expression="1/3"), expected=expected).status == status


@pytest.mark.parametrize(
    ("expected", "status"),
    [("0.666", "verified"), ("0.667", "verified"), ("0.668", "mismatch"), ("-0.667", "mismatch")],
)
def test_sat_rounded_or_truncated_decimals_of_two_thirds(expected, status):
    assert verify_math(check(expression="2/3"), expected=expected).status == status


def test_rounded_match_says_so():
    verdict = verify_math(check(expression="1/3"), expected="0.333")

    assert verdict.detail == (
        "SymPy computes 1/3, which matches, rounded to the decimals shown, the key 0.333."
    )


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "lambda: 1",
    "a" * 10000,
    "2**99999999",
    "10^999^999",
    "(10^999)^21",
    "open('{marker}', 'w')",
    "x.__class__",
    "-" * 200 + "1",
    "(" * 60 + "1" + ")" * 60,
    "exec('1')",
    "f(3)",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["equation", "expression", "expected"])
def test_hostile_input_is_refused_fast_without_running_anything(text, field, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    text = text.replace("{marker}", str(marker))

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    math_check = check(
        *([f"{text} = 1"] if field == "equation" else ["x = 1"]),
        solve_for="x",
        expression=text if field == "expression" else "x",
    )

    started = time.monotonic()
    verdict = verify_math(math_check, expected=text if field == "expected" else "1")

    assert verdict.status == "unverifiable"
    assert verdict.detail.startswith("Cannot read the math check: ")
    assert time.monotonic() - started < 0.5
    assert not marker.exists()


def test_hostile_solve_for_is_refused():
    verdict = verify_math(check("x = 1", solve_for="__import__('os')"), expected="1")

    assert verdict.detail == (
        "Cannot read the math check: solve_for \"__import__('os')\" is not a symbol name"
    )


def test_module_never_evaluates_strings():
    source = inspect.getsource(mathcheck)

    assert not re.search(r"\b(eval|exec|sympify|parse_expr|S)\(", source)


# --- the time limit -----------------------------------------------------------------------------


def test_slow_solve_is_cut_off_at_the_timeout():
    verify_math(check(expression="1"), expected="1")  # start the pool outside the timing
    old_pool = mathcheck._pool
    assert old_pool is not None
    workers = list(old_pool._processes.values())
    assert workers
    slow = check("(x+1)^1000 = 2", solve_for="x")  # SymPy runs for minutes on this

    started = time.monotonic()
    verdict = verify_math(slow, expected="1", timeout=0.5)
    elapsed = time.monotonic() - started

    assert verdict == MathVerdict("unverifiable", "SymPy took longer than 0.5 s.")
    assert elapsed < 2.0
    # The stuck worker is killed, not left burning a CPU...
    deadline = time.monotonic() + 2
    while any(worker.is_alive() for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(worker.is_alive() for worker in workers)
    # ...and a fresh pool answers the next check.
    assert verify_math(check("2x = 8", solve_for="x"), expected="4").status == "verified"
    assert mathcheck._pool is not old_pool


@pytest.mark.asyncio
async def test_averify_math_runs_off_the_event_loop():
    verdict = await averify_math(check("2x = 8", solve_for="x"), expected="4")

    assert verdict.status == "verified"


# --- parser -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2x", 2 * x),
        ("2(x+1)", 2 * x + 2),
        ("(x+1)(x-1)", x**2 - 1),
        ("x(x+1)", x**2 + x),
        ("3xy", 3 * sympy.Symbol("xy", real=True)),
        ("-2^2", -4),
        ("2^3^2", 512),
        ("2**-1", sympy.Rational(1, 2)),
        ("0.1 + 0.2", sympy.Rational(3, 10)),
        ("6/2/3", 1),
        ("2 sqrt(3)", 2 * sympy.sqrt(3)),
        ("log(1000)", 3),
        ("log(8, 2)", 3),
        ("ln(e)", 1),
        ("abs(-3) + cos(pi)", 2),
        ("\u22125", -5),
    ],
)
def test_parser_grammar(text, value):
    assert sympy.simplify(parse_expression(text) - value) == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2 3", "unexpected '3'"),
        ("foo(2)", "unknown function 'foo'"),
        ("g(x)", "function notation g(...) is not supported"),
        ("sqrt 2", "expected '(' but found '2'"),
        ("sin(1, 2)", "sin takes 1 argument(s), not 2"),
        ("1/0", "division by zero"),
        ("x = = 1", "unexpected '='"),
        ("", "empty input"),
        ("2^1001", "exponent 1001 is larger than 1000"),
        ("x_" + "y" * 20, "is longer than 16"),
    ],
)
def test_parser_refuses(text, error):
    with pytest.raises(MathParseError, match=re.escape(error)):
        parse_statement(text)


def test_parse_expression_refuses_a_relation():
    with pytest.raises(MathParseError, match="not a relation"):
        parse_expression("x = 1")


def test_parse_statement_reads_relations():
    statement = parse_statement("2x >= 3")

    assert (statement.lhs, statement.op, statement.rhs) == (2 * x, ">=", 3)


# --- answer_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "value"),
    [
        (r"\(\frac{3}{2}\)", "3/2"),
        (r"\(\dfrac{3}{2}\)", "3/2"),
        (r"\(-\frac{3}{2}\)", "-3/2"),
        (r"\(2\sqrt{3}\)", "2*sqrt(3)"),
        (r"\(-4\)", "-4"),
        (r"\(12\pi\)", "12*pi"),
        (r"\(\frac{\pi}{4}\)", "pi/4"),
        (r"\(45^\circ\)", "45"),
        ("45°", "45"),
        ("$45", "45"),
        ("$3.75", "3.75"),
        ("45 cm", "45"),
        (r"\(45\) square feet", "45"),
        (r"\(45 \text{ cm}^2\)", "45"),
        (r"\(12\%\)", "12"),
        (r"\(1{,}200\)", "1200"),
        (r"\(3x^{2} + 10x + 8\)", "3*x^2+10*x+8"),
        (r"\((x + 7)(x - 7)\)", "(x+7)*(x-7)"),
        (r"\(\sqrt[3]{8}\)", "8^(1/3)"),
        (r"\(x = 4\)", None),
        (r"\(y \le 2x\)", None),
        (r"\(f(x) = 2x + 3\)", None),
        (r"\((1, -4)\)", None),
        (r"\(x = \frac{1}{2}\) and \(x = 3\)", None),
        (r"\(\frac{1}{2}\) only", None),
        ("The sunflower's height was 2.4 centimeters.", None),
        ("I and II only", None),
    ],
)
def test_choice_as_calculator(choice, value):
    assert choice_as_calculator(choice) == value


def test_answer_value_of_mcq_is_the_keyed_choice():
    draft = math_mcq(choices=[r"\(4\)", r"\(2\sqrt{3}\)", r"\(6\)", r"\(12\)"], key="B")

    assert answer_value(draft) == "2*sqrt(3)"


@pytest.mark.parametrize(("key", "value"), [("3/2", "3/2"), ("-0.5", "-0.5"), (".75", ".75")])
def test_answer_value_of_spr_is_the_key(key, value):
    assert answer_value(math_spr(key=key)) == value


def test_answer_value_of_an_invalid_key_is_none():
    assert answer_value(math_mcq(key="E")) is None
    assert answer_value(math_spr(key="x=3")) is None
