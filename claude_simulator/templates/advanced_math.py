"""Math templates for the Advanced Math domain: every answer and distractor computed here."""

from __future__ import annotations

from fractions import Fraction

from claude_simulator.templates.base import (
    Ctx,
    Item,
    Retry,
    Template,
    calc,
    check,
    expr,
    num,
    num_tex,
    plain,
    signed,
)

SMALL = [n for n in range(-9, 10) if n != 0]


def _nums(wrong: list[tuple[Fraction | int, str]]) -> list:
    return [(num(w), why) for w, why in wrong]


# --- equivalent expressions ------------------------------------------------------------------


def eq_expand(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = 1 if ctx.level == 0 else rng.randint(2, 5)
    c = rng.randint(1, 4) if ctx.level == 0 else rng.randint(2, 6)
    b, d = rng.choice(SMALL), rng.choice(SMALL)
    p, q, r = a * c, a * d + b * c, b * d
    if q == 0 or a * d == b * c:
        raise Retry
    left = rf"({expr((a, 'x'), (b, ''))})({expr((c, 'x'), (d, ''))})"
    if ctx.level < 2:
        stem = ctx.scene(
            [
                rf"The expression \({left}\) is equivalent to \(ax^2 + bx + c\), where \(a\), "
                r"\(b\), and \(c\) are constants. What is the value of \(b\)?",
                rf"When \({left}\) is multiplied out and like terms are combined, what is the "
                r"coefficient of \(x\)?",
                rf"A student rewrote the product \({left}\) in the form \(ax^2 + bx + c\). If "
                r"the student's work was correct, what value did the student find for \(b\)?",
            ]
        )
        steps = (
            rf"Multiplying out gives \({a * c}x^2 + {num_tex(a * d)}x + {num_tex(b * c)}x"
            rf"{signed(b * d)}\), which combines to \({expr((p, 'x^2'), (q, 'x'), (r, ''))}\). "
            rf"So \(b = {q}\)."
        ).replace("+ -", "- ")
        answer = q
        wrong = [
            (
                a * d,
                rf"This keeps only the product \(({expr((a, 'x'))})({num_tex(d)})\) and "
                "drops the other middle term.",
            ),
            (
                b * c,
                rf"This keeps only the product \(({num_tex(b)})({expr((c, 'x'))})\) and "
                "drops the other middle term.",
            ),
            (a * d - b * c, "This subtracts the two middle terms instead of adding them."),
            (r, r"This is the constant term \(c\), not the coefficient of \(x\)."),
            (
                a * c + b * d,
                "This pairs the terms incorrectly, multiplying first with first "
                "and last with last and adding.",
            ),
        ]
        chk = check(f"{a}*{calc(d)} + {calc(b)}*{c}")
    else:
        stem = ctx.scene(
            [
                rf"The expression \({left}\) is equivalent to \(ax^2 + bx + c\), where \(a\), "
                r"\(b\), and \(c\) are constants. What is the value of \(a + b + c\)?",
                rf"When the product \({left}\) is written as a sum of terms in standard form, "
                r"\(ax^2 + bx + c\), what is the sum of the coefficients \(a + b + c\)?",
                rf"A polynomial \(P(x)\) is defined as \({left}\), and \(P(x) = ax^2 + bx + c\) "
                r"for constants \(a\), \(b\), and \(c\). What is \(a + b + c\)?",
            ]
        )
        answer = p + q + r
        steps = (
            rf"Multiplying out gives \({expr((p, 'x^2'), (q, 'x'), (r, ''))}\), so "
            rf"\(a + b + c = {p} + ({q}) + ({r}) = {answer}\). (Equivalently, \(a + b + c\) is "
            rf"the value of the expression at \(x = 1\): \(({a + b})({c + d}) = {answer}\).)"
        )
        wrong = [
            (
                p + (a * d - b * c) + r,
                "This subtracts the two middle terms instead of adding them.",
            ),
            (p + r, r"This leaves out the \(x\)-term."),
            (
                a + b + c + d,
                "This adds the numbers in the factors instead of multiplying them out.",
            ),
            (p + q - r, "This uses the constant term with the wrong sign."),
        ]
        chk = check(f"({a} + {calc(b)})*({c} + {calc(d)})")
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def eq_combine(ctx: Ctx) -> Item:
    rng = ctx.rng
    mm, n = rng.randint(2, 7), rng.randint(2, 6)
    a, b = rng.randint(1, 6), rng.choice(SMALL)
    c, d = rng.randint(1, 5), rng.choice(SMALL)
    p, q = mm * a - n * c, mm * b - n * d
    if p == 0 or q == 0:
        raise Retry
    text = rf"{mm}({expr((a, 'x'), (b, ''))}) - {n}({expr((c, 'x'), (d, ''))})"
    asked = "q" if ctx.level == 0 else ctx.pick(["q", "p + q"])
    stem = (
        rf"The expression \({text}\) is equivalent to \(px + q\), where \(p\) and \(q\) are "
        rf"constants. What is the value of \({asked}\)?"
    )
    answer = q if asked == "q" else p + q
    steps = (
        rf"Distributing gives \({expr((mm * a, 'x'), (mm * b, ''))} - {n * c}x"
        rf"{signed(-n * d)}\), which combines to \({expr((p, 'x'), (q, ''))}\). "
    ).replace("+ -", "- ") + (rf"So \(q = {q}\)." if asked == "q" else rf"So \(p + q = {p + q}\).")
    wrong_q = [
        (
            mm * b + n * d,
            rf"This subtracts only the first term of \({n}({expr((c, 'x'), (d, ''))})"
            r"\), leaving the sign of the constant unchanged.",
        ),
        (mm * b - d, f"This multiplies only the \\(x\\)-term of the second expression by {n}."),
        (b - n * d, f"This multiplies only the \\(x\\)-term of the first expression by {mm}."),
        (p, r"This is the value of \(p\), not \(q\)."),
    ]
    if asked == "q":
        wrong = wrong_q
    else:
        wrong = [(p + w, why) for w, why in wrong_q[:3]] + [
            (mm * a + n * c + q, r"This adds the \(x\)-terms instead of subtracting them."),
            (q, r"This is the value of \(q\) alone."),
        ]
    chk = check(
        f"{mm}*{calc(b)} - {n}*{calc(d)}"
        if asked == "q"
        else f"({mm}*{a} - {n}*{c}) + ({mm}*{calc(b)} - {n}*{calc(d)})"
    )
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def eq_exponents(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level == 0:
        a, b, c = rng.randint(2, 9), rng.randint(2, 6), rng.randint(1, 9)
        answer = a * b - c
        stem = (
            rf"For all positive values of \(x\), the expression \(\frac{{(x^{{{a}}})^{{{b}}}}}"
            rf"{{x^{{{c}}}}}\) is equivalent to \(x^k\). What is the value of \(k\)?"
        )
        steps = (
            rf"Raising a power to a power multiplies the exponents, so \((x^{{{a}}})^{{{b}}} = "
            rf"x^{{{a * b}}}\). Dividing subtracts exponents: \(k = {a * b} - {c} = {answer}\)."
        )
        wrong = [
            (a + b - c, "This adds the exponents when raising a power to a power."),
            (a * b + c, "This adds the exponents when dividing instead of subtracting."),
            (
                Fraction(a * b, c),
                "This divides the exponents when dividing instead of subtracting.",
            ),
            (a * b, r"This ignores the division by \(x^{" + str(c) + "}\\)."),
        ]
        chk = check(f"{a}*{b} - {c}")
    else:
        n = rng.choice([2, 3, 4, 5])
        a = rng.choice([k for k in range(1, 12) if k % n != 0])
        b = rng.choice([1, 2, 3]) if ctx.level == 1 else rng.choice([-2, -1, 2, 3])
        root = r"\sqrt{" if n == 2 else rf"\sqrt[{n}]{{"
        power = f"x^{{{a}}}" if a != 1 else "x"
        tail = (rf"x^{{{b}}}" if b > 0 else rf"x^{{{b}}}") if b != 1 else "x"
        answer = Fraction(a, n) + b
        stem = (
            rf"For all \(x > 0\), the expression \({root}{power}}} \cdot {tail}\) can be "
            rf"written as \(x^k\), where \(k\) is a constant. What is the value of \(k\)?"
        )
        steps = (
            rf"A root is a fractional exponent: \({root}{power}}} = x^{{\frac{{{a}}}{{{n}}}}}\). "
            rf"Multiplying powers of \(x\) adds the exponents, so \(k = \frac{{{a}}}{{{n}}} "
            rf"{'+' if b > 0 else '-'} {abs(b)} = {num_tex(answer)}\)."
        )
        wrong = [
            (Fraction(n, a) + b, "This inverts the fractional exponent of the root."),
            (Fraction(a, n) * b, "This multiplies the exponents instead of adding them."),
            (a * n + b, f"This multiplies the exponent by {n} instead of dividing by {n}."),
            (Fraction(a + b, n), r"This puts the whole product under the root."),
        ]
        chk = check(f"{a}/{n} + {calc(b)}")
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def eq_factor(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level < 2:
        p = rng.randint(2, 12)
        q = rng.choice([n for n in range(-12, 12) if n not in (0, p, -p)])
        if p < q:
            p, q = q, p
        b, c = p + q, p * q
        if b == 0:
            raise Retry
        asked = "p" if ctx.level == 0 else "p - q"
        answer = p if asked == "p" else p - q
        stem = (
            rf"The expression \({expr((1, 'x^2'), (b, 'x'), (c, ''))}\) can be written as "
            rf"\((x + p)(x + q)\), where \(p\) and \(q\) are constants and \(p > q\). What is "
            rf"the value of \({asked}\)?"
        )
        steps = (
            rf"The numbers \(p\) and \(q\) multiply to {c} and add to {b}: they are {p} and "
            rf"{q}. Since \(p > q\), \(p = {p}\) and \(q = {q}\)"
            + (rf", so \(p - q = {p - q}\)." if asked != "p" else ".")
        )
        if asked == "p":
            wrong = [
                (-q, r"This is the solution of the equation set equal to 0, not \(p\)."),
                (q, r"This is the value of \(q\), the lesser constant."),
                (-p, "This takes the sign of the factor's root instead of the constant."),
                (b, "This is the coefficient of \\(x\\), which is \\(p + q\\)."),
            ]
        else:
            wrong = [
                (p + q, r"This is \(p + q\), the coefficient of \(x\)."),
                (q - p, r"This subtracts in the wrong order."),
                (abs(c), "This uses the constant term."),
                (p, r"This is the value of \(p\) alone."),
            ]
        chk = check(
            f"({b} + sqrt(({b})**2 - 4*({c})))/2" if asked == "p" else f"sqrt(({b})**2 - 4*({c}))"
        )
        return Item(stem, num(answer), _nums(wrong), steps, chk)
    # hard: difference of squares with a leading coefficient
    a, b = rng.randint(2, 9), rng.randint(2, 11)
    if a == b:
        raise Retry
    stem = ctx.scene(
        [
            rf"The expression \({a * a}x^2 - {b * b}\) is equivalent to \((ax + b)(ax - b)\), "
            r"where \(a\) and \(b\) are positive constants. What is the value of \(a + b\)?",
            rf"For all values of \(x\), \((ax + b)(ax - b) = {a * a}x^2 - {b * b}\), where \(a\) "
            r"and \(b\) are positive. What is the value of \(a + b\)?",
            rf"A student factored \({a * a}x^2 - {b * b}\) completely as a product of two "
            r"binomials of the form \((ax + b)(ax - b)\), with \(a\) and \(b\) positive. What "
            r"is \(a + b\)?",
        ]
    )
    steps = (
        rf"Since \({a * a}x^2 = ({a}x)^2\) and \({b * b} = {b}^2\), the expression is a "
        rf"difference of squares: \(({a}x + {b})({a}x - {b})\). So \(a + b = {a + b}\)."
    )
    wrong = [
        (a * a + b * b, "This adds the coefficients without taking square roots."),
        (
            Fraction(a * a + b * b, 2),
            "This halves the coefficients instead of taking square roots.",
        ),
        (a * b, "This multiplies the square roots instead of adding them."),
        (a + b * b, "This takes the square root of only the first coefficient."),
    ]
    return Item(stem, num(a + b), _nums(wrong), steps, check(f"sqrt({a * a}) + sqrt({b * b})"))


# --- nonlinear equations -------------------------------------------------------------------


def ne_quadratic(ctx: Ctx) -> Item:
    rng = ctx.rng
    r = rng.randint(1, 11)
    if ctx.level == 0:
        s = -rng.randint(1, 11)
        if r == -s:
            raise Retry
        a, b, c = 1, -(r + s), r * s
        stem = (
            rf"What is the positive solution to the equation "
            rf"\({expr((1, 'x^2'), (b, 'x'), (c, ''))} = 0\)?"
        )
        steps = (
            rf"Factoring gives \(({expr((1, 'x'), (-r, ''))})({expr((1, 'x'), (-s, ''))}) = 0\),"
            rf" so \(x = {r}\) or \(x = {s}\). The positive solution is {r}."
        )
        answer = Fraction(r)
        wrong = [
            (-s, "This takes the constant in a factor as a solution without changing its sign."),
            (-r, "This is the negative of the correct solution."),
            (abs(c), "This is the constant term of the equation."),
            (r + s, "This is the sum of the two solutions."),
        ]
        chk = check(f"(-({b}) + sqrt(({b})**2 - 4*({c})))/2")
        return Item(stem, num(answer), _nums(wrong), steps, chk)
    # (a x - p)(x - r) = 0 with a rational root p/a
    a = rng.randint(2, 5)
    p = rng.choice([n for n in range(-9, 10) if n != 0 and n % a != 0])
    s = Fraction(p, a)
    A, B, C = a, -(a * r + p), p * r
    equation = expr((A, "x^2"), (B, "x"), (C, ""))
    if ctx.level == 1:
        stem = rf"What is the sum of the solutions to the equation \({equation} = 0\)?"
        answer = r + s
        steps = (
            rf"Factoring gives \(({expr((a, 'x'), (-p, ''))})({expr((1, 'x'), (-r, ''))}) = 0\), "
            rf"so the solutions are \({num_tex(s)}\) and \({r}\), and their sum is "
            rf"\({num_tex(answer)}\)."
        )
        wrong = [
            (-answer, "This is the opposite of the sum of the solutions."),
            (Fraction(C, A), "This is the product of the solutions, not their sum."),
            (
                -B,
                r"This is the opposite of the coefficient of \(x\); it forgets to divide "
                f"by the leading coefficient {A}.",
            ),
            (
                r + p,
                f"This treats the solution of \\({expr((a, 'x'), (-p, ''))} = 0\\) as "
                f"{p} instead of \\({num_tex(s)}\\).",
            ),
        ]
        chk = check(f"-({B})/{A}")
    else:
        stem = (
            rf"\({equation} = 0\)" + "\n\n"
            r"If \(a\) and \(b\) are the two solutions to the given equation and \(a > b\), "
            r"what is the value of \(a - b\)?"
        )
        answer = abs(r - s)
        steps = (
            rf"Factoring gives \(({expr((a, 'x'), (-p, ''))})({expr((1, 'x'), (-r, ''))}) = 0\), "
            rf"so the solutions are \({num_tex(s)}\) and \({r}\). The difference of the greater "
            rf"and the lesser is \({num_tex(answer)}\)."
        )
        wrong = [
            (r + s, "This is the sum of the solutions."),
            (
                abs(r - p),
                f"This treats the solution of \\({expr((a, 'x'), (-p, ''))} = 0\\) as {p}.",
            ),
            (Fraction(abs(C), A), "This is the absolute value of the product of the solutions."),
            (abs(r + s), "This adds the solutions instead of subtracting them."),
        ]
        chk = check(f"sqrt(({B})**2 - 4*{A}*({C}))/{A}")
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def ne_radical(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level < 2:
        a = rng.randint(1, 6)
        c = rng.randint(3, 9)
        x = rng.randint(-5, 20)
        b = c * c - a * x
        shift = rng.choice([0, 0, 2, 3, 5]) if ctx.level == 1 else 0
        inside = expr((a, "x"), (b, ""))
        lhs = rf"\sqrt{{{inside}}}" + (f" + {shift}" if shift else "")
        stem = (
            rf"\({lhs} = {c + shift}\)" + "\n\n"
            r"What is the solution to the given equation?"
        )
        steps = (
            (
                f"Subtracting {shift} from both sides gives \\(\\sqrt{{{inside}}} = {c}\\). "
                if shift
                else ""
            )
            + rf"Squaring both sides gives \({inside} = {c * c}\), so "
            rf"\({expr((a, 'x'))} = {c * c - b}\) and \(x = {x}\)."
        )
        wrong = [
            (Fraction(c - b, a), "This results from not squaring both sides."),
            (
                Fraction(c * c + b, a),
                f"This results from adding {num_tex(b)} to both sides instead of subtracting it."
                if b > 0
                else "This results from a sign error on the constant under the root.",
            ),
            (
                Fraction((c + shift) ** 2 - b, a),
                f"This squares both sides before subtracting {shift}."
                if shift
                else "This squares the wrong quantity.",
            ),
            (Fraction(2 * c - b, a), "This doubles the right side instead of squaring it."),
        ]
        if not shift:
            wrong.pop(2)
        eq = f"sqrt({a}*x + {calc(b)})" + (f" + {shift}" if shift else "") + f" = {c + shift}"
        return Item(stem, num(x), _nums(wrong), steps, check("x", [eq], "x"))
    # hard: sqrt(x + a) = x - b with one extraneous root
    b = rng.randint(1, 6)
    r = rng.randint(b + 2, b + 9)
    a = (r - b) ** 2 - r
    r2 = 2 * b + 1 - r
    if a == 0:
        raise Retry
    stem = (
        rf"\(\sqrt{{{expr((1, 'x'), (a, ''))}}} = x - {b}\)" + "\n\n"
        r"What value of \(x\) is the solution to the given equation?"
    )
    steps = (
        rf"Squaring both sides gives \({expr((1, 'x'), (a, ''))} = x^2 - {2 * b}x + {b * b}\), "
        rf"so \({expr((1, 'x^2'), (-(2 * b + 1), 'x'), (b * b - a, ''))} = 0\), whose solutions "
        rf"are \(x = {r}\) and \(x = {r2}\). Checking in the original equation, \(x = {r2}\) "
        rf"makes the right side \({r2 - b}\), which is negative, so it is extraneous. The only "
        rf"solution is {r}."
    )
    wrong = [
        (
            r2,
            "This is an extraneous solution introduced by squaring: it makes the right side "
            "negative, but a square root is never negative.",
        ),
        (r + r2, "This is the sum of the solutions of the squared equation."),
        (r - b, r"This is the value of \(x - " + str(b) + r"\), not of \(x\)."),
        (b, "This makes the right side 0, but the left side is not 0 there."),
    ]
    chk = check(f"(({2 * b + 1}) + sqrt(({2 * b + 1})**2 - 4*({b * b - a})))/2")
    return Item(stem, num(r), _nums(wrong), steps, chk)


def ne_line_parabola(ctx: Ctx) -> Item:
    rng = ctx.rng
    r1, r2 = rng.sample(range(-6, 8), 2)
    mslope = rng.choice(SMALL)
    d = rng.randint(-8, 8)
    # x^2 + b x + c = m x + d has roots r1, r2: x^2 + (b - m) x + (c - d) = 0
    b = mslope - (r1 + r2)
    c = d + r1 * r2
    stem_sys = (
        rf"\(y = {expr((1, 'x^2'), (b, 'x'), (c, ''))}\)" + "\n"
        rf"\(y = {expr((mslope, 'x'), (d, ''))}\)" + "\n\n"
    )
    setting = (
        rf"Setting the right sides equal gives \({expr((1, 'x^2'), (b - mslope, 'x'), (c - d, ''))}"
        rf" = 0\), which factors as \(({expr((1, 'x'), (-r1, ''))})({expr((1, 'x'), (-r2, ''))})"
        rf" = 0\), so \(x = {r1}\) or \(x = {r2}\)."
    )
    if ctx.level <= 1:
        answer = r1 + r2
        stem = stem_sys + (
            r"The graphs of the given equations in the \(xy\)-plane intersect at the points "
            r"\((x_1, y_1)\) and \((x_2, y_2)\). What is the value of \(x_1 + x_2\)?"
        )
        steps = f"{setting} Their sum is {answer}."
        wrong = [
            (-answer, "This takes the opposite of the sum of the solutions."),
            (-b, r"This uses only the parabola's \(x\)-coefficient and ignores the line."),
            (r1 * r2, r"This is the product of the \(x\)-coordinates."),
            (
                mslope + b,
                "This adds the slope instead of subtracting it when setting the equations equal.",
            ),
        ]
        chk = check(f"{mslope} - ({b})")
    else:
        y1, y2 = mslope * r1 + d, mslope * r2 + d
        answer = y1 + y2
        stem = stem_sys + (
            r"The graphs of the given equations in the \(xy\)-plane intersect at the points "
            r"\((x_1, y_1)\) and \((x_2, y_2)\). What is the value of \(y_1 + y_2\)?"
        )
        steps = (
            f"{setting} Substituting into the linear equation gives \\(y = {y1}\\) and "
            f"\\(y = {y2}\\), whose sum is {answer}."
        )
        wrong = [
            (r1 + r2, r"This is the sum of the \(x\)-coordinates."),
            (mslope * (r1 + r2) + d, "This forgets to add the constant term for the second point."),
            (y1 * y2, r"This is the product of the \(y\)-coordinates."),
            (mslope * (r1 + r2), "This leaves out the constant term of the line."),
        ]
        chk = check(f"{mslope}*({mslope} - ({b})) + 2*({d})")
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def ne_absolute(ctx: Ctx) -> Item:
    rng = ctx.rng
    k = 1 if ctx.level == 0 else rng.choice([2, 3, 4])
    a = rng.choice(SMALL)
    bval = rng.randint(2, 15)
    inside = expr((k, "x"), (-a, ""))
    s1, s2 = Fraction(a + bval, k), Fraction(a - bval, k)
    if ctx.level == 0:
        asked, answer = "sum", s1 + s2
        steps = (
            rf"An absolute value equals {bval} when the quantity inside is {bval} or "
            rf"\(-{bval}\): \(x = {num_tex(s1)}\) or \(x = {num_tex(s2)}\). Their sum is "
            rf"{num_tex(answer)}."
        )
        wrong = [
            (
                2 * bval,
                f"This results from a sign error in the negative case, solving "
                f"\\({inside} = -{bval}\\) as \\(x = {bval}{signed(a)}\\).",
            ),
            (s1, "This is only one of the solutions."),
            (-(s1 + s2), "This takes the solutions with the wrong sign."),
            (a + bval, "This finds only the solution for the positive case."),
        ]
        chk = check(f"({a} + {bval})/{k} + ({a} - {bval})/{k}")
    else:
        asked, answer = "product", s1 * s2
        steps = (
            rf"An absolute value equals {bval} when the quantity inside is {bval} or "
            rf"\(-{bval}\): \({inside} = {bval}\) gives \(x = {num_tex(s1)}\) and "
            rf"\({inside} = -{bval}\) gives \(x = {num_tex(s2)}\). Their product is "
            rf"\({num_tex(answer)}\)."
        )
        wrong = [
            (s1 + s2, "This is the sum of the solutions."),
            (
                s1 * s1,
                "This squares the positive-case solution instead of multiplying the two solutions.",
            ),
            (-answer, "This drops the sign of one of the solutions."),
            (Fraction(a * a - bval * bval), f"This forgets to divide each solution by {k}."),
        ]
        chk = check(f"(({a} + {bval})/{k})*(({a} - {bval})/{k})")
    stem = ctx.scene(
        [
            rf"\(|{inside}| = {bval}\)" + "\n\n"
            rf"What is the {asked} of the solutions to the given equation?",
            rf"The distance on a number line between \({expr((k, 'x'))}\) and {num_tex(a)} is "
            rf"{bval}; that is, \(|{inside}| = {bval}\). What is the {asked} of all values of "
            r"\(x\) for which this is true?",
        ]
    )
    return Item(stem, num(answer), _nums(wrong), steps, chk)


def ne_rational(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, b = rng.sample(range(2, 10), 2)
    p, q = rng.randint(1, 9), rng.randint(1, 9)
    # a/(x + p) = b/(x - q)  ->  a(x - q) = b(x + p)
    x = Fraction(a * q + b * p, a - b)
    if x.denominator > 6 or x in (-p, q):
        raise Retry
    stem = (
        rf"\(\frac{{{a}}}{{x + {p}}} = \frac{{{b}}}{{x - {q}}}\)" + "\n\n"
        r"What is the solution to the given equation?"
    )
    steps = (
        rf"Cross-multiplying gives \({a}(x - {q}) = {b}(x + {p})\), so "
        rf"\({a}x - {a * q} = {b}x + {b * p}\) and \({expr((a - b, 'x'))} = {a * q + b * p}\). "
        rf"Therefore "
        rf"\(x = {num_tex(x)}\), which does not make either denominator 0."
    )
    wrong = [
        (Fraction(a * q - b * p, a - b), f"This results from a sign error when distributing {b}."),
        (
            Fraction(b * q + a * p, b - a) if a != b else 0,
            "This cross-multiplies the wrong way, pairing each numerator with its own denominator.",
        ),
        (
            Fraction(a * q + b * p, a + b),
            "This adds the \\(x\\)-terms when collecting them instead of subtracting.",
        ),
        (Fraction(q + p, a - b), "This forgets to distribute the numerators."),
    ]
    return Item(
        stem, num(x), _nums(wrong), steps, check("x", [f"{a}/(x + {p}) = {b}/(x - {q})"], "x")
    )


# --- nonlinear functions --------------------------------------------------------------------


GROWTH_FUNCTIONS = [
    ("the number of visitors, in thousands, to a new website \\(t\\) months after it opened"),
    ("the mass, in milligrams, of a crystal growing in a solution \\(t\\) days after it formed"),
    ("the number of members of a hiking club \\(t\\) years after the club was founded"),
]


def nf_exponential(ctx: Ctx) -> Item:
    rng = ctx.rng
    name = ctx.pick(["f", "g", "h"])
    if ctx.level == 0:
        a = rng.choice([2, 3, 4, 5, 6, 10])
        b = rng.choice([2, 3, 4])
        k = rng.randint(2, 4 if b < 4 else 3)
        answer = a * b**k
        what, unit = ctx.scene(
            [
                (
                    "a lab culture starts with {a} cells, and the number of cells is multiplied by "
                    "{b} every hour",
                    "hours",
                ),
                (
                    "a rumor is known to {a} people at first, and the number who know it is "
                    "multiplied by {b} every day",
                    "days",
                ),
                (
                    "a savings jar holds {a} coins, and the owner multiplies the number of coins "
                    "by "
                    "{b} every week",
                    "weeks",
                ),
            ]
        )
        stem = (
            f"In a model, {what.format(a=a, b=b)}. The function \\({name}(x) = {a}({b})^x\\) "
            f"gives the number after \\(x\\) {unit}. According to the model, what is "
            f"\\({name}({k})\\)?"
        )
        steps = rf"\({name}({k}) = {a}({b})^{{{k}}} = {a}({b**k}) = {answer}\)."
        wrong = [
            ((a * b) ** k, f"This multiplies {a} and {b} before applying the exponent."),
            (a * b * k, f"This multiplies by {k} instead of raising to the power {k}."),
            (a + b**k, f"This adds {a} instead of multiplying."),
            (a * b ** (k - 1), f"This raises {b} to the power {k - 1}."),
        ]
        return Item(stem, num(answer), _nums(wrong), steps, check(f"{a}*{b}**{k}"))
    start = rng.choice([3, 4, 5, 6, 8, 12])
    ratio = Fraction(rng.choice([2, 3, 4]), rng.choice([1, 1, 2]))
    if ratio == 1:
        raise Retry
    f1 = start * ratio
    k = 3 if ctx.level == 1 else 4
    answer = start * ratio**k
    if answer.denominator != 1 or f1.denominator != 1:
        raise Retry
    what = ctx.scene(GROWTH_FUNCTIONS)
    stem = (
        rf"The function \({name}(t) = ab^t\), where \(a\) and \(b\) are positive constants, "
        rf"models {what}. If \({name}(0) = {start}\) and \({name}(1) = {num_tex(f1)}\), what is "
        rf"the value of \({name}({k})\)?"
    )
    steps = (
        rf"\({name}(0) = a = {start}\) and \({name}(1) = ab = {num_tex(f1)}\), so "
        rf"\(b = {num_tex(ratio)}\). Then \({name}({k}) = {start}({num_tex(ratio)})^{{{k}}} = "
        rf"{num_tex(answer)}\)."
    )
    wrong = [
        (
            start + k * (f1 - start),
            "This treats the function as linear, adding the same "
            r"amount for each increase of 1 in \(t\).",
        ),
        (start * ratio * k, f"This multiplies by {k} instead of raising \\(b\\) to the power {k}."),
        (
            f1**k,
            f"This raises {num_tex(f1)} to the power {k}, applying the exponent to "
            r"\(a\) as well.",
        ),
        (start * ratio ** (k - 1), f"This raises \\(b\\) to the power {k - 1}."),
    ]
    return Item(stem, num(answer), _nums(wrong), steps, check(f"{start}*({calc(f1)}/{start})**{k}"))


def nf_vertex(ctx: Ctx) -> Item:
    rng = ctx.rng
    p, q = rng.sample(range(-9, 12), 2)
    if (p + q) % 2 and ctx.level == 0:
        raise Retry
    rule = rf"({expr((1, 'x'), (-p, ''))})({expr((1, 'x'), (-q, ''))})"
    mid = Fraction(p + q, 2)
    low = (mid - p) * (mid - q)
    if ctx.level == 0:
        stem = (
            rf"The graph of \(y = {rule}\) in the \(xy\)-plane is a parabola. What is the "
            r"\(x\)-coordinate of the parabola's vertex?"
        )
        steps = (
            rf"The parabola crosses the \(x\)-axis at {p} and {q}, and its vertex lies halfway "
            rf"between them, at \(x = \frac{{{p} + ({q})}}{{2}} = {num_tex(mid)}\)."
        )
        wrong = [
            (-mid, "This uses the opposites of the \\(x\\)-intercepts."),
            (p + q, "This adds the \\(x\\)-intercepts without dividing by 2."),
            (low, r"This is the \(y\)-coordinate of the vertex."),
            (min(p, q), r"This is one of the \(x\)-intercepts."),
        ]
        return Item(stem, num(mid), _nums(wrong), steps, check(f"({p} + ({q}))/2"))
    stem = (
        rf"In the \(xy\)-plane, the graph of \(y = {rule}\) is a parabola with vertex "
        r"\((h, k)\). What is the value of \(k\)?"
    )
    steps = (
        rf"The \(x\)-intercepts are {p} and {q}, so \(h = {num_tex(mid)}\), halfway between "
        rf"them. Substituting, \(k = ({num_tex(mid - p)})({num_tex(mid - q)}) = {num_tex(low)}\)."
    )
    wrong = [
        (mid, r"This is \(h\), the \(x\)-coordinate of the vertex."),
        (p * q, r"This is the \(y\)-intercept of the parabola."),
        (-low, "This drops the negative sign of the product."),
        ((mid + p) * (mid + q), "This uses the opposites of the intercepts when substituting."),
    ]
    return Item(
        stem,
        num(low),
        _nums(wrong),
        steps,
        check(f"(({p} + ({q}))/2 - ({p}))*(({p} + ({q}))/2 - ({q}))"),
    )


GROWTH = [
    {
        "topic": "science",
        "what": "the number of bacteria in a culture",
        "unit": "hours",
        "var": "N",
    },
    {
        "topic": "science",
        "what": "the area, in square meters, covered by an invasive water plant on a pond",
        "unit": "weeks",
        "var": "A",
    },
    {
        "topic": "money",
        "what": "the number of people who have signed up for a community newsletter",
        "unit": "months",
        "var": "S",
    },
    {
        "topic": "science",
        "what": "the number of fruit flies in a laboratory population",
        "unit": "days",
        "var": "P",
    },
]


def nf_growth(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(GROWTH)
    p0 = rng.choice([40, 60, 75, 80, 120, 150, 250])
    k = rng.choice([2, 3])
    d = rng.choice([2, 3, 4, 5, 6])
    j = rng.choice([2, 3]) if k == 2 else 2
    t = j * d
    var = c["var"]
    model = rf"{var}(t) = {p0}({k})^{{\frac{{t}}{{{d}}}}}"
    unit = c["unit"]
    if ctx.level <= 1:
        answer = p0 * k**j
        stem = (
            rf"The function \({model}\) models {c['what']} \(t\) {unit} after the start of "
            rf"an observation. According to the model, what is the value of \({var}({t})\)?"
        )
        steps = (
            rf"\({var}({t}) = {p0}({k})^{{\frac{{{t}}}{{{d}}}}} = {p0}({k})^{{{j}}} = "
            rf"{p0}({k**j}) = {answer}\)."
        )
        wrong = [
            (
                p0 * k * j,
                f"This multiplies by {k} and then by {j} instead of raising {k} to the power {j}.",
            ),
            (
                p0 + p0 * (k - 1) * j,
                "This treats the growth as linear, adding the first "
                f"period's increase each of the {j} periods.",
            ),
            (p0 * k ** (j - 1), f"This counts {j - 1} periods instead of {j}."),
            (p0 * k ** (j + 1), f"This counts {j + 1} periods instead of {j}."),
        ]
        return Item(stem, num(answer), _nums(wrong), steps, check(f"{p0}*{k}**({t}/{d})"))
    target = p0 * k**j
    stem = (
        rf"The function \({model}\) models {c['what']} \(t\) {unit} after the start of an "
        rf"observation. According to the model, how many {unit} after the start of the "
        rf"observation will \({var}(t)\) equal {plain(target)}?"
    )
    steps = (
        rf"Setting \({p0}({k})^{{\frac{{t}}{{{d}}}}} = {target}\) gives "
        rf"\(({k})^{{\frac{{t}}{{{d}}}}} = {k**j} = {k}^{{{j}}}\), so \(\frac{{t}}{{{d}}} = "
        rf"{j}\) and \(t = {t}\)."
    )
    wrong = [
        (j, r"This is the value of \(\frac{t}{" + str(d) + r"}\), not of \(t\)."),
        (
            Fraction(target - p0, p0 * (k - 1)) * d,
            "This treats the growth as linear, adding the first period's increase in every period.",
        ),
        (d * k**j, f"This multiplies {d} by the growth factor {k**j} instead of by the exponent."),
        (t + d, "This counts one period too many."),
    ]
    return Item(
        stem, num(t), _nums(wrong), steps, check("t", [f"{p0}*{k}**(t/{d}) = {target}"], "t")
    )


def nf_composition(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = rng.choice(SMALL)
    b, c = rng.choice([2, 3, 4, -2, -3]), rng.choice(SMALL)
    k = rng.choice([n for n in range(-4, 5) if n != 0])
    f_rule = expr((1, "x^2"), (a, ""))
    g_rule = expr((b, "x"), (c, ""))
    gk = b * k + c
    fk = k * k + a
    answer = gk * gk + a
    outer, inner = "f", "g"
    stem = (
        rf"The functions \(f\) and \(g\) are defined by \(f(x) = {f_rule}\) and "
        rf"\(g(x) = {g_rule}\). What is the value of \({outer}({inner}({k}))\)?"
    )
    steps = (
        rf"First, \(g({k}) = {b}({k}){signed(c)} = {gk}\). Then \(f({gk}) = ({gk})^2"
        rf"{signed(a)} = {answer}\)."
    )
    wrong = [
        (b * fk + c, rf"This is \(g(f({k}))\): it applies the functions in the wrong order."),
        (fk * gk, rf"This multiplies \(f({k})\) and \(g({k})\) instead of composing them."),
        (fk + gk, rf"This adds \(f({k})\) and \(g({k})\) instead of composing them."),
        (2 * gk + a, rf"This doubles \(g({k})\) instead of squaring it."),
    ]
    return Item(
        stem, num(answer), _nums(wrong), steps, check(f"({b}*{calc(k)} + {calc(c)})**2 + {calc(a)}")
    )


TEMPLATES: dict[str, list[Template]] = {
    "equivalent_expressions": [
        Template(eq_expand),
        Template(eq_combine, levels=(0, 1)),
        Template(eq_exponents),
        Template(eq_factor),
    ],
    "nonlinear_equations": [
        Template(ne_quadratic),
        Template(ne_radical),
        Template(ne_line_parabola, levels=(1, 2)),
        Template(ne_absolute, levels=(0, 1)),
        Template(ne_rational, levels=(1, 2)),
    ],
    "nonlinear_functions": [
        Template(nf_exponential),
        Template(nf_vertex),
        Template(nf_growth),
        Template(nf_composition),
    ],
}
