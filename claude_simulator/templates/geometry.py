"""Math templates for Geometry and Trigonometry: every answer and distractor computed here."""

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
    num,
    num_tex,
    pi_val,
    plain,
    root_val,
)


def article(n: int) -> str:
    """Return the article a number takes when read aloud ("an 8-meter", "a 7-meter")."""
    return "an" if str(n).startswith("8") or n in (11, 18) else "a"


def _pi_item(
    ctx: Ctx,
    stem_mcq: str,
    stem_spr: str,
    k: Fraction,
    wrong_k: list,
    steps: str,
    expression: str,
    figure: str = "",
) -> Item:
    """Return an item whose answer is k*pi: choices in terms of pi, or k for a grid-in."""
    if ctx.kind == "spr":
        return Item(
            stem_spr,
            num(k),
            [(num(w), why) for w, why in wrong_k],
            steps,
            check(expression),
            figure=figure,
        )
    return Item(
        stem_mcq,
        pi_val(k),
        [(pi_val(w), why) for w, why in wrong_k],
        steps,
        check(f"({expression})*pi"),
        figure=figure,
    )


# --- area and volume ----------------------------------------------------------------------------


def av_cylinder_cone(ctx: Ctx) -> Item:
    rng = ctx.rng
    r = rng.randint(2, 9)
    h = rng.randint(3, 15)
    if ctx.level == 0:
        k = Fraction(r * r * h)
        shape = ctx.scene(["water tank", "can", "storage drum"])
        body = (
            f"A {shape} is shaped like a right circular cylinder with a radius of {r} feet and a "
            f"height of {h} feet."
        )
        steps = (
            rf"The volume of a cylinder is \(\pi r^2 h = \pi({r})^2({h}) = {num_tex(k)}\pi\) "
            "cubic feet."
        )
        wrong = [
            (Fraction(2 * r * h), r"This is the lateral surface area, \(2\pi rh\)."),
            (Fraction(r * h), r"This uses \(r\) instead of \(r^2\)."),
            (Fraction(4 * r * r * h), "This uses the diameter in place of the radius."),
            (Fraction(r * r * h, 3), "This uses the formula for a cone."),
        ]
        return _pi_item(
            ctx,
            f"{body} What is the volume, in cubic feet, of the {shape}?",
            f"{body} The volume of the {shape} is \\(k\\pi\\) cubic feet. What is the value of "
            r"\(k\)?",
            k,
            wrong,
            steps,
            f"{r}**2*{h}",
        )
    if ctx.level == 1:
        if (r * r * h) % 3:
            raise Retry
        k = Fraction(r * r * h, 3)
        d = 2 * r
        body = (
            f"A paper cup is shaped like a right circular cone with a diameter of {d} centimeters "
            f"at its opening and a height of {h} centimeters."
        )
        steps = (
            rf"The radius is half the diameter, {r} centimeters. The volume of a cone is "
            rf"\(\frac{{1}}{{3}}\pi r^2 h = \frac{{1}}{{3}}\pi({r})^2({h}) = {num_tex(k)}\pi\) "
            "cubic centimeters."
        )
        wrong = [
            (Fraction(r * r * h), r"This leaves out the factor \(\frac{1}{3}\)."),
            (Fraction(d * d * h, 3), "This uses the diameter in place of the radius."),
            (Fraction(r * h, 3), r"This uses \(r\) instead of \(r^2\)."),
            (Fraction(d * d * h), r"This uses the diameter and leaves out \(\frac{1}{3}\)."),
        ]
        return _pi_item(
            ctx,
            f"{body} What is the volume, in cubic centimeters, of the cup?",
            f"{body} The volume of the cup is \\(k\\pi\\) cubic centimeters. What is the value "
            r"of \(k\)?",
            k,
            wrong,
            steps,
            f"(1/3)*{r}**2*{h}",
        )
    # hard: sphere from its volume, then the surface area
    r = rng.randint(2, 9)
    if (4 * r**3) % 3:
        raise Retry
    v = Fraction(4 * r**3, 3)
    k = Fraction(4 * r * r)
    body, unit, thing = ctx.scene(
        [
            (rf"A sphere has a volume of \({num_tex(v)}\pi\) cubic inches.", "inches", "sphere"),
            (
                rf"A solid rubber ball is a sphere with a volume of \({num_tex(v)}\pi\) cubic "
                "centimeters.",
                "centimeters",
                "ball",
            ),
            (
                rf"A spherical water tank holds \({num_tex(v)}\pi\) cubic feet of water when full.",
                "feet",
                "tank",
            ),
        ]
    )
    steps = (
        rf"From \(\frac{{4}}{{3}}\pi r^3 = {num_tex(v)}\pi\), \(r^3 = {r**3}\) and \(r = {r}\). "
        rf"The surface area is \(4\pi r^2 = 4\pi({r})^2 = {num_tex(k)}\pi\) square {unit}."
    )
    wrong = [
        (Fraction(r**3), r"This is \(r^3\), not the surface area."),
        (Fraction(2 * r * r), r"This uses \(2\pi r^2\) for the surface area."),
        (Fraction(4 * r), r"This uses \(4\pi r\) instead of \(4\pi r^2\)."),
        (Fraction(r * r), r"This is the area of a great circle, \(\pi r^2\)."),
    ]
    return _pi_item(
        ctx,
        f"{body} What is the surface area, in square {unit}, of the {thing}?",
        f"{body} The surface area of the {thing} is \\(k\\pi\\) square {unit}. What is the "
        r"value of \(k\)?",
        k,
        wrong,
        steps,
        f"4*((3*{calc(v)}/4)**(1/3))**2",
    )


def av_composite(ctx: Ctx) -> Item:
    rng = ctx.rng
    big_w, big_h = rng.randint(10, 24), rng.randint(8, 20)
    cut_w, cut_h = rng.randint(2, big_w - 4), rng.randint(2, big_h - 3)
    answer = big_w * big_h - cut_w * cut_h
    place = ctx.scene(["a garden plot", "a patio", "the floor of a room"])
    figure = (
        f"An L-shaped region is drawn on a grid. It is {article(big_w)} {big_w}-meter by "
        f"{big_h}-meter rectangle with {article(cut_w)} {cut_w}-meter by {cut_h}-meter "
        "rectangle removed from one corner. "
        "All angles are right angles."
    )
    stem = (
        f"The figure shows the shape of {place}. What is the area, in square meters, of the "
        "region shown?"
    )
    steps = (
        rf"The full rectangle has area \({big_w}({big_h}) = {big_w * big_h}\), and the removed "
        rf"corner has area \({cut_w}({cut_h}) = {cut_w * cut_h}\). The region's area is "
        rf"\({big_w * big_h} - {cut_w * cut_h} = {answer}\) square meters."
    )
    wrong = [
        (big_w * big_h, "This is the area of the full rectangle; the corner was not removed."),
        (big_w * big_h + cut_w * cut_h, "This adds the corner's area instead of subtracting it."),
        (
            (big_w - cut_w) * (big_h - cut_h),
            "This multiplies the two shortened side lengths, which gives only part of the region.",
        ),
        (2 * (big_w + big_h), "This is the perimeter of the region, not its area."),
    ]
    if ctx.level >= 1:
        stem = (
            f"The figure shows the shape of {place}. Flooring costs $4 per square meter. What "
            "is the cost, in dollars, of flooring the whole region?"
        )
        steps += rf" At $4 per square meter, the cost is \(4({answer}) = {4 * answer}\) dollars."
        wrong = [(4 * w, why) for w, why in wrong]
        answer *= 4
        return Item(
            stem,
            num(answer),
            [(num(w), why) for w, why in wrong],
            steps,
            check(f"4*({big_w}*{big_h} - {cut_w}*{cut_h})"),
            figure=figure,
        )
    return Item(
        stem,
        num(answer),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"{big_w}*{big_h} - {cut_w}*{cut_h}"),
        figure=figure,
    )


def av_scale(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, b, c = rng.choice([2, 3]), rng.choice([2, 3, 4]), Fraction(1, rng.choice([2, 3]))
    volume = rng.choice([24, 36, 48, 60, 72, 90, 96, 120])
    if ctx.level == 1:
        k = rng.choice([2, 3, 4])
        answer = Fraction(volume * k**3)
        stem = (
            f"A rectangular storage box has a volume of {volume} cubic inches. A second box has "
            f"a length, width, and height that are each {k} times those of the first box. What "
            "is the volume, in cubic inches, of the second box?"
        )
        steps = (
            rf"Multiplying each of the three dimensions by {k} multiplies the volume by "
            rf"\({k}^3 = {k**3}\), so the volume is \({volume}({k**3}) = {answer}\)."
        )
        wrong = [
            (volume * k, f"This multiplies the volume by {k} only once."),
            (volume * k * k, f"This multiplies by \\({k}^2\\), the factor for area."),
            (volume * 3 * k, f"This multiplies by {k} for each dimension and adds the factors."),
            (volume + k**3, f"This adds \\({k}^3\\) instead of multiplying."),
        ]
        return Item(
            stem, num(answer), [(num(w), why) for w, why in wrong], steps, check(f"{volume}*{k}**3")
        )
    answer = volume * a * b * c
    if answer.denominator != 1:
        raise Retry
    stem = (
        f"A shipping company is redesigning a box that holds {volume} cubic feet. The new box "
        f"will be {a} times as long, {b} times as wide, and \\({num_tex(c)}\\) as tall as the "
        "old box. How many cubic feet will the new box hold?"
    )
    steps = (
        rf"The volume is multiplied by \({a} \cdot {b} \cdot {num_tex(c)} = "
        rf"{num_tex(a * b * c)}\), so it is \({volume}({num_tex(a * b * c)}) = "
        rf"{num_tex(answer)}\)."
    )
    wrong = [
        (volume * a * b, r"This ignores the change in height."),
        (volume * (a + b + c), "This adds the three factors instead of multiplying them."),
        (volume * a * b / c, f"This divides by \\({num_tex(c)}\\) instead of multiplying by it."),
        (volume * (a * b * c) ** 2, "This squares the combined factor."),
    ]
    return Item(
        stem,
        num(answer),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"{volume}*{a}*{b}*{calc(c)}"),
    )


def av_prism(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level == 0:
        length, width, height = rng.randint(3, 12), rng.randint(2, 9), rng.randint(2, 10)
        volume = length * width * height
        stem = (
            f"A fish tank in the shape of a right rectangular prism holds {volume} cubic "
            f"inches of water when full. Its base is {length} inches long and {width} inches "
            "wide. What is the height, in inches, of the tank?"
        )
        steps = (
            rf"Volume is length times width times height, so the height is "
            rf"\(\frac{{{volume}}}{{{length}({width})}} = {height}\) inches."
        )
        wrong = [
            (
                Fraction(volume, length + width),
                "This divides by the sum of the base's dimensions instead of their product.",
            ),
            (volume - length * width, "This subtracts the base area instead of dividing by it."),
            (length * width, "This is the area of the base."),
            (Fraction(volume, length), "This divides by the length only."),
        ]
        return Item(
            stem,
            num(height),
            [(num(w), why) for w, why in wrong],
            steps,
            check("h", [f"{length}*{width}*h = {volume}"], "h"),
        )
    side = rng.randint(2, 12)
    volume = side**3
    answer = 6 * side * side
    stem = ctx.scene(
        [
            f"A storage bin shaped like a cube holds {volume} cubic feet. All six outside faces "
            "of the bin will be painted. What is the total area, in square feet, to be painted?",
            f"A solid block of wood is a cube with a volume of {volume} cubic inches. What is the "
            "total surface area, in square inches, of the block?",
            f"A gift box is a cube that encloses {volume} cubic centimeters. How many square "
            "centimeters of wrapping paper exactly cover all six faces of the box?",
        ]
    )
    steps = (
        rf"The edge length is \(\sqrt[3]{{{volume}}} = {side}\), so each face has area "
        rf"\({side}^2 = {side * side}\) and the six faces have total area {answer}."
    )
    wrong = [
        (side * side, "This is the area of one face."),
        (4 * side * side, "This counts only four faces."),
        (6 * side, "This multiplies the edge length, not the face area, by 6."),
        (5 * side * side, "This counts five faces, as for an open box."),
    ]
    return Item(
        stem,
        num(answer),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"6*({volume}**(1/3))**2"),
    )


# --- lines, angles, and triangles ------------------------------------------------------------


def lat_triangle(ctx: Ctx) -> Item:
    rng = ctx.rng
    p, q, r = rng.sample([1, 2, 3, 4, 5], 3)
    b, c = rng.randint(-20, 30), rng.randint(-20, 30)
    # p x + b + q x + c + r x + d = 180
    x = rng.randint(8, 30)
    d = 180 - (p + q + r) * x - b - c
    angles = [p * x + b, q * x + c, r * x + d]
    if min(angles) <= 5 or max(angles) >= 170 or len(set(angles)) < 3:
        raise Retry

    def lab(k: int, const: int) -> str:
        lead = "x" if k == 1 else f"{k}x"
        if const == 0:
            return lead
        return f"{lead} {'+' if const > 0 else '-'} {abs(const)}"

    labels = [lab(p, b), lab(q, c), lab(r, d)]
    big = max(range(3), key=lambda i: angles[i])
    stem = ctx.scene(
        [
            rf"A triangular garden bed has interior angles that measure "
            rf"\(({labels[0]})^\circ\), \(({labels[1]})^\circ\), and \(({labels[2]})^\circ\). "
            r"What is the measure, in degrees, of the garden bed's largest angle?",
            rf"In triangle \(PQR\), angle \(P\) measures \(({labels[0]})^\circ\), angle \(Q\) "
            rf"measures \(({labels[1]})^\circ\), and angle \(R\) measures "
            rf"\(({labels[2]})^\circ\). What is the measure, in degrees, of the triangle's "
            r"largest angle?",
            rf"The three corners of a triangular roof truss form angles of "
            rf"\(({labels[0]})^\circ\), \(({labels[1]})^\circ\), and \(({labels[2]})^\circ\). "
            r"How many degrees are in the truss's largest angle?",
        ]
    )
    steps = (
        rf"The angles of a triangle add to \(180^\circ\): \({p + q + r}x "
        rf"{'+' if b + c + d >= 0 else '-'} {abs(b + c + d)} = 180\), so \(x = {x}\). The "
        rf"angles measure {angles[0]}, {angles[1]}, and {angles[2]} degrees; the largest is "
        rf"{angles[big]}."
    )
    wrong = [
        (x, r"This is the value of \(x\), not an angle measure."),
        (min(angles), "This is the smallest angle."),
        (sorted(angles)[1], "This is the middle angle."),
        (180 - angles[big], "This is the sum of the other two angles."),
    ]
    return Item(
        stem,
        num(angles[big]),
        [(num(w), why) for w, why in wrong],
        steps,
        check(
            f"{[p, q, r][big]}*x + {[b, c, d][big]}", [f"{p + q + r}*x + {b + c + d} = 180"], "x"
        ),
    )


PARALLEL_SCENES = [
    (
        "Two straight railroad tracks run parallel to each other, and a straight road crosses "
        "both of them.",
        "Where the road crosses the first track",
        "where it crosses the second track",
    ),
    (
        "On a city map, Elm Street and Oak Street are parallel, and Diagonal Avenue crosses "
        "both of them.",
        "Where the avenue meets Elm Street",
        "where it meets Oak Street",
    ),
    (
        "A bookcase has two parallel horizontal shelves, and a straight diagonal brace is "
        "attached to both of them.",
        "Where the brace meets the upper shelf",
        "where it meets the lower shelf",
    ),
]


def lat_parallel(ctx: Ctx) -> Item:
    rng = ctx.rng
    x = rng.randint(8, 30)
    a, c = rng.sample(range(2, 8), 2)
    same_side = ctx.level >= 1 and rng.random() < 0.5
    first = rng.randint(30, 150)
    b = first - a * x
    second = 180 - first if same_side else first
    d = second - c * x
    if first == 90 or abs(b) > 60 or abs(d) > 60 or b == 0 or d == 0:
        raise Retry

    def lab(k: int, const: int) -> str:
        return f"{k}x {'+' if const > 0 else '-'} {abs(const)}"

    setup, here, there = ctx.scene(PARALLEL_SCENES)
    relation = "same-side interior angles" if same_side else "alternate interior angles"
    ask_x = ctx.level == 0 and rng.random() < 0.5
    stem = (
        f"{setup} {here}, one of the angles formed measures \\(({lab(a, b)})^\\circ\\); "
        f"{there}, the angle that forms a pair of {relation} with it measures "
        f"\\(({lab(c, d)})^\\circ\\). "
        + (
            "What is the value of \\(x\\)?"
            if ask_x
            else f"What is the measure, in degrees, of the angle that measures "
            f"\\(({lab(c, d)})^\\circ\\)?"
        )
    )
    figure = (
        "Two parallel lines are cut by a transversal. One labeled angle at the first "
        f"intersection measures \\(({lab(a, b)})^\\circ\\), and the {relation[:-1]} at the "
        f"second intersection measures \\(({lab(c, d)})^\\circ\\)."
    )
    answer = x if ask_x else second
    if same_side:
        eq = f"({a}*x + {b}) + ({c}*x + {d}) = 180"
        steps = (
            rf"Same-side interior angles formed by parallel lines are supplementary, so "
            rf"\(({lab(a, b)}) + ({lab(c, d)}) = 180\), which gives \(x = {x}\)."
        )
        wrong_x = Fraction(b - d, c - a)
        mistake = "This sets the angles equal, but same-side interior angles are supplementary."
    else:
        eq = f"{a}*x + {b} = {c}*x + {d}"
        steps = (
            rf"Alternate interior angles formed by parallel lines are congruent, so "
            rf"\({lab(a, b)} = {lab(c, d)}\), which gives \(x = {x}\)."
        )
        wrong_x = Fraction(180 - b - d, a + c)
        mistake = (
            "This treats the angles as supplementary, but alternate interior angles are congruent."
        )
    if ask_x:
        wrong = [
            (second, "This is the measure of the angle, not the value of \\(x\\)."),
            (wrong_x, mistake),
            (
                Fraction(d - b, a + c) if not same_side else Fraction(180 + b - d, a + c),
                "This results from a sign error when collecting the constant terms.",
            ),
            (Fraction(second, c), "This ignores the constant term in the angle's expression."),
        ]
        chk = check("x", [eq], "x")
    else:
        steps += (
            rf" The angle measures \({c}({x}){'+' if d > 0 else '-'}{abs(d)} = {second}\) degrees."
        )
        wrong = [
            (x, r"This is the value of \(x\), not the angle measure."),
            (
                180 - second,
                "This is the measure of the other labeled angle's supplement."
                if not same_side
                else "This is the measure of the other labeled angle.",
            ),
            (c * wrong_x + d, mistake),
            (c * x, "This leaves out the constant term of the angle's expression."),
        ]
        chk = check(f"{c}*x + {d}", [eq], "x")
    wrong = [(Fraction(w), why) for w, why in wrong if Fraction(w).denominator == 1 and 0 < w < 180]
    return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk, figure=figure)


SIMILAR_SCENES = [
    (
        "Two triangular sails are similar in shape. The bottom edge of the smaller sail is {a} "
        "feet long and its front edge is {b} feet long. The bottom edge of the larger sail is "
        "{d} feet long.",
        "How long, in feet, is the front edge of the larger sail?",
    ),
    (
        "A triangular garden plot and a scale drawing of it are similar figures. In the drawing, "
        "the plot's north side is {a} centimeters and its east side is {b} centimeters. On the "
        "ground, the north side is {d} meters.",
        "How long, in meters, is the east side on the ground?",
    ),
    (
        "A model airplane is built to scale, so each triangular tail fin on the model is similar "
        "to the real one. The model's fin has a base of {a} centimeters and a height of {b} "
        "centimeters. The real fin's base is {d} centimeters.",
        "What is the real fin's height, in centimeters?",
    ),
]


def lat_similar(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = rng.randint(3, 12)
    scale = Fraction(rng.choice([2, 3, 4, 5]), rng.choice([1, 2, 3]))
    if scale == 1:
        raise Retry
    d = a * scale
    if d.denominator != 1:
        raise Retry
    b = rng.randint(3, 15)
    if ctx.level == 1:
        answer = b * scale
        text, ask = ctx.scene(SIMILAR_SCENES)
        stem = f"{text.format(a=a, b=b, d=plain(d))} {ask}"
        steps = (
            rf"Corresponding sides of similar figures are proportional. The scale factor is "
            rf"\(\frac{{{plain(d)}}}{{{a}}} = {num_tex(scale)}\), so the missing side is "
            rf"\({b} \cdot {num_tex(scale)} = {num_tex(answer)}\)."
        )
        wrong = [
            (b / scale, "This uses the scale factor upside down."),
            (
                b + d - a,
                "This adds the difference between the corresponding sides instead of "
                "multiplying by their ratio.",
            ),
            (
                b * scale * scale,
                "This multiplies by the square of the scale factor, which applies to area.",
            ),
            (Fraction(a * b, d) * 2, "This mixes up which sides correspond."),
        ]
        return Item(
            stem,
            num(answer),
            [(num(w), why) for w, why in wrong],
            steps,
            check("x", [f"x/{b} = {plain(d)}/{a}"], "x"),
        )
    area = rng.choice([6, 8, 10, 12, 15, 18, 20, 24])
    answer = area * scale * scale
    if answer.denominator != 1:
        raise Retry
    stem = ctx.scene(
        [
            f"An architect's drawing shows a triangular window with an area of {area} square "
            f"inches. The actual window is similar to the drawing, and a side that is {a} inches "
            f"long in the drawing is {plain(d)} inches long on the actual window. What is the "
            "area, "
            "in square inches, of the actual window?",
            f"A triangular patch of lawn has an area of {area} square meters. A second patch is "
            f"similar to it, and the side that is {a} meters long in the first patch corresponds "
            "to "
            f"a side {plain(d)} meters long in the second. What is the area, in square meters, of "
            "the second patch?",
        ]
    )
    steps = (
        rf"The scale factor is \(\frac{{{plain(d)}}}{{{a}}} = {num_tex(scale)}\). Areas of "
        rf"similar figures scale by the square of that factor, so the area is "
        rf"\({area} \cdot \left({num_tex(scale)}\right)^2 = {num_tex(answer)}\)."
    )
    wrong = [
        (area * scale, "This scales the area by the length factor instead of its square."),
        (area / (scale * scale), "This uses the scale factor upside down."),
        (area * scale * scale * scale, "This cubes the scale factor, which applies to volume."),
        (area + d - a, "This adds the difference in side lengths to the area."),
    ]
    return Item(
        stem,
        num(answer),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"{area}*({plain(d)}/{a})**2"),
    )


def lat_isosceles(ctx: Ctx) -> Item:
    rng = ctx.rng
    vertex = rng.choice(range(20, 160, 2))
    base = Fraction(180 - vertex, 2)
    if ctx.level == 0:
        stem = (
            rf"In triangle \(JKL\), \(JK = JL\) and the measure of angle \(J\) is "
            rf"\({vertex}^\circ\). What is the measure, in degrees, of angle \(K\)?"
        )
        steps = (
            rf"Since \(JK = JL\), the angles opposite those sides, \(K\) and \(L\), are "
            rf"congruent. They share \(180 - {vertex} = {180 - vertex}\) degrees, so each "
            rf"measures {plain(base)}."
        )
        wrong = [
            (180 - vertex, "This is the combined measure of angles \\(K\\) and \\(L\\)."),
            (vertex, r"This assumes angle \(K\) is congruent to angle \(J\)."),
            (Fraction(vertex, 2), "This halves the vertex angle instead of the remaining measure."),
            (180 - 2 * vertex, r"This treats angle \(J\) as one of the two congruent angles."),
        ]
        wrong = [(w, why) for w, why in wrong if w > 0]
        chk = check(f"(180 - {vertex})/2")
        answer = base
    else:
        answer = 180 - base
        stem = (
            rf"In triangle \(JKL\), \(JK = JL\) and the measure of angle \(J\) is "
            rf"\({vertex}^\circ\). Side \(\overline{{KL}}\) is extended past \(L\) to point "
            rf"\(M\). What is the measure, in degrees, of angle \(JLM\)?"
        )
        steps = (
            rf"The base angles \(K\) and \(L\) are congruent, each \(\frac{{180 - {vertex}}}{{2}}"
            rf" = {plain(base)}\) degrees. Angle \(JLM\) is supplementary to angle \(JLK\), so "
            rf"it measures \(180 - {plain(base)} = {plain(answer)}\) degrees."
        )
        wrong = [
            (base, r"This is the measure of angle \(JLK\), not the exterior angle."),
            (180 - vertex, "This subtracts the vertex angle from 180."),
            (vertex, "This is the vertex angle."),
            (
                180 - Fraction(vertex, 2),
                "This halves the vertex angle instead of the remaining measure.",
            ),
        ]
        chk = check(f"180 - (180 - {vertex})/2")
    return Item(stem, num(answer, "dec"), [(num(w, "dec"), why) for w, why in wrong], steps, chk)


# --- right triangles and trigonometry ------------------------------------------------------------


TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)]


PYTHAGOREAN_SCENES = [
    (
        "A rectangular television screen is {a} inches wide and {b} inches tall. What is the "
        "length, in inches, of the screen's diagonal?"
    ),
    (
        "A park is shaped like a rectangle {a} meters long and {b} meters wide. A straight path "
        "runs from one corner of the park to the opposite corner. How long, in meters, is the "
        "path?"
    ),
    (
        "From her front door, {name} walked {a} blocks east and then {b} blocks north. What is "
        "the straight-line distance, in blocks, between her front door and where she stopped?"
    ),
]


def rt_pythagorean(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, b, c = ctx.pick(TRIPLES)
    k = rng.choice([1, 2, 3]) if c < 20 else 1
    a, b, c = a * k, b * k, c * k
    if rng.random() < 0.5:
        a, b = b, a
    if ctx.level == 0:
        stem = ctx.scene(PYTHAGOREAN_SCENES).format(a=a, b=b, name=ctx.pick(NAMES))
        steps = (
            rf"The two perpendicular lengths are the legs of a right triangle, so the distance is "
            rf"\(\sqrt{{{a}^2 + {b}^2}} = \sqrt{{{c * c}}} = {c}\)."
        )
        wrong = [
            (num(a + b), "This adds the two lengths instead of using the Pythagorean theorem."),
            (num(c * c), "This is the square of the distance."),
            (root_val(1, abs(b * b - a * a)), "This subtracts the squares instead of adding them."),
            (num(Fraction(a + b, 2)), "This averages the two lengths."),
        ]
        return Item(stem, num(c), wrong, steps, check(f"sqrt({a}**2 + {b}**2)"))
    if rng.random() < 0.5:
        stem = (
            f"A {c}-foot ladder leans against a vertical wall, and its base is {a} feet from "
            "the wall on level ground. How high up the wall, in feet, does the top of the "
            "ladder reach?"
        )
    else:
        stem = (
            f"A kite is flying at the end of a taut {c}-meter string held at ground level. The "
            f"kite is directly above a point on the ground {a} meters from where the string is "
            "held. How high, in meters, is the kite above the ground?"
        )
    steps = (
        rf"The missing length is a leg of a right triangle whose hypotenuse is {c}: "
        rf"\(\sqrt{{{c}^2 - {a}^2}} = \sqrt{{{b * b}}} = {b}\)."
    )
    wrong = [
        (num(c - a), "This subtracts the lengths instead of their squares."),
        (root_val(1, c * c + a * a), "This adds the squares instead of subtracting them."),
        (num(b * b), "This is the square of the missing length."),
        (num(c + a), "This adds the two given lengths."),
    ]
    return Item(stem, num(b), wrong, steps, check(f"sqrt({c}**2 - {a}**2)"))


RATIO_SCENES = [
    (
        "A wheelchair ramp rises {a} feet over a horizontal distance of {b} feet{hyp}. Let "
        "\\(\\theta\\) be the angle the ramp makes with the level ground.",
        ", and its sloped surface is {c} feet long",
    ),
    (
        "A kite string is pulled straight and held at ground level. The kite is {a} meters above "
        "the ground, directly over a point {b} meters from where the string is held{hyp}. Let "
        "\\(\\theta\\) be the angle the string makes with the ground.",
        ", and the string is {c} meters long",
    ),
    (
        "A support cable runs in a straight line from the top of a {a}-meter pole to a stake in "
        "the level ground {b} meters from the base of the pole{hyp}. Let \\(\\theta\\) be the "
        "angle the cable makes with the ground.",
        "; the cable is {c} meters long",
    ),
]


def rt_ratio(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, b, c = ctx.pick(TRIPLES[:5])
    if rng.random() < 0.5:
        a, b = b, a
    full = {"sin": "sine", "cos": "cosine", "tan": "tangent"}
    if ctx.level <= 1:
        text, hyp = ctx.scene(RATIO_SCENES)
        # At level 1 the hypotenuse is not given: the student must find it first.
        setup = text.format(a=a, b=b, hyp=hyp.format(c=c) if ctx.level == 0 else "")
        func = ctx.pick(["sin", "cos", "tan"] if ctx.level == 0 else ["sin", "cos"])
        values = {"sin": Fraction(a, c), "cos": Fraction(b, c), "tan": Fraction(a, b)}
        answer = values[func]
        stem = f"{setup} What is the value of \\(\\{func} \\theta\\)?"
        names = {
            "sin": "opposite over hypotenuse",
            "cos": "adjacent over hypotenuse",
            "tan": "opposite over adjacent",
        }
        steps = (
            (
                rf"The length along the slant is \(\sqrt{{{a}^2 + {b}^2}} = {c}\). "
                if ctx.level
                else ""
            )
            + rf"For \(\theta\), the opposite side is {a}, the adjacent side is {b}, and the "
            rf"hypotenuse is {c}, so \(\{func} \theta\) ({names[func]}) is "
            rf"\({num_tex(answer)}\)."
        )
        wrong = [
            (v, f"This is the {full[f]} of \\(\\theta\\), not the {full[func]}.")
            for f, v in values.items()
            if f != func
        ]
        other = {"sin": Fraction(b, c), "cos": Fraction(a, c), "tan": Fraction(b, a)}
        wrong.append((other[func], "This uses the sides as seen from the other acute angle."))
        wrong.append((1 / answer, "This is the reciprocal of the correct ratio."))
        ratio = {
            "sin": f"{a}/sqrt({a}**2 + {b}**2)",
            "cos": f"{b}/sqrt({a}**2 + {b}**2)",
            "tan": f"{a}/{b}",
        }[func]
        return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, check(ratio))
    k = rng.choice([2, 3, 4, 5])
    perimeter = (a + b + c) * k
    stem = (
        rf"A right triangle has a perimeter of {perimeter} centimeters. For one of its acute "
        rf"angles, \(\theta\), \(\cos \theta = \frac{{{b}}}{{{c}}}\). What is the length, in "
        r"centimeters, of the triangle's hypotenuse?"
    )
    steps = (
        rf"Since \(\cos \theta = \frac{{{b}}}{{{c}}}\), the sides are in the ratio "
        rf"\({a} : {b} : {c}\) (the third side from the Pythagorean theorem), so they are "
        rf"\({a}k\), \({b}k\), and \({c}k\). The perimeter gives \({a + b + c}k = {perimeter}\), "
        rf"so \(k = {k}\) and the hypotenuse is \({c}({k}) = {c * k}\)."
    )
    wrong = [
        (Fraction(c), "This is the hypotenuse of the unscaled triangle."),
        (Fraction(b * k), r"This is the leg adjacent to \(\theta\)."),
        (Fraction(perimeter, 3), "This divides the perimeter into three equal sides."),
        (Fraction(a * k), r"This is the leg opposite \(\theta\)."),
    ]
    return Item(
        stem,
        num(c * k),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"{c}*{perimeter}/({a} + {b} + {c})"),
    )


SPECIAL_30 = [
    (
        "The sloped surface of a loading ramp is {L} feet long and makes a \\(30^\\circ\\) angle "
        "with the level ground.",
        "How high, in feet, does the ramp rise?",
        "What horizontal distance, in feet, does the ramp cover?",
        "feet",
    ),
    (
        "A zip line runs in a straight line for {L} meters and descends at a \\(30^\\circ\\) angle "
        "below the horizontal.",
        "How many meters lower is its bottom end than its top end?",
        "What horizontal distance, in meters, does the zip line span?",
        "meters",
    ),
    (
        "A {L}-foot ladder leans against a vertical wall and makes a \\(60^\\circ\\) angle with "
        "the level ground.",
        "How far, in feet, is the base of the ladder from the wall?",
        "How high, in feet, up the wall does the ladder reach?",
        "feet",
    ),
]


SPECIAL_45 = [
    (
        "A square patio has sides that are {s} meters long. What is the distance, in meters, "
        "from one corner of the patio to the opposite corner?",
        "The diagonal of a square floor tile measures \\({s}\\sqrt{{2}}\\) centimeters. What is "
        "the length, in centimeters, of each side of the tile?",
    ),
    (
        "A square courtyard is {s} yards on each side. A straight path crosses it from one "
        "corner to the opposite corner. How long, in yards, is the path?",
        "A square napkin is folded along its diagonal, which is \\({s}\\sqrt{{2}}\\) inches long. "
        "How long, in inches, is each side of the napkin?",
    ),
]


def rt_special(ctx: Ctx) -> Item:
    rng = ctx.rng
    s = rng.randint(2, 12)
    shape = ctx.scene([("30", 0), ("45", 0), ("30", 1), ("45", 1), ("30", 2)])
    if shape[0] == "45":
        mcq_text, spr_text = SPECIAL_45[shape[1]]
        if ctx.kind == "spr":
            steps = (
                r"A diagonal splits the square into two 45-45-90 triangles, in which the "
                rf"hypotenuse is \(\sqrt{{2}}\) times a leg, so each side is {s}."
            )
            return Item(spr_text.format(s=s), num(s), [], steps, check(f"({s}*sqrt(2))/sqrt(2)"))
        steps = (
            r"The diagonal splits the square into two 45-45-90 triangles, in which the "
            rf"hypotenuse is \(\sqrt{{2}}\) times a leg, so the distance is \({s}\sqrt{{2}}\)."
        )
        wrong = [
            (root_val(s, 3), r"This uses \(\sqrt{3}\), the factor for a 30-60-90 triangle."),
            (num(2 * s), "This adds two sides instead of finding the diagonal."),
            (
                root_val(Fraction(s, 2), 2),
                r"This divides by \(\sqrt{2}\) instead of "
                "multiplying.",
            ),
            (num(s * s), "This is the area of the square."),
        ]
        return Item(mcq_text.format(s=s), root_val(s, 2), wrong, steps, check(f"{s}*sqrt(2)"))
    length = 2 * s
    intro, short_ask, long_ask, unit = SPECIAL_30[shape[1]]
    intro = intro.format(L=length)
    if ctx.kind == "spr":
        steps = (
            r"The situation forms a 30-60-90 triangle whose hypotenuse is "
            rf"{length} {unit}. The side opposite the \(30^\circ\) angle is half the hypotenuse: "
            rf"{s} {unit}."
        )
        return Item(f"{intro} {short_ask}", num(s), [], steps, check(f"{length}/2"))
    steps = (
        rf"The situation forms a 30-60-90 triangle whose hypotenuse is {length} {unit}. The "
        rf"shortest side is half of that, {s}, and the side opposite the \(60^\circ\) angle is "
        rf"\(\sqrt{{3}}\) times the shortest side: \({s}\sqrt{{3}}\) {unit}."
    )
    wrong = [
        (num(s), r"This is the shortest side, the one opposite the \(30^\circ\) angle."),
        (root_val(s, 2), r"This uses \(\sqrt{2}\), the factor for a 45-45-90 triangle."),
        (
            root_val(length, 3),
            r"This multiplies the hypotenuse, not the shortest side, by "
            r"\(\sqrt{3}\).",
        ),
        (root_val(Fraction(s, 3), 3), r"This divides by \(\sqrt{3}\) instead of multiplying."),
    ]
    return Item(f"{intro} {long_ask}", root_val(s, 3), wrong, steps, check(f"({length}/2)*sqrt(3)"))


def rt_cofunction(ctx: Ctx) -> Item:
    rng = ctx.rng
    a, c = rng.randint(1, 4), rng.randint(1, 4)
    x = rng.randint(5, 25)
    b = rng.randint(-10, 20)
    d = 90 - (a + c) * x - b
    first, second = a * x + b, c * x + d
    if not (0 < first < 90 and 0 < second < 90) or d == 0 or b == 0 or first == second:
        raise Retry

    def lab(k: int, const: int) -> str:
        lead = "x" if k == 1 else f"{k}x"
        return f"{lead} {'+' if const > 0 else '-'} {abs(const)}"

    ask_angle = ctx.level == 2
    stem = (
        rf"In triangle \(JKL\), angle \(L\) is a right angle, angle \(J\) measures "
        rf"\(({lab(a, b)})^\circ\), and angle \(K\) measures \(({lab(c, d)})^\circ\). "
        + (
            r"What is the measure, in degrees, of angle \(J\)?"
            if ask_angle
            else r"What is the value of \(x\)?"
        )
    )
    steps = (
        r"Because angle \(L\) is a right angle, the other two angles are complementary: "
        rf"\(({lab(a, b)}) + ({lab(c, d)}) = 90\), so \({a + c}x "
        rf"{'+' if b + d >= 0 else '-'} {abs(b + d)} = 90\) and \(x = {x}\)."
    )
    if ask_angle:
        steps += (
            rf" Angle \(J\) measures \({a}({x}){'+' if b > 0 else '-'}{abs(b)} = {first}\) degrees."
        )
        wrong = [
            (x, r"This is the value of \(x\), not the angle measure."),
            (second, r"This is the measure of angle \(K\)."),
            (
                a * Fraction(180 - b - d, a + c) + b,
                "This uses a sum of 180 degrees for the two acute angles instead of 90.",
            ),
            (90 - x, r"This subtracts \(x\), rather than angle \(K\), from 90."),
        ]
        chk = check(f"{a}*x + {b}", [f"({a}*x + {b}) + ({c}*x + {d}) = 90"], "x")
        answer = first
    else:
        wrong = [
            (
                Fraction(180 - b - d, a + c),
                "This uses a sum of 180 degrees for the two acute angles instead of 90.",
            ),
            (
                Fraction(d - b, a - c) if a != c else Fraction(90 - b, a),
                "This sets the two angle measures equal.",
            ),
            (first, r"This is the measure of angle \(J\), not the value of \(x\)."),
            (Fraction(90, a + c), "This ignores the constant terms."),
        ]
        chk = check("x", [f"({a}*x + {b}) + ({c}*x + {d}) = 90"], "x")
        answer = x
    wrong = [(Fraction(w), why) for w, why in wrong if Fraction(w) > 0]
    return Item(stem, num(answer), [(num(w), why) for w, why in wrong], steps, chk)


# --- circles ---------------------------------------------------------------------------------


def ci_area(ctx: Ctx) -> Item:
    rng = ctx.rng
    r = rng.randint(2, 15)
    given = ctx.pick(["diameter", "circumference"]) if ctx.level else "diameter"
    thing = ctx.scene(["A circular rug", "A round tabletop", "A circular garden bed"])
    if given == "diameter":
        body = f"{thing} has a diameter of {2 * r} feet."
        first = rf"The radius is half the diameter, {r} feet."
    else:
        body = rf"{thing} has a circumference of \({2 * r}\pi\) feet."
        first = rf"From \(2\pi r = {2 * r}\pi\), the radius is {r} feet."
    k = Fraction(r * r)
    steps = rf"{first} The area is \(\pi r^2 = \pi({r})^2 = {r * r}\pi\) square feet."
    wrong = [
        (Fraction(4 * r * r), "This uses the diameter in place of the radius."),
        (Fraction(2 * r), "This is the circumference, not the area."),
        (Fraction(r), r"This uses \(\pi r\) instead of \(\pi r^2\)."),
        (Fraction(2 * r * r), r"This uses \(2\pi r^2\)."),
    ]
    return _pi_item(
        ctx,
        f"{body} What is the area, in square feet, of the top surface?",
        f"{body} The area of its top surface is \\(k\\pi\\) square feet. What is the value of "
        r"\(k\)?",
        k,
        wrong,
        steps,
        f"{r}**2",
    )


def ci_arc(ctx: Ctx) -> Item:
    rng = ctx.rng
    r = rng.randint(3, 18)
    angle = rng.choice([20, 30, 36, 40, 45, 60, 72, 80, 90, 120, 135, 150, 240])
    frac = Fraction(angle, 360)
    sector = ctx.level == 2 and rng.random() < 0.6
    if sector:
        k = frac * r * r
        body = (
            rf"A circle has a radius of {r} centimeters. A sector of the circle has a central "
            rf"angle of \({angle}^\circ\)."
        )
        steps = (
            rf"The sector is \(\frac{{{angle}}}{{360}} = {num_tex(frac)}\) of the circle, so "
            rf"its area is \({num_tex(frac)} \cdot \pi({r})^2 = {num_tex(k)}\pi\) square "
            "centimeters."
        )
        wrong = [
            (frac * 2 * r, "This is the length of the arc, not the area of the sector."),
            (Fraction(r * r), "This is the area of the whole circle."),
            (frac * 4 * r * r, "This uses the diameter in place of the radius."),
            (Fraction(angle * r * r, 180), "This uses 180 instead of 360 for a full circle."),
        ]
        return _pi_item(
            ctx,
            f"{body} What is the area, in square centimeters, of the sector?",
            f"{body} The area of the sector is \\(k\\pi\\) square centimeters. What is the "
            r"value of \(k\)?",
            k,
            wrong,
            steps,
            f"({angle}/360)*{r}**2",
        )
    k = frac * 2 * r
    body = (
        rf"Points \(P\) and \(Q\) lie on a circle with center \(O\) and radius {r} inches, and "
        rf"the measure of angle \(POQ\) is \({angle}^\circ\)."
    )
    steps = (
        rf"The arc is \(\frac{{{angle}}}{{360}} = {num_tex(frac)}\) of the circumference "
        rf"\(2\pi({r}) = {2 * r}\pi\), so its length is \({num_tex(k)}\pi\) inches."
    )
    wrong = [
        (frac * r, r"This uses the radius instead of the circumference \(2\pi r\)."),
        (frac * r * r, "This is the area of the sector, not the length of the arc."),
        (Fraction(2 * r), "This is the circumference of the whole circle."),
        (Fraction(angle * 2 * r, 180), "This uses 180 instead of 360 for a full circle."),
    ]
    return _pi_item(
        ctx,
        f"{body} What is the length, in inches, of minor arc \\(PQ\\)?"
        if angle < 180
        else f"{body} What is the length, in inches, of the arc \\(PQ\\) intercepted by angle "
        r"\(POQ\)?",
        f"{body} The length of the arc \\(PQ\\) intercepted by angle \\(POQ\\) is \\(k\\pi\\) "
        r"inches. What is the value of \(k\)?",
        k,
        wrong,
        steps,
        f"({angle}/360)*2*{r}",
    )


def ci_equation(ctx: Ctx) -> Item:
    rng = ctx.rng
    h = rng.choice([n for n in range(-9, 10) if n])
    k = rng.choice([n for n in range(-9, 10) if n])
    r = rng.randint(2, 12)
    const = r * r - h * h - k * k
    terms = f"x^2 + y^2 {'-' if h > 0 else '+'} {2 * abs(h)}x {'-' if k > 0 else '+'} {2 * abs(k)}y"
    square = (
        rf"Completing the square gives \((x {'-' if h > 0 else '+'} {abs(h)})^2 + "
        rf"(y {'-' if k > 0 else '+'} {abs(k)})^2 = {const} + {h * h} + {k * k} = {r * r}\), so "
        rf"the center is \(({h}, {k})\) and the radius is {r}."
    )
    if ctx.level == 1:
        stem = (
            rf"The equation \({terms} = {const}\) defines a circle in the \(xy\)-plane. What is "
            "the length of the circle's diameter?"
        )
        steps = f"{square} The diameter is twice the radius, {2 * r}."
        wrong = [
            (num(r), "This is the radius, not the diameter."),
            (num(r * r), "This is the square of the radius."),
            (num(2 * r * r), "This doubles the square of the radius."),
            (num(abs(h) + abs(k)), "This adds the coordinates of the center."),
        ]
        return Item(stem, num(2 * r), wrong, steps, check(f"2*sqrt({const} + ({h})**2 + ({k})**2)"))
    stem = ctx.scene(
        [
            rf"The equation \({terms} = {const}\) defines a circle in the \(xy\)-plane. Of "
            r"all the points on the circle, point \(P\) has the greatest \(y\)-coordinate. "
            r"What is the \(y\)-coordinate of \(P\)?",
            rf"A circular pond is drawn on a coordinate grid as the graph of "
            rf"\({terms} = {const}\). A marker stands at the pond's northernmost point, the "
            r"point with the greatest \(y\)-coordinate. What is that \(y\)-coordinate?",
        ]
    )
    answer = k + r
    steps = (
        f"{square} The highest point is one radius above the center: \\({k} + {r} = {answer}\\)."
    )
    wrong = [
        (k - r, "This is the lowest point of the circle."),
        (
            -k + r,
            "This takes the sign of the center's coordinate from the equation without changing it.",
        ),
        (k + r * r, "This adds the square of the radius."),
        (h + r, r"This uses the \(x\)-coordinate of the center."),
    ]
    return Item(
        stem,
        num(answer),
        [(num(w), why) for w, why in wrong],
        steps,
        check(f"({k}) + sqrt({const} + ({h})**2 + ({k})**2)"),
    )


def ci_angles(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level == 0 or rng.random() < 0.5:
        central = rng.choice(range(40, 178, 2))
        inscribed = Fraction(central, 2)
        stem = ctx.scene(
            [
                rf"Points \(A\), \(B\), and \(C\) lie on a circle with center \(O\). Arc "
                rf"\(AC\), which does not contain \(B\), has a central angle \(AOC\) of "
                rf"\({central}^\circ\). What is the measure, in degrees, of inscribed angle "
                r"\(ABC\)?",
                rf"A circular clock face has center \(O\). The hands point to marks \(A\) and "
                rf"\(C\) on the rim, and angle \(AOC\) measures \({central}^\circ\). A third "
                r"mark, \(B\), lies on the rim outside the smaller arc between \(A\) and \(C\). "
                r"What is the measure, in degrees, of angle \(ABC\)?",
            ]
        )
        steps = (
            rf"An inscribed angle measures half the central angle that intercepts the same arc: "
            rf"\(\frac{{{central}}}{{2}} = {plain(inscribed)}\)."
        )
        wrong = [
            (central, "This is the central angle, not the inscribed angle."),
            (2 * central, "This doubles the central angle instead of halving it."),
            (180 - central, "This treats the two angles as supplementary."),
            (
                Fraction(360 - central, 2),
                "This uses the other arc, the one that contains "
                r"\(B\).",
            ),
        ]
        return Item(
            stem,
            num(inscribed, "dec"),
            [(num(w, "dec"), why) for w, why in wrong],
            steps,
            check(f"{central}/2"),
        )
    a, b, c = ctx.pick(TRIPLES)
    k = rng.choice([1, 2, 3]) if c < 20 else 1
    r, t, d = a * k, b * k, c * k
    stem = (
        rf"A circle with center \(O\) has a radius of {r}. Line \(\ell\) is tangent to the "
        rf"circle at point \(P\), and point \(Q\) lies on \(\ell\) with \(PQ = {t}\). What is "
        r"the length of \(\overline{OQ}\)?"
    )
    steps = (
        r"A tangent line is perpendicular to the radius at the point of tangency, so triangle "
        rf"\(OPQ\) has a right angle at \(P\). Then \(OQ = \sqrt{{{r}^2 + {t}^2}} = {d}\)."
    )
    wrong = [
        (num(r + t), "This adds the two lengths instead of using the Pythagorean theorem."),
        (root_val(1, abs(t * t - r * r)), "This subtracts the squares instead of adding them."),
        (num(d * d), r"This is \(OQ^2\), not \(OQ\)."),
        (num(t), r"This assumes \(OQ = PQ\)."),
    ]
    return Item(stem, num(d), wrong, steps, check(f"sqrt({r}**2 + {t}**2)"))


TEMPLATES: dict[str, list[Template]] = {
    "area_volume": [
        Template(av_cylinder_cone),
        Template(av_composite),
        Template(av_scale, levels=(1, 2)),
        Template(av_prism),
    ],
    "lines_angles_triangles": [
        Template(lat_triangle),
        Template(lat_parallel),
        Template(lat_similar, levels=(1, 2)),
        Template(lat_isosceles),
    ],
    "right_triangles_trig": [
        Template(rt_pythagorean, levels=(0, 1)),
        Template(rt_ratio),
        Template(rt_special),
        Template(rt_cofunction),
    ],
    "circles": [
        Template(ci_area),
        Template(ci_arc),
        Template(ci_equation, levels=(1, 2)),
        Template(ci_angles),
    ],
}
