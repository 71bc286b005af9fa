"""Math templates for the Algebra domain: every answer and distractor computed here."""

from __future__ import annotations

from fractions import Fraction

from claude_simulator.templates.base import (
    NAMES,
    Ctx,
    Item,
    Retry,
    Template,
    calc,
    check,
    expr,
    expr_calc,
    m,
    money,
    num,
    num_tex,
    plain,
    signed,
    undo,
)

NONZERO = [n for n in range(-12, 13) if n != 0]


def _clean(value: Fraction, places: int = 2) -> bool:
    """Return whether value is a decimal with at most `places` digits after the point."""
    return (value * 10**places).denominator == 1


def _ask_x_or_expression(
    ctx: Ctx, x: Fraction, wrong_x: list[tuple[Fraction, str]], equations: list[str]
) -> tuple[str, object, list, str, dict]:
    """Ask for x itself or for a linear expression in x, mapping each mistake through it."""
    if ctx.rng.random() < 0.5:
        wrong = [(num(w), why) for w, why in wrong_x]
        return m("x"), num(x), wrong, "", check("x", equations, "x")
    k = ctx.pick([2, 3, 4, 5])
    j = ctx.pick([n for n in range(-9, 10) if n != 0])
    label = expr((k, "x"), (j, ""))
    value = k * x + j
    wrong = [(num(x), rf"This is the value of \(x\), not the value of \({label}\).")]
    wrong += [(num(k * w + j), why) for w, why in wrong_x]
    extra = rf" Therefore \({label} = {k}({num_tex(x)}){signed(j)} = {num_tex(value)}\)."
    return m(label), num(value), wrong, extra, check(expr_calc((k, "x"), (j, "")), equations, "x")


# --- linear equations in one variable --------------------------------------------------------


def lin1_both_sides(ctx: Ctx) -> Item:
    rng = ctx.rng
    x = Fraction(rng.choice([n for n in range(-7, 14) if n not in (0, 1)]))
    a = rng.randint(4, 11)
    c = rng.randint(1, a - 2)
    if ctx.level == 0:
        b = rng.choice(NONZERO)
        d = (a - c) * x + b
        left, left_calc = expr((a, "x"), (b, "")), expr_calc((a, "x"), (b, ""))
        steps = (
            rf"Subtracting \({expr((c, 'x'))}\) from both sides gives "
            rf"\({expr((a - c, 'x'), (b, ''))} = {num_tex(d)}\). Then {undo(b)[0]} gives "
            rf"\({expr((a - c, 'x'))} = {num_tex(d - b)}\), so \(x = {num_tex(x)}\)."
        )
        wrong_x = [
            ((d + b) / (a - c), f"This results from {undo(b)[1]}."),
            (
                (d - b) / (a + c),
                rf"This results from adding \({expr((c, 'x'))}\) to both sides "
                r"instead of subtracting it.",
            ),
            (
                d - b,
                rf"This is the value of \({expr((a - c, 'x'))}\); it skips the final "
                "division.",
            ),
            (
                (d - b) / a,
                rf"This results from ignoring the \({expr((c, 'x'))}\) term on the "
                "right side.",
            ),
        ]
    else:
        p = rng.choice([n for n in range(-8, 9) if n not in (0, 1, -1)])
        d = (a - c) * x + a * p
        b = None
        left = rf"{a}({expr((1, 'x'), (p, ''))})"
        left_calc = f"{a}*({expr_calc((1, 'x'), (p, ''))})"
        steps = (
            rf"Distributing {a} gives \({expr((a, 'x'), (a * p, ''))} = "
            rf"{expr((c, 'x'), (d, ''))}\). Subtracting \({expr((c, 'x'))}\) from both sides "
            rf"and then {undo(a * p)[0]} gives \({expr((a - c, 'x'))} = "
            rf"{num_tex(d - a * p)}\), so \(x = {num_tex(x)}\)."
        )
        wrong_x = [
            (
                (d - p) / (a - c),
                rf"This results from multiplying only \(x\), not "
                rf"\({num_tex(p)}\), by {a} when distributing.",
            ),
            ((d + a * p) / (a - c), f"This results from {undo(a * p)[1]}."),
            (
                (d - a * p) / (a + c),
                rf"This results from adding \({expr((c, 'x'))}\) to both "
                r"sides instead of subtracting it.",
            ),
            (
                d - a * p,
                rf"This is the value of \({expr((a - c, 'x'))}\); it skips dividing "
                f"by {a - c}.",
            ),
        ]
    if d == 0 or (b is not None and d == b):
        raise Retry
    right, right_calc = expr((c, "x"), (d, "")), expr_calc((c, "x"), (d, ""))
    equation = f"{left_calc} = {right_calc}"
    ask, answer, wrong, extra, chk = _ask_x_or_expression(ctx, x, wrong_x, [equation])
    opener = ctx.scene(
        [
            rf"\({left} = {right}\)" + "\n\nIf \\(x\\) is the solution to the given equation, "
            f"what is the value of {ask}?",
            rf"The equation \({left} = {right}\) is true for exactly one value of \(x\). "
            f"What is the value of {ask} for that value of \\(x\\)?",
            rf"A student correctly solved \({left} = {right}\) for \(x\) and then used the "
            f"result to find the value of {ask}. What value did the student find?",
        ]
    )
    return Item(opener, answer, wrong, steps + extra, chk)


FEE_CONTEXTS = [
    {
        "topic": "money",
        "setup": "A bike-share program charges {f} to unlock a bike plus {r} for each minute of "
        "riding. One rider's trip cost {T} in total.",
        "ask": "For how many minutes did the rider ride?",
        "f": (1, 2, 3),
        "r": ("0.10", "0.15", "0.20", "0.25"),
        "n": (12, 60),
        "money": True,
        "fixed": "the unlock fee",
    },
    {
        "topic": "money",
        "setup": "A caterer charges a setup fee of {f} plus {r} per guest. The total charge for "
        "a banquet was {T}.",
        "ask": "How many guests attended the banquet?",
        "f": (150, 200, 240, 300),
        "r": (12, 15, 18, 24),
        "n": (30, 140),
        "money": True,
        "fixed": "the setup fee",
    },
    {
        "topic": "science",
        "setup": "A chemist has {f} milliliters of a solution in a flask and adds more of the "
        "solution at a constant rate of {r} milliliters per minute.",
        "ask": "After how many minutes will the flask contain {T} milliliters of the solution?",
        "f": (40, 60, 75, 90),
        "r": (5, 6, 8, 12),
        "n": (6, 30),
        "money": False,
        "fixed": "the starting amount",
    },
    {
        "topic": "science",
        "setup": "When it was planted, a sunflower seedling was {f} centimeters tall. It then "
        "grew {r} centimeters per day.",
        "ask": "After how many days was the seedling {T} centimeters tall?",
        "f": (4, 6, 8, 9),
        "r": ("1.5", "2", "2.5", "3"),
        "n": (8, 30),
        "money": False,
        "fixed": "the starting height",
    },
    {
        "topic": "money",
        "setup": "A streaming service charges a one-time activation fee of {f} plus {r} per "
        "month. Over the whole time a family subscribed, they paid {T}.",
        "ask": "For how many months did the family subscribe?",
        "f": (10, 15, 20),
        "r": (8, 11, 13, 16),
        "n": (5, 30),
        "money": True,
        "fixed": "the activation fee",
    },
]


FALL_CONTEXTS = [
    {
        "topic": "science",
        "setup": "A weather balloon's instrument package is released at an altitude of {f} "
        "meters and descends at a constant rate of {r} meters per minute.",
        "ask": "After how many minutes will the package be at an altitude of {T} meters?",
        "f": (3000, 3600, 4200),
        "r": (90, 120, 150),
        "n": (5, 20),
        "fixed": "the starting altitude",
    },
    {
        "topic": "money",
        "setup": "A prepaid transit card starts with a balance of {f}. Each ride costs {r}, "
        "and the card now has a balance of {T}.",
        "ask": "How many rides have been paid for with the card?",
        "f": (40, 50, 60),
        "r": ("2.25", "2.50", "2.75"),
        "n": (4, 16),
        "money": True,
        "fixed": "the starting balance",
    },
]


def lin1_rate_context(ctx: Ctx) -> Item:
    rng = ctx.rng
    falling = ctx.level >= 1 and rng.random() < 0.5
    c = ctx.context(FALL_CONTEXTS if falling else FEE_CONTEXTS)
    f = Fraction(rng.choice(c["f"]))
    r = Fraction(str(rng.choice(c["r"])))
    n = Fraction(rng.randint(*c["n"]))
    total = f - r * n if falling else f + r * n
    if total <= 0:
        raise Retry
    show = money if c.get("money") else plain
    setup = c["setup"].format(f=show(f), r=show(r), T=show(total))
    ask = c["ask"].format(T=show(total))
    fixed = c["fixed"]
    if falling:
        wrong = [
            (
                total / r,
                f"This results from dividing the final amount by the rate, ignoring {fixed}.",
            ),
            (
                (f + total) / r,
                f"This results from adding the final amount to {fixed} instead of subtracting it.",
            ),
            (
                f - total,
                f"This is the total change, {plain(f - total)}; it skips dividing by "
                f"the rate of {plain(r)}.",
            ),
        ]
        equation = f"{calc(f)} - {calc(r)}*n = {calc(total)}"
        steps = (
            rf"If \(n\) is the number asked for, then \({num_tex(f, 'dec')} - "
            rf"{num_tex(r, 'dec')}n = {num_tex(total, 'dec')}\). Subtracting gives "
            rf"\({num_tex(r, 'dec')}n = {num_tex(f - total, 'dec')}\), and dividing by "
            rf"{plain(r)} gives \(n = {num_tex(n)}\)."
        )
    else:
        wrong = [
            (total / r, f"This results from dividing the total by the rate, ignoring {fixed}."),
            (
                (total + f) / r,
                f"This results from adding {fixed} to the total instead of subtracting it.",
            ),
            (
                total - f,
                f"This is the amount added at the constant rate, {plain(total - f)}; "
                f"it skips dividing by the rate of {plain(r)}.",
            ),
        ]
        equation = f"{calc(f)} + {calc(r)}*n = {calc(total)}"
        steps = (
            rf"If \(n\) is the number asked for, then \({num_tex(f, 'dec')} + "
            rf"{num_tex(r, 'dec')}n = {num_tex(total, 'dec')}\). Subtracting "
            rf"{plain(f)} from both sides gives \({num_tex(r, 'dec')}n = "
            rf"{num_tex(total - f, 'dec')}\), and dividing by {plain(r)} gives "
            rf"\(n = {num_tex(n)}\)."
        )
    if not all(_clean(w, 2) for w, _ in wrong):
        raise Retry
    return Item(
        f"{setup} {ask}",
        num(n),
        [(num(w, "dec"), why) for w, why in wrong],
        steps,
        check("n", [equation], "n"),
    )


def lin1_no_solution(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = rng.randint(4, 12)
    b = rng.randint(2, a - 1)
    c = rng.choice([n for n in range(-9, 10) if n not in (0,)])
    d = rng.choice([n for n in range(-9, 10) if n not in (0,)])
    k = a - b
    right = rf"{a}x - {b}({expr((1, 'x'), (-d, ''))})"
    if ctx.level < 2:
        if k * c == b * d:
            raise Retry
        stem = (
            rf"A student notices that, for a certain constant \(k\), the equation "
            rf"\(k({expr((1, 'x'), (c, ''))}) = {right}\) can never be true, no matter what "
            r"number is substituted for \(x\). What is the value of \(k\)?"
        )
        steps = (
            rf"The right side simplifies to \({expr((a, 'x'), (-b, 'x'))} "
            rf"{'+' if b * d > 0 else '-'}"
            rf" {abs(b * d)} = {expr((k, 'x'), (b * d, ''))}\). The left side is "
            rf"\(kx {'+' if c > 0 else '-'} {abs(c)}k\). A linear equation has no solution when "
            rf"the "
            rf"\(x\)-coefficients match but the constants do not, so \(k = {k}\) (and then "
            rf"\({k * c} \ne {b * d}\))."
        ).replace(" + -", " - ")
        wrong = [
            (a + b, rf"This results from distributing \(-{b}\) as \(+{b}x\)."),
            (a, rf"This ignores the \(-{b}x\) term on the right side."),
            (
                Fraction(b * d, c),
                "This makes the constant terms equal, which is not what makes "
                "an equation have no solution.",
            ),
            (-k, "This results from a sign error when comparing coefficients."),
        ]
        return Item(stem, num(k), [(num(w), why) for w, why in wrong], steps, check(f"{a} - {b}"))
    # hard: infinitely many solutions determines the constant inside the parentheses
    if (b * d) % k:
        raise Retry
    c = (b * d) // k
    stem = (
        rf"In the equation \({k}(x + c) = {right}\), \(c\) is a constant. If the equation is "
        r"true for every value of \(x\), what is the value of \(c\)?"
    )
    steps = (
        rf"The right side simplifies to \({expr((k, 'x'), (b * d, ''))}\). The left side is "
        rf"\({k}x + {k}c\). The equation holds for every \(x\) only when the constants match: "
        rf"\({k}c = {b * d}\), so \(c = {c}\)."
    )
    wrong = [
        (
            Fraction(-b * d, k),
            rf"This results from distributing \(-{b}\) incorrectly to "
            f"\\({num_tex(-d)}\\).",
        ),
        (Fraction(b * d), f"This forgets to divide by {k}."),
        (Fraction(d), "This matches the number inside the parentheses on the right side."),
        (Fraction(b * d, a), f"This divides by {a} instead of by {k}."),
    ]
    return Item(
        stem,
        num(c),
        [(num(w), why) for w, why in wrong],
        steps,
        check("c", [f"{k}*c = {b}*{d}"], "c"),
    )


def lin1_fractions(ctx: Ctx) -> Item:
    rng = ctx.rng
    p, q = rng.sample([2, 3, 4, 5, 6], 2)
    x = Fraction(rng.randint(-10, 20))
    b = rng.choice([n for n in range(-9, 10) if n != 0])
    # q(x + b) = p(x - d)  ->  d = x - q(x + b)/p
    d = x - Fraction(q) * (x + b) / p
    if d.denominator != 1 or d == 0 or x + b == 0:
        raise Retry
    d = int(d)
    stem_eq = (
        rf"\frac{{{expr((1, 'x'), (b, ''))}}}{{{p}}} = \frac{{{expr((1, 'x'), (-d, ''))}}}{{{q}}}"
    )
    steps = (
        rf"Multiplying both sides by {p * q} gives \({q}({expr((1, 'x'), (b, ''))}) = "
        rf"{p}({expr((1, 'x'), (-d, ''))})\), or \({expr((q, 'x'), (q * b, ''))} = "
        rf"{expr((p, 'x'), (-p * d, ''))}\). Collecting terms gives "
        rf"\({expr((q - p, 'x'))} = {num_tex(-p * d - q * b)}\), so \(x = {num_tex(x)}\)."
    )
    wrong_x = [
        (
            Fraction(-q * d - p * b, p - q),
            "This results from cross-multiplying the wrong way, "
            f"multiplying each numerator by its own denominator: \\({p}(x{signed(b)}) = "
            f"{q}(x{signed(-d)})\\).",
        ),
        (
            Fraction(-d - b, q - p),
            "This results from multiplying only the \\(x\\)-terms, "
            "not the constants, by the denominators.",
        ),
        (
            Fraction(p * d - q * b, q - p),
            f"This results from a sign error when distributing {p} over the right side.",
        ),
        (
            Fraction(-p * d - q * b, q + p),
            "This results from adding the \\(x\\)-terms "
            "instead of subtracting them when collecting terms.",
        ),
    ]
    if any(w.denominator > 12 for w, _ in wrong_x):
        raise Retry
    equation = f"(x + {calc(b)})/{p} = (x - {calc(d)})/{q}"
    ask, answer, wrong, extra, chk = _ask_x_or_expression(ctx, x, wrong_x, [equation])
    stem = (
        f"The proportion \\({stem_eq}\\) is true for exactly one value of \\(x\\). What is the "
        f"value of {ask}?"
    )
    return Item(stem, answer, wrong, steps + extra, chk)


PLANS = [
    (
        "Two phone plans charge a monthly fee plus a charge for each gigabyte of data. Plan A "
        "costs {a} plus {b} per gigabyte, and Plan B costs {c} plus {d} per gigabyte.",
        "For how many gigabytes of data in a month do the two plans cost the same?",
        True,
    ),
    (
        "Two candles are lit at the same time. The first is {a} centimeters tall and burns down "
        "{b} centimeters per hour; the second is {c} centimeters tall and burns down {d} "
        "centimeters per hour.",
        "After how many hours will the two candles be the same height?",
        False,
    ),
    (
        "Two gyms charge a joining fee plus a fee for each visit. Gym A charges {a} to join and "
        "{b} per visit, and Gym B charges {c} to join and {d} per visit.",
        "For how many visits do the two gyms cost the same total amount?",
        True,
    ),
]


def lin1_two_plans(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, ask, is_money = ctx.scene(PLANS)
    n = rng.randint(3, 25)
    if is_money:
        # The plan with the higher rate has the lower fee, so the costs meet at n.
        d, b = sorted(rng.sample([2, 3, 4, 5, 6, 8, 10, 12], 2))
        a = rng.choice([10, 15, 20, 25, 30, 40])
        c = a + (b - d) * n
        sign = "+"
    else:
        # The taller candle burns faster, so the heights meet at n.
        d, b = sorted(rng.sample([1, 2, 3, 4, 5], 2))
        c = rng.randint(15, 40)
        a = c + (b - d) * n
        if a - b * n <= 0:
            raise Retry
        sign = "-"
    show = money if is_money else plain
    stem = f"{text.format(a=show(a), b=show(b), c=show(c), d=show(d))} {ask}"
    steps = (
        rf"If \(n\) is the number asked for, the two amounts are equal when "
        rf"\({a} {sign} {b}n = {c} {sign} {d}n\). Collecting terms gives "
        rf"\({b - d}n = {abs(c - a)}\), so \(n = {n}\)."
    )
    wrong = [
        (Fraction(c + a, b - d), "This adds the starting amounts instead of subtracting them."),
        (Fraction(abs(c - a), b + d), "This adds the rates instead of subtracting them."),
        (
            Fraction(abs(c - a)),
            "This is the difference in starting amounts; it skips dividing "
            "by the difference in rates.",
        ),
        (
            Fraction(abs(c - a), b),
            "This divides by one rate instead of by the difference in rates.",
        ),
    ]
    wrong = [(w, why) for w, why in wrong if (w * 100).denominator == 1]
    chk = check("n", [f"{a} {sign} {b}*n = {c} {sign} {d}*n"], "n")
    return Item(stem, num(n), [(num(w, "dec"), why) for w, why in wrong], steps, chk)


# --- linear functions --------------------------------------------------------------------------


def linfn_evaluate(ctx: Ctx) -> Item:
    rng = ctx.rng
    mslope = rng.choice([n for n in range(-9, 10) if n not in (0, 1)])
    b = rng.choice(NONZERO)
    name = ctx.pick(["g", "h", "p"])
    rule = expr((mslope, "x"), (b, ""))
    if ctx.level == 0:
        t = rng.choice([n for n in range(-6, 9) if n not in (0, 1)])
        value = mslope * t + b
        stem = (
            rf"The function \({name}\) is defined by \({name}(x) = {rule}\). What is the value "
            rf"of \({name}({t})\)?"
        )
        steps = (
            rf"Substituting {t} for \(x\) gives \({name}({t}) = {mslope}({t}){signed(b)} = "
            rf"{value}\)."
        )
        wrong = [
            (
                num(mslope * t - b),
                f"This results from subtracting {b} instead of adding it."
                if b > 0
                else f"This results from adding {-b} instead of subtracting it.",
            ),
            (
                num(mslope + t + b),
                f"This results from adding {t} to the coefficient instead of multiplying.",
            ),
            (num(mslope * t), "This leaves out the constant term."),
            (
                num(Fraction(t - b, mslope)),
                rf"This is the value of \(x\) for which "
                rf"\({name}(x) = {t}\), not the value of \({name}({t})\).",
            ),
        ]
        return Item(stem, num(value), wrong, steps, check(f"{mslope}*{calc(t)} + {calc(b)}"))
    # medium/hard: find k from g(k) = v, then evaluate g at a multiple or shift of k
    k = rng.choice([n for n in range(-6, 9) if n not in (0, 1)])
    v = mslope * k + b
    shift = rng.choice([2, 3]) if ctx.level == 1 else rng.choice([-4, -3, 3, 4, 5])
    if ctx.level == 1:
        arg, arg_value, arg_calc = f"{shift}k", shift * k, f"{shift}*k"
    else:
        arg, arg_value, arg_calc = f"k{signed(shift)}", k + shift, f"k + {calc(shift)}"
    value = mslope * arg_value + b
    stem = (
        rf"The function \({name}\) is defined by \({name}(x) = {rule}\). If "
        rf"\({name}(k) = {v}\), what is the value of \({name}({arg})\)?"
    )
    steps = (
        rf"Since \({name}(k) = {rule.replace('x', 'k')} = {v}\), solving gives \(k = {k}\). Then "
        rf"\({name}({arg}) = {name}({arg_value}) = {mslope}({arg_value}){signed(b)} = {value}\)."
    )
    wrong = [
        (
            num(shift * v if ctx.level == 1 else v + shift),
            rf"This results from applying the "
            rf"change to the output \({name}(k) = {v}\) instead of to the input.",
        ),
        (num(arg_value), rf"This is the input \({arg}\), not the value of \({name}({arg})\)."),
        (num(k), r"This is the value of \(k\), not the function's value."),
        (
            num(mslope * arg_value - b),
            f"This results from a sign error on the constant {num_tex(b)}.",
        ),
    ]
    return Item(
        stem,
        num(value),
        wrong,
        steps,
        check(
            expr_calc((mslope, f"({arg_calc})"), (b, "")), [f"{mslope}*k + {calc(b)} = {v}"], "k"
        ),
    )


LINEAR_PAIRS = [
    {
        "topic": "money",
        "text": "The cost to rent a kayak is a linear function of the number of hours it is "
        "rented. Renting the kayak for {x1} hours costs {y1}, and renting it for {x2} hours "
        "costs {y2}.",
        "ask": "What is the cost, in dollars, to rent the kayak for {x3} hours?",
        "base_ask": "What is the fixed charge, in dollars, included in every rental?",
        "slope": (6, 8, 9, 12),
        "base": (10, 12, 15, 18, 20),
        "x": (1, 9),
        "money": True,
        "rate_word": "cost per hour",
    },
    {
        "topic": "science",
        "text": "Below the surface of a certain region, the temperature of the rock increases "
        "linearly with depth. At a depth of {x1} meters the temperature is {y1} degrees "
        "Celsius, and at a depth of {x2} meters it is {y2} degrees Celsius.",
        "ask": "According to this relationship, what is the temperature, in degrees Celsius, "
        "at a depth of {x3} meters?",
        "base_ask": "According to this relationship, what is the temperature, in degrees "
        "Celsius, at the surface (a depth of 0 meters)?",
        "slope": ("0.02", "0.025", "0.03"),
        "base": (12, 14, 15, 16),
        "x": (100, 900),
        "step": 100,
        "rate_word": "increase in temperature per meter",
    },
    {
        "topic": "science",
        "text": "The length of a spring is a linear function of the mass hanging from it. With "
        "a {x1}-gram mass attached, the spring is {y1} centimeters long, and with a {x2}-gram "
        "mass attached, it is {y2} centimeters long.",
        "ask": "How long, in centimeters, is the spring with a {x3}-gram mass attached?",
        "base_ask": "How long, in centimeters, is the spring with no mass attached?",
        "slope": ("0.05", "0.1", "0.15", "0.2"),
        "base": (8, 10, 12, 14),
        "x": (20, 200),
        "step": 20,
        "rate_word": "increase in length per gram",
    },
    {
        "topic": "money",
        "text": "A moving company charges for a local move according to a linear function of "
        "the distance driven. A move of {x1} miles costs {y1}, and a move of {x2} miles costs "
        "{y2}.",
        "ask": "What is the charge, in dollars, for a move of {x3} miles?",
        "base_ask": "What is the charge, in dollars, before any miles are driven?",
        "slope": ("2.5", "3", "3.5", "4"),
        "base": (60, 75, 90, 120),
        "x": (4, 40),
        "step": 2,
        "money": True,
        "rate_word": "charge per mile",
    },
]


def linfn_two_values(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(LINEAR_PAIRS)
    slope = Fraction(str(rng.choice(c["slope"])))
    base = Fraction(rng.choice(c["base"]))
    step = c.get("step", 1)
    xs = rng.sample(range(c["x"][0], c["x"][1] + 1, step), 3)
    x1, x2 = sorted(xs[:2])
    x3 = xs[2]
    if ctx.level == 2 and rng.random() < 0.5:
        x3 = 0
    y1, y2 = slope * x1 + base, slope * x2 + base
    show = money if c.get("money") else plain
    text = c["text"].format(x1=x1, y1=show(y1), x2=x2, y2=show(y2))
    rate = (y2 - y1) / (x2 - x1)
    if x3 == 0:
        stem = f"{text} {c['base_ask']}"
        answer = base
        wrong = [
            (
                y1 / x1,
                f"This divides {plain(y1)} by {x1}, treating the relationship as "
                "proportional, which gives an average per unit, not the fixed amount.",
            ),
            (
                y1 - rate,
                f"This subtracts the {c['rate_word']} once from {plain(y1)} instead of {x1} times.",
            ),
            (rate, f"This is the {c['rate_word']}, not the value when the input is 0."),
            (y2 - y1, f"This is the change between the two given values, {plain(y2 - y1)}."),
        ]
        chk = check(f"{calc(y1)} - {x1}*({calc(y2)} - {calc(y1)})/({x2} - {x1})")
        finish = (
            rf"the value at 0 is \({num_tex(y1, 'dec')} - {num_tex(rate, 'dec')}({x1}) = "
            rf"{num_tex(base, 'dec')}\)."
        )
    else:
        stem = f"{text} {c['ask'].format(x3=x3)}"
        answer = rate * x3 + base
        wrong = [
            (
                y1 * x3 / x1,
                f"This treats the relationship as proportional, scaling "
                f"{plain(y1)} by {x3}/{x1} and ignoring the fixed starting amount.",
            ),
            (
                rate * x3,
                f"This multiplies the {c['rate_word']} by {x3} but leaves out the starting amount.",
            ),
            (
                y1 + rate * x3,
                f"This starts from {plain(y1)}, the value at {x1}, instead of from the value at 0.",
            ),
            (
                y2 * x3 / x2,
                f"This treats the relationship as proportional, scaling {plain(y2)} by {x3}/{x2}.",
            ),
        ]
        chk = check(f"{calc(y1)} + ({x3} - {x1})*({calc(y2)} - {calc(y1)})/({x2} - {x1})")
        finish = (
            rf"the starting amount is \({num_tex(y1, 'dec')} - {num_tex(rate, 'dec')}({x1}) = "
            rf"{num_tex(base, 'dec')}\), and the value for {x3} is "
            rf"\({num_tex(rate, 'dec')}({x3}) + {num_tex(base, 'dec')} = "
            rf"{num_tex(answer, 'dec')}\)."
        )
    steps = (
        rf"The rate of change is \(\frac{{{num_tex(y2, 'dec')} - {num_tex(y1, 'dec')}}}"
        rf"{{{x2} - {x1}}} = {num_tex(rate, 'dec')}\), so {finish}"
    )
    wrong = [(w, why) for w, why in wrong if _clean(w, 3) and w != answer]
    style = "dec"
    return Item(stem, num(answer, style), [(num(w, style), why) for w, why in wrong], steps, chk)


def linfn_table(ctx: Ctx) -> Item:
    rng = ctx.rng
    slope = Fraction(rng.choice([-5, -4, -3, -2, 2, 3, 4, 5, 6]), rng.choice([1, 1, 2]))
    b = Fraction(rng.choice(NONZERO))
    xs = sorted(rng.sample(range(-4, 9), 3))
    if any((slope * x + b).denominator != 1 for x in xs):
        raise Retry
    name = ctx.pick(["f", "g", "h"])
    rows = "\n".join(f"| {m(str(x))} | {m(num_tex(slope * x + b))} |" for x in xs)
    figure = (
        f"Table: values of the linear function {name}\n\n| {m('x')} | {m(name + '(x)')} |\n"
        f"|---|---|\n{rows}"
    )
    if ctx.level == 2:
        target = Fraction(rng.randint(-20, 30))
        answer = (target - b) / slope
        if answer.denominator > 4:
            raise Retry
        stem = (
            rf"The table shows three values of \(x\) and the corresponding values of "
            rf"\({name}(x)\), where \({name}\) is a linear function. For what value of \(x\) "
            rf"is \({name}(x) = {num_tex(target)}\)?"
        )
        steps = (
            rf"From the table, the slope is \({num_tex(slope)}\) and the \(y\)-intercept is "
            rf"\({num_tex(b)}\), so \({name}(x) = {expr((slope, 'x'), (b, ''))}\). Setting this "
            rf"equal to {num_tex(target)} gives \(x = {num_tex(answer)}\)."
        )
        wrong = [
            (
                slope * target + b,
                rf"This is \({name}({num_tex(target)})\), not the input that "
                f"gives an output of {num_tex(target)}.",
            ),
            (
                (target + b) / slope,
                "This results from adding the intercept instead of subtracting it.",
            ),
            (target / slope, "This ignores the intercept."),
            ((target - b) * slope, "This multiplies by the slope instead of dividing."),
        ]
        chk = check("x", [f"{expr_calc((slope, 'x'), (b, ''))} = {calc(target)}"], "x")
        return Item(
            stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk, figure=figure
        )
    t = rng.choice([x for x in range(-6, 13) if x not in xs])
    answer = slope * t + b
    if answer.denominator != 1:
        raise Retry
    dx = xs[1] - xs[0]
    dy = slope * dx
    stem = (
        rf"The table shows three values of \(x\) and the corresponding values of "
        rf"\({name}(x)\), where \({name}\) is a linear function. What is the value of "
        rf"\({name}({t})\)?"
    )
    steps = (
        rf"Between the first two rows, \(x\) increases by {dx} and \({name}(x)\) changes by "
        rf"\({num_tex(dy)}\), so the slope is \({num_tex(slope)}\). Using the first row, the "
        rf"\(y\)-intercept is \({num_tex(b)}\), so \({name}(x) = {expr((slope, 'x'), (b, ''))}\)"
        rf" and \({name}({t}) = {num_tex(answer)}\)."
    )
    wrong = [
        (slope * t, "This leaves out the intercept."),
        (t / slope + b, "This uses the reciprocal of the slope."),
        (slope * t - b, "This uses the intercept with the wrong sign."),
        (
            (slope * xs[0] + b) + slope * (t - xs[0]) * -1,
            "This moves in the wrong direction along the line from the first row.",
        ),
    ]
    chk = check(f"{calc(slope)}*{calc(t)} + {calc(b)}")
    return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk, figure=figure)


INTERPRET_CONTEXTS = [
    (
        "A technician charges for a repair visit according to the equation \\(C = {a}h + {b}\\), "
        "where \\(C\\) is the total charge, in dollars, for a visit lasting \\(h\\) hours.",
        "the charge, in dollars, for each hour of work",
        "the fixed charge, in dollars, for a visit",
        "the total charge, in dollars, for a visit",
        "the number of hours in a visit",
    ),
    (
        "The equation \\(W = {a}d + {b}\\) gives the total weight \\(W\\), in grams, of a bird "
        "feeder after \\(d\\) days of refilling, as estimated by a student.",
        "the weight, in grams, added to the feeder each day",
        "the weight, in grams, of the feeder before any refilling",
        "the total weight, in grams, of the feeder",
        "the number of days of refilling",
    ),
    (
        "A scientist models the depth of snow at a weather station during a storm with "
        "\\(S = {a}t + {b}\\), where \\(S\\) is the depth, in centimeters, \\(t\\) hours after "
        "the scientist began measuring.",
        "the increase in snow depth, in centimeters, each hour",
        "the snow depth, in centimeters, when the scientist began measuring",
        "the snow depth, in centimeters, at the end of the storm",
        "the number of hours the storm lasted",
    ),
]


def linfn_interpret(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, rate, start, total, count = ctx.scene(INTERPRET_CONTEXTS)
    a, b = rng.randint(3, 15), rng.randint(20, 90)
    asked = ctx.pick(["a", "b"]) if ctx.level else "a"
    value = a if asked == "a" else b
    setup = text.format(a=a, b=b)
    correct = (rate if asked == "a" else start).capitalize()
    options = {
        rate: f"This describes {a}, the coefficient of the variable.",
        start: f"This describes {b}, the constant term.",
        total: "This describes the variable on the left side of the equation.",
        count: "This describes the input variable, not a number in the equation.",
    }
    answer = rate if asked == "a" else start
    wrong = [(k.capitalize(), why) for k, why in options.items() if k != answer]
    stem = f"{setup} What is the best interpretation of {value} in this context?"
    steps = (
        f"In an equation of the form \\(y = mx + b\\), \\(m\\) is the change in \\(y\\) for each "
        f"increase of 1 in \\(x\\), and \\(b\\) is the value of \\(y\\) when \\(x = 0\\). Here "
        f"{value} is {'the coefficient' if asked == 'a' else 'the constant term'}, so it is "
        f"{answer}."
    )
    return Item(stem, correct, wrong, steps, None)


# --- linear equations in two variables -------------------------------------------------------


def lin2_intercepts(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = rng.choice([n for n in range(-9, 10) if n not in (0, 1, -1)])
    b = rng.choice([n for n in range(2, 10) if n != abs(a)])
    c = rng.choice([n for n in range(-60, 61) if n != 0])
    xi, yi = Fraction(c, a), Fraction(c, b)
    if xi.denominator > 6 or yi.denominator > 6:
        raise Retry
    line = rf"{expr((a, 'x'), (b, 'y'))} = {c}"
    if ctx.level == 0:
        stem = ctx.scene(
            [
                rf"In the \(xy\)-plane, the graph of \({line}\) crosses the \(x\)-axis at the "
                r"point \((r, 0)\). What is the value of \(r\)?",
                rf"A straight conveyor path is modeled by \({line}\) on a coordinate grid, where "
                r"the \(x\)-axis is the factory floor. At what \(x\)-coordinate does the path "
                r"meet the floor?",
            ]
        )
        steps = rf"At the \(x\)-intercept, \(y = 0\), so \({a}x = {c}\) and \(x = {num_tex(xi)}\)."
        answer = xi
        wrong = [
            (
                yi,
                r"This is the \(y\)-coordinate of the \(y\)-intercept, found by setting "
                r"\(x = 0\).",
            ),
            (Fraction(a, c), "This is the reciprocal of the correct value."),
            (-xi, "This results from a sign error when dividing."),
            (Fraction(c - b, a), r"This results from setting \(y = 1\) instead of \(y = 0\)."),
        ]
        chk = check("x", [f"{a}*x + {b}*0 = {c}"], "x")
    else:
        stem = ctx.scene(
            [
                rf"The graph of \({line}\) in the \(xy\)-plane has \(x\)-intercept "
                r"\((r, 0)\) and \(y\)-intercept \((0, s)\). What is the value of \(r + s\)?",
                rf"The line \({line}\) meets the \(x\)-axis at \((r, 0)\) and the \(y\)-axis "
                r"at \((0, s)\). What is the sum of the two intercepts, \(r + s\)?",
            ]
        )
        answer = xi + yi
        steps = (
            rf"Setting \(y = 0\) gives \(r = \frac{{{c}}}{{{a}}} = {num_tex(xi)}\); setting "
            rf"\(x = 0\) gives \(s = \frac{{{c}}}{{{b}}} = {num_tex(yi)}\). So "
            rf"\(r + s = {num_tex(answer)}\)."
        )
        wrong = [
            (xi - yi, r"This is \(r - s\)."),
            (Fraction(a + b, c), "This adds the reciprocals of the intercepts."),
            (-answer, "This results from a sign error on both intercepts."),
            (Fraction(c, a + b), r"This divides the constant by the sum of the coefficients."),
        ]
        chk = check(f"{c}/{calc(a)} + {c}/{b}")
    return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk)


def lin2_two_points(ctx: Ctx) -> Item:
    rng = ctx.rng
    x1, x2 = sorted(rng.sample(range(-8, 10), 2))
    slope = Fraction(rng.choice([-4, -3, -2, -1, 1, 2, 3, 4, 5]), rng.choice([1, 2, 3]))
    b = Fraction(rng.randint(-9, 9))
    y1, y2 = slope * x1 + b, slope * x2 + b
    if y1.denominator != 1 or y2.denominator != 1 or y1 == y2:
        raise Retry
    pts = rf"\(P({x1}, {num_tex(y1)})\) and \(Q({x2}, {num_tex(y2)})\)"
    if ctx.level == 0:
        stem = ctx.scene(
            [
                f"Points {pts} lie on line \\(\\ell\\) in the \\(xy\\)-plane. What is the slope "
                "of line \\(\\ell\\)?",
                f"A drone flies in a straight line over a coordinate grid, passing over {pts}. "
                "What is the slope of the drone's path?",
            ]
        )
        answer = slope
        steps = (
            rf"The slope is \(\frac{{{num_tex(y2)} - ({num_tex(y1)})}}{{{x2} - ({x1})}} = "
            rf"{num_tex(slope)}\)."
        )
        wrong = [
            (1 / slope, "This divides the change in \\(x\\) by the change in \\(y\\)."),
            (-slope, "This subtracts the coordinates in opposite orders."),
            (
                Fraction(y2 + y1, x2 + x1) if x2 + x1 else y2 + y1,
                "This divides the sums of the coordinates instead of their differences.",
            ),
            (
                y2 - y1,
                "This is the change in \\(y\\) only; it is not divided by the change in \\(x\\).",
            ),
        ]
        chk = check(f"({calc(y2)} - {calc(y1)})/({x2} - {calc(x1)})")
    elif ctx.level == 1:
        stem = ctx.scene(
            [
                f"Points {pts} lie on line \\(\\ell\\) in the \\(xy\\)-plane. At what "
                "\\(y\\)-coordinate does line \\(\\ell\\) cross the \\(y\\)-axis?",
                f"A straight fence on a coordinate map runs through {pts}. If the fence were "
                "extended, at what \\(y\\)-coordinate would it cross the \\(y\\)-axis?",
            ]
        )
        answer = b
        steps = (
            rf"The slope is \(\frac{{{num_tex(y2 - y1)}}}{{{x2 - x1}}} = {num_tex(slope)}\). "
            rf"Then \(b = {num_tex(y1)} - ({num_tex(slope)})({x1}) = {num_tex(b)}\)."
        )
        wrong = [
            (
                y1 + slope * x1,
                "This adds the product of the slope and \\(x\\) instead of subtracting it.",
            ),
            (y1 - x1 / slope, "This uses the reciprocal of the slope."),
            (slope, "This is the slope, not the \\(y\\)-intercept."),
            (
                y1 - slope,
                "This subtracts the slope once instead of multiplying it by the "
                "\\(x\\)-coordinate.",
            ),
        ]
        chk = check(f"{calc(y1)} - {calc(x1)}*({calc(y2)} - {calc(y1)})/({x2} - {calc(x1)})")
    else:
        x3 = rng.choice([n for n in range(-12, 15) if n not in (x1, x2)])
        answer = slope * x3 + b
        stem = ctx.scene(
            [
                f"Points {pts} and \\(R({x3}, k)\\) are collinear: all three lie on one line. "
                "What is the value of \\(k\\)?",
                f"A laser beam travels in a straight line across a coordinate grid through {pts}. "
                f"It also passes through \\(({x3}, k)\\). What is the value of \\(k\\)?",
            ]
        )
        steps = (
            rf"The slope is \(\frac{{{num_tex(y2 - y1)}}}{{{x2 - x1}}} = {num_tex(slope)}\), so "
            rf"\(k = {num_tex(y1)} + ({num_tex(slope)})({x3} - ({x1})) = {num_tex(answer)}\)."
        )
        wrong = [
            (y1 + (x3 - x1) / slope, "This uses the reciprocal of the slope."),
            (y1 - slope * (x3 - x1), "This moves in the wrong direction along the line."),
            (slope * x3, "This leaves out the \\(y\\)-intercept of the line."),
            (
                y2 + slope * (x3 - x1),
                "This starts from the second point but measures the distance from the first.",
            ),
        ]
        chk = check(
            f"{calc(y1)} + ({x3} - {calc(x1)})*({calc(y2)} - {calc(y1)})/({x2} - {calc(x1)})"
        )
    return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk)


BUDGET_CONTEXTS = [
    {
        "topic": "money",
        "text": "A school orders boxes of pencils for {a} each and boxes of markers for {b} "
        "each. The equation \\({a0}x + {b0}y = {T0}\\) represents ordering \\(x\\) boxes of "
        "pencils and \\(y\\) boxes of markers for a total of {T}.",
        "ask": "If the school orders {y} boxes of markers, how many boxes of pencils does it "
        "order?",
        "a": (3, 4, 5, 6),
        "b": (7, 9, 11),
        "money": True,
    },
    {
        "topic": "science",
        "text": "During a workout, {name} burns {a} calories per minute swimming and {b} "
        "calories per minute cycling. The equation \\({a0}x + {b0}y = {T0}\\) represents "
        "swimming for \\(x\\) minutes and cycling for \\(y\\) minutes to burn {T} calories.",
        "ask": "If {name} cycles for {y} minutes, for how many minutes does {name} swim?",
        "a": (9, 10, 11, 12),
        "b": (6, 7, 8),
        "money": False,
    },
    {
        "topic": "money",
        "text": "A snack shop mixes almonds, which cost {a} per pound, with dried cherries, "
        "which cost {b} per pound. The equation \\({a0}x + {b0}y = {T0}\\) represents a mix of "
        "\\(x\\) pounds of almonds and \\(y\\) pounds of cherries that costs {T}.",
        "ask": "If the mix contains {y} pounds of cherries, how many pounds of almonds does it "
        "contain?",
        "a": (6, 8, 9),
        "b": (10, 12, 14),
        "money": True,
    },
]


def lin2_budget(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(BUDGET_CONTEXTS)
    a, b = rng.choice(c["a"]), rng.choice(c["b"])
    if a == b:
        raise Retry
    x, y = rng.randint(4, 30), rng.randint(3, 20)
    total = a * x + b * y
    show = money if c["money"] else plain
    name = ctx.pick(NAMES)
    text = c["text"].format(a=show(a), b=show(b), a0=a, b0=b, T0=total, T=show(total), name=name)
    stem = f"{text} {c['ask'].format(y=y, name=name)}"
    steps = (
        rf"Substituting {y} for \(y\) gives \({a}x + {b}({y}) = {total}\), so "
        rf"\({a}x = {total - b * y}\) and \(x = {x}\)."
    )
    wrong = [
        (
            Fraction(total - a * y, b),
            "This swaps the two rates, substituting the given amount into the wrong term.",
        ),
        (
            Fraction(total, a) - y,
            "This divides the total by the first rate and then "
            "subtracts the given amount, as if both items had the same rate.",
        ),
        (
            Fraction(total + b * y, a),
            f"This adds \\({b}({y})\\) to the total instead of subtracting it.",
        ),
        (Fraction(total - b * y), f"This is the value of \\({a}x\\), not of \\(x\\)."),
    ]
    wrong = [(w, why) for w, why in wrong if _clean(w, 2)]
    return Item(
        stem,
        num(x),
        [(num(w, "dec"), why) for w, why in wrong],
        steps,
        check("x", [f"{a}*x + {b}*{y} = {total}"], "x"),
    )


def lin2_parallel(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = rng.choice([n for n in range(-6, 7) if n not in (0,)])
    b = rng.choice([2, 3, 4, 5])
    c = rng.randint(-20, 20)
    h, k = rng.randint(-6, 8), rng.randint(-9, 9)
    slope = Fraction(-a, b)
    intercept = k - slope * h
    perpendicular = ctx.level == 2 and rng.random() < 0.5
    if perpendicular:
        slope = Fraction(b, a)
        intercept = k - slope * h
    if intercept.denominator > 6:
        raise Retry
    relation = "perpendicular" if perpendicular else "parallel"
    stem = (
        rf"A road on a coordinate map is drawn {relation} to the line "
        rf"\({expr((a, 'x'), (b, 'y'))} = {c}\) and passes through the point \(({h}, {k})\). "
        r"What is the \(y\)-coordinate of the point where the road's line crosses the "
        r"\(y\)-axis?"
    )
    given = Fraction(-a, b)
    steps = (
        rf"Solving \({expr((a, 'x'), (b, 'y'))} = {c}\) for \(y\) shows that its slope is "
        rf"\({num_tex(given)}\). "
        + (
            rf"A perpendicular line has slope \({num_tex(slope)}\), the negative reciprocal. "
            if perpendicular
            else "A parallel line has the same slope. "
        )
        + rf"So \(q = {k} - ({num_tex(slope)})({h}) = {num_tex(intercept)}\)."
    )
    other = given if perpendicular else Fraction(b, a)
    wrong = [
        (
            k + slope * h,
            "This adds the product of the slope and the \\(x\\)-coordinate "
            "instead of subtracting it.",
        ),
        (
            k - other * h,
            "This uses the slope of a line "
            + ("parallel" if perpendicular else "perpendicular")
            + " to the given line.",
        ),
        (
            Fraction(c, b),
            "This is the \\(y\\)-intercept of the given line, not of line \\(\\ell\\).",
        ),
        (
            k - slope,
            "This subtracts the slope once instead of multiplying it by the \\(x\\)-coordinate.",
        ),
    ]
    chk = check(f"{k} - {calc(slope)}*{calc(h)}")
    return Item(stem, num(intercept), [(num(w), why) for w, why in wrong], steps, chk)


# --- systems of linear equations ---------------------------------------------------------------


def _ask_combo(ctx: Ctx, x: int, y: int) -> tuple[str, int, str, list[tuple[int, str]]]:
    options = [
        ("x", x, "x", []),
        ("y", y, "y", []),
        ("x + y", x + y, "x + y", [(x - y, r"This is \(x - y\), not \(x + y\).")]),
        ("x - y", x - y, "x - y", [(x + y, r"This is \(x + y\), not \(x - y\).")]),
        ("2x + y", 2 * x + y, "2*x + y", [(x + 2 * y, r"This is \(x + 2y\).")]),
    ]
    pool = options[:2] if ctx.level == 0 else options
    label, value, calc_text, extra = ctx.pick(pool)
    wrong = list(extra)
    if label != "x":
        wrong.append((x, r"This is the value of \(x\)."))
    if label != "y":
        wrong.append((y, r"This is the value of \(y\)."))
    return label, value, calc_text, wrong


def sys_elimination(ctx: Ctx) -> Item:
    rng = ctx.rng
    x, y = rng.randint(-6, 9), rng.randint(-6, 9)
    a, b = rng.randint(1, 6), rng.choice([n for n in range(-6, 7) if n != 0])
    if ctx.level == 0:
        c, d = rng.randint(1, 6), -b  # the y-terms cancel when the equations are added
    else:
        c, d = rng.randint(2, 7), rng.choice([n for n in range(-7, 8) if n != 0])
    if a * d - b * c == 0 or a == c:
        raise Retry
    e, f = a * x + b * y, c * x + d * y
    label, value, calc_text, wrong = _ask_combo(ctx, x, y)
    first, second = expr((a, "x"), (b, "y")), expr((c, "x"), (d, "y"))
    stem = ctx.scene(
        [
            rf"If \({first} = {e}\) and \({second} = {f}\), what is the value of \({label}\)?",
            rf"In the \(xy\)-plane, the graphs of \({first} = {e}\) and \({second} = {f}\) "
            rf"intersect at the point \((x, y)\). What is the value of \({label}\)?",
            rf"A pair of numbers \(x\) and \(y\) satisfies both \({first} = {e}\) and "
            rf"\({second} = {f}\). What is the value of \({label}\)?",
        ]
    )
    if ctx.level == 0:
        steps = (
            rf"Adding the equations eliminates \(y\): \({a + c}x = {e + f}\), so \(x = {x}\). "
            rf"Substituting into the first equation gives \({expr((b, 'y'))} = {e - a * x}\), "
            rf"so \(y = {y}\)."
        )
    else:
        steps = (
            rf"Multiplying the first equation by {c} and the second by {a} and subtracting "
            rf"eliminates \(x\): \({b * c - a * d}y = {e * c - a * f}\), so \(y = {y}\). "
            rf"Substituting into the first equation gives \({expr((a, 'x'))} = {e - b * y}\), so "
            rf"\(x = {x}\)."
        )
    if label not in ("x", "y"):
        steps += rf" Therefore \({label} = {value}\)."
    # A sign slip when substituting back: b*y = e + a*x, or a*x = e + b*y.
    y_slip = Fraction(e + a * x, b)
    x_slip = Fraction(e + b * y, a)
    slip_values = {
        "x": x_slip,
        "y": y_slip,
        "x + y": x + y_slip,
        "x - y": x - y_slip,
        "2x + y": 2 * x + y_slip,
    }
    wrong.append(
        (
            slip_values[label],
            "This results from a sign error when substituting back into the first equation.",
        )
    )
    wrong.append((-value, "This results from a sign error when solving the eliminated equation."))
    xs = f"(({e})*({d}) - ({b})*({f}))/(({a})*({d}) - ({b})*({c}))"
    ys = f"(({a})*({f}) - ({c})*({e}))/(({a})*({d}) - ({b})*({c}))"
    chk = check(calc_text.replace("x", xs).replace("y", ys))
    return Item(stem, num(value), [(num(w), why) for w, why in wrong], steps, chk)


SYSTEM_WORD = [
    {
        "topic": "work",
        "text": "A warehouse shipped {n} crates on one truck. Each small crate weighed {p} "
        "kilograms and each large crate weighed {q} kilograms, for a total of {T} kilograms.",
        "ask": "How many large crates were on the truck?",
        "p": (12, 15, 20),
        "q": (30, 35, 40),
        "small": "small crates",
        "large": "large crates",
        "points": True,
    },
    {
        "topic": "school",
        "text": "A quiz has {n} questions. Each short-answer question is worth {p} points and "
        "each essay question is worth {q} points, for a total of {T} points.",
        "ask": "How many essay questions are on the quiz?",
        "p": (2, 3, 4),
        "q": (8, 10, 12),
        "small": "short-answer questions",
        "large": "essay questions",
        "points": True,
    },
    {
        "topic": "science",
        "text": "A lab has {n} sample trays. Each small tray holds {p} test tubes and each "
        "large tray holds {q} test tubes, and together the trays hold {T} test tubes.",
        "ask": "How many large trays does the lab have?",
        "p": (6, 8, 10),
        "q": (12, 15, 20),
        "small": "small trays",
        "large": "large trays",
        "points": True,
    },
]


def sys_word(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(SYSTEM_WORD)
    p, q = rng.choice(c["p"]), rng.choice(c["q"])
    small, large = rng.randint(5, 40), rng.randint(5, 40)
    if small == large:
        raise Retry
    n, total = small + large, p * small + q * large
    stem = f"{c['text'].format(n=n, p=p, q=q, T=total)} {c['ask']}"
    steps = (
        rf"Let \(s\) be the number of {c['small']} and \(L\) the number of {c['large']}. Then "
        rf"\(s + L = {n}\) and \({p}s + {q}L = {total}\). Substituting \(s = {n} - L\) gives "
        rf"\({p}({n} - L) + {q}L = {total}\), so \({q - p}L = {total - p * n}\) and "
        rf"\(L = {large}\)."
    )
    wrong = [
        (small, f"This is the number of {c['small']}, not {c['large']}."),
        (
            Fraction(total, q),
            f"This divides the total by {q}, as if every item were one of the {c['large']}.",
        ),
        (
            Fraction(total - p * n, q),
            f"This subtracts {p} times the total count from the "
            f"total but then divides by {q} instead of by {q} - {p}.",
        ),
        (
            Fraction(total, p + q),
            f"This divides the total by {p} + {q}, as if each item "
            "counted for the sum of the two amounts.",
        ),
        (
            Fraction(total, n),
            "This divides the total by the number of items, giving an average rather than a count.",
        ),
    ]
    wrong = [(w, why) for w, why in wrong if w.denominator == 1]
    chk = check("L", [f"{p}*({n} - L) + {q}*L = {total}"], "L")
    return Item(stem, num(large), [(num(w), why) for w, why in wrong], steps, chk)


def sys_parameter(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, b = rng.choice([2, 3, 4, 5]), rng.choice([n for n in range(-7, 8) if n not in (0,)])
    mult = Fraction(rng.choice([-3, -2, 2, 3, 4]), rng.choice([1, 1, 2]))
    d, k = b * mult, a * mult
    if d.denominator != 1 or k.denominator != 1:
        raise Retry
    c = rng.randint(-12, 12)
    e = rng.choice([n for n in range(-20, 21) if n != c * mult])
    stem = (
        rf"In the \(xy\)-plane, line \(p\) has equation \({expr((a, 'x'), (b, 'y'))} = {c}\) "
        rf"and line \(q\) has equation \(kx{signed(d)}y = {e}\), where \(k\) is a constant. "
        r"Lines \(p\) and \(q\) never intersect. What is the value of \(k\)?"
    )
    steps = (
        "Two distinct lines that never intersect are parallel, so their coefficients are "
        "proportional while their constants are not. The \\(y\\)-coefficients give the ratio "
        rf"\(\frac{{{num_tex(d)}}}{{{b}}} = {num_tex(mult)}\), so \(k = {a}({num_tex(mult)}) = "
        rf"{num_tex(k)}\), and \({c}({num_tex(mult)}) \ne {e}\), so the lines are distinct."
    )
    wrong = [
        (-k, "This gives lines with slopes of opposite sign, which intersect."),
        (
            Fraction(a) / mult,
            "This divides by the ratio of the coefficients instead of multiplying by it.",
        ),
        (Fraction(-b * d, a), "This makes the lines perpendicular, not parallel."),
        (
            Fraction(a * e, c) if c else Fraction(a * e),
            "This scales by the ratio of the "
            "constants instead of the ratio of the \\(y\\)-coefficients.",
        ),
    ]
    return Item(
        stem, num(k), [(num(w), why) for w, why in wrong], steps, check(f"{a}*{calc(d)}/{calc(b)}")
    )


# --- linear inequalities ---------------------------------------------------------------------


def ineq_boundary(ctx: Ctx) -> Item:
    rng = ctx.rng
    x = rng.randint(-8, 15)
    a = rng.randint(3, 8)
    c = rng.choice([n for n in range(-5, a) if n not in (0,)])
    p = rng.choice([n for n in range(-7, 8) if n not in (0,)])
    d = a * (x - p) - c * x
    greatest = rng.random() < 0.5
    sign = r"\le" if greatest else r"\ge"
    left = rf"{a}({expr((1, 'x'), (-p, ''))})"
    right = expr((c, "x"), (d, ""))
    word = "greatest" if greatest else "least"
    stem = ctx.scene(
        [
            rf"\({left} {sign} {right}\)" + "\n\n"
            rf"What is the {word} value of \(x\) that satisfies the given inequality?",
            rf"A number \(x\) must satisfy \({left} {sign} {right}\). Of all such numbers, "
            rf"what is the {word}?",
        ]
    )
    steps = (
        rf"Distributing gives \({expr((a, 'x'), (-a * p, ''))} {sign} {right}\). Subtracting "
        rf"\({expr((c, 'x'))}\) from both sides and then {undo(-a * p)[0]} gives "
        rf"\({expr((a - c, 'x'))} {sign} {num_tex(d + a * p)}\). Since {a - c} is positive, "
        rf"\(x {sign} {x}\), so the {word} value is {x}."
    )
    wrong = [
        (Fraction(d + p, a - c), f"This results from not distributing {a} to \\({num_tex(-p)}\\)."),
        (Fraction(d - a * p, a - c), f"This results from {undo(-a * p)[1]}."),
        (
            Fraction(d + a * p, a + c),
            rf"This results from adding \({expr((c, 'x'))}\) "
            "instead of subtracting it.",
        ),
        (Fraction(d + a * p), f"This skips dividing by {a - c}."),
    ]
    chk = check("x", [f"{a}*(x - {calc(p)}) = {expr_calc((c, 'x'), (d, ''))}"], "x")
    return Item(stem, num(x), [(num(w), why) for w, why in wrong], steps, chk)


INEQ_BUDGET = [
    (
        "{name} has {B} to spend at a fair. Admission costs {f}, and each ride ticket costs {p}.",
        "What is the greatest number of ride tickets {name} can buy?",
        "ride tickets",
        True,
        "the admission cost",
    ),
    (
        "A freight elevator can safely carry at most {B} kilograms. An operator weighing {f} "
        "kilograms rides with a load of identical crates, each weighing {p} kilograms.",
        "What is the greatest number of crates the elevator can safely carry with the operator?",
        "crates",
        False,
        "the operator's weight",
    ),
    (
        "A research team has a budget of {B} for a field trip. Renting a van costs {f}, and each "
        "day of fuel and supplies costs {p}.",
        "What is the greatest number of full days the team can spend in the field?",
        "days",
        True,
        "the cost of the van",
    ),
]


def ineq_budget(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, ask, unit, is_money, fixed = ctx.scene(INEQ_BUDGET)
    p = rng.choice([4, 6, 7, 8, 9, 12, 15, 35, 45])
    f = rng.choice([20, 25, 40, 60, 75])
    n = rng.randint(6, 30)
    rem = rng.randint(1, p - 1) if ctx.level else 0
    budget = f + p * n + rem
    show = money if is_money else plain
    name = ctx.pick(NAMES)
    stem = f"{text.format(name=name, B=show(budget), f=show(f), p=show(p))} {ask.format(name=name)}"
    bound = Fraction(budget - f, p)
    steps = (
        rf"If \(n\) is the number of {unit}, then \({f} + {p}n \le {budget}\), so "
        rf"\({p}n \le {budget - f}\) and \(n \le "
        rf"{num_tex(bound, 'dec') if rem == 0 else frac_or_dec(bound)}\)."
    )
    if rem:
        steps += f" The greatest whole number that satisfies this is {n}."
    wrong = [
        (Fraction(budget + f, p), f"This adds {fixed} to the limit instead of subtracting it."),
        (Fraction(budget, p), f"This ignores {fixed}."),
        (Fraction(budget - f), f"This is the amount left for {unit}, not the number of {unit}."),
    ]
    # A student who rounds the bound up, or who drops the remainder, lands on a whole number.
    wrong = [(Fraction(w.numerator // w.denominator), why) for w, why in wrong]
    if rem:
        wrong.insert(
            0, (Fraction(n + 1), "This rounds the bound up, which would go over the limit.")
        )
    chk = check(f"({budget} - {f} - {rem})/{p}")
    return Item(stem, num(n), [(num(w), why) for w, why in wrong], steps, chk)


def frac_or_dec(value: Fraction) -> str:
    return num_tex(value, "dec")


def ineq_count_integers(ctx: Ctx) -> Item:
    rng = ctx.rng
    p = rng.choice([2, 3, 4, 5])
    q = rng.choice([n for n in range(-9, 10) if n != 0])
    lo, hi = sorted(rng.sample(range(-30, 40), 2))
    if hi - lo < 8:
        raise Retry
    strict_hi = rng.random() < 0.5
    # lo <= p x + q (< or <=) hi
    low_x = Fraction(lo - q, p)
    high_x = Fraction(hi - q, p)
    first = -((-low_x.numerator) // low_x.denominator)  # ceil
    last = high_x.numerator // high_x.denominator  # floor
    if strict_hi and high_x.denominator == 1:
        last -= 1
    count = last - first + 1
    if count <= 2:
        raise Retry
    rel = "<" if strict_hi else r"\le"
    stem = (
        rf"How many integers \(x\) satisfy both \({expr((p, 'x'), (q, ''))} \ge {lo}\) and "
        rf"\({expr((p, 'x'), (q, ''))} {rel} {hi}\)?"
    )
    steps = (
        rf"{undo(q)[0].capitalize()} of each inequality and dividing by {p} gives "
        rf"\({num_tex(low_x)} \le x {rel} {num_tex(high_x)}\). The integers in this interval "
        rf"run from {first} to {last}, which is \({last} - ({first}) + 1 = {count}\) integers."
    )
    wrong = [
        (count - 1, "This subtracts the endpoints without adding 1 to include both."),
        (count + 1, "This counts one integer too many at an endpoint."),
        (
            hi - lo + 1,
            "This counts the integers between the outer bounds before solving for \\(x\\).",
        ),
        (
            Fraction(hi - lo, p) // 1,
            f"This divides the width of the interval by {p} without "
            "checking which integers fall inside it.",
        ),
    ]
    return Item(
        stem,
        num(count),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"{last} - ({first}) + 1"),
    )


TWO_VAR_BUDGET = [
    (
        "{name} has at most {B} to spend on art supplies. Sketchbooks cost {p} each and "
        "markers cost {q} each.",
        "If {name} buys {y} markers, what is the greatest number of sketchbooks {name} can buy?",
        "sketchbooks",
        True,
    ),
    (
        "A delivery drone can carry at most {B} grams. Each medicine kit weighs {p} grams and "
        "each water pouch weighs {q} grams.",
        "If the drone carries {y} water pouches, what is "
        "the greatest number of medicine kits it can carry?",
        "medicine kits",
        False,
    ),
]


def ineq_two_variable(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, ask, unit, is_money = ctx.scene(TWO_VAR_BUDGET)
    p, q = rng.sample([3, 4, 5, 6, 7, 8, 9, 12, 15], 2)
    y = rng.randint(2, 9)
    n = rng.randint(4, 20)
    rem = rng.randint(1, p - 1)
    budget = p * n + q * y + rem
    show = money if is_money else plain
    name = ctx.pick(NAMES)
    stem = (
        f"{text.format(name=name, B=show(budget), p=show(p), q=show(q))} "
        f"{ask.format(name=name, y=y)}"
    )
    bound = Fraction(budget - q * y, p)
    steps = (
        rf"With \(x\) {unit}, \({p}x + {q}({y}) \le {budget}\), so \({p}x \le {budget - q * y}\) "
        rf"and \(x \le "
        rf"{num_tex(bound, 'dec') if (bound * 100).denominator == 1 else num_tex(bound)}\)."
        f" The greatest whole number that works is {n}."
    )
    wrong = [
        (n + 1, "This rounds the bound up, which would exceed the limit."),
        (Fraction(budget, p) // 1, f"This ignores the {y} items already included."),
        (Fraction(budget - p * y, q) // 1, "This swaps the two weights or prices."),
        (
            Fraction(budget + q * y, p) // 1,
            "This adds the cost of the other items instead of subtracting it.",
        ),
    ]
    return Item(
        stem,
        num(n),
        [(num(Fraction(w)), why) for w, why in wrong],
        steps,
        check(f"({budget} - {q}*{y} - {rem})/{p}"),
    )


TEMPLATES: dict[str, list[Template]] = {
    "linear_equations_one_variable": [
        Template(lin1_both_sides),
        Template(lin1_rate_context, levels=(0, 1)),
        Template(lin1_no_solution, levels=(1, 2)),
        Template(lin1_two_plans, levels=(0, 1, 2)),
        Template(lin1_fractions, levels=(1, 2)),
    ],
    "linear_functions": [
        Template(linfn_evaluate),
        Template(linfn_two_values),
        Template(linfn_table),
        Template(linfn_interpret, levels=(0, 1), spr=False),
    ],
    "linear_equations_two_variables": [
        Template(lin2_intercepts),
        Template(lin2_two_points),
        Template(lin2_budget, levels=(0, 1)),
        Template(lin2_parallel, levels=(1, 2)),
    ],
    "systems_linear_equations": [
        Template(sys_elimination),
        Template(sys_word),
        Template(sys_parameter, levels=(1, 2)),
    ],
    "linear_inequalities": [
        Template(ineq_boundary),
        Template(ineq_budget),
        Template(ineq_count_integers, levels=(1, 2)),
        Template(ineq_two_variable, levels=(0, 1, 2)),
    ],
}
