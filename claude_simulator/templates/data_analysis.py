"""Math templates for Problem-Solving and Data Analysis: answers computed, never looked up."""

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
    money,
    num,
    num_tex,
    plain,
)


def _dec(wrong: list[tuple[Fraction | int, str]], places: int = 2) -> list:
    """Return numeric distractors, keeping only the ones a student could write down."""
    out = []
    for w, why in wrong:
        w = Fraction(w)
        if (w * 10**places).denominator == 1:
            out.append((num(w, "dec"), why))
    return out


def _frac(wrong: list[tuple[Fraction | int, str]]) -> list:
    return [(num(w), why) for w, why in wrong]


# --- ratios, rates, proportional relationships, and units ------------------------------


RATE_CONTEXTS = [
    {
        "topic": "work",
        "text": "A bottling machine fills {n} bottles every {t} minutes.",
        "ask": "At this rate, how many bottles does the machine fill in {h} hours?",
        "per": "bottles per minute",
        "small": "minutes",
        "big": "hours",
    },
    {
        "topic": "science",
        "text": "A hummingbird's heart beats {n} times every {t} seconds while it rests.",
        "ask": "At this rate, how many times does its heart beat in {h} minutes?",
        "per": "beats per second",
        "small": "seconds",
        "big": "minutes",
    },
    {
        "topic": "work",
        "text": "Working at a constant rate, a volunteer crew plants {n} "
        "seedlings every {t} minutes.",
        "ask": "At this rate, how many seedlings does the crew plant in {h} hours?",
        "per": "seedlings per minute",
        "small": "minutes",
        "big": "hours",
    },
    {
        "topic": "science",
        "text": "A rain gauge collects {n} milliliters of water every {t} "
        "minutes during a steady storm.",
        "ask": "At this rate, how many milliliters does it collect in {h} hours?",
        "per": "milliliters per minute",
        "small": "minutes",
        "big": "hours",
    },
]


def rr_rate(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(RATE_CONTEXTS)
    t = rng.choice([3, 4, 5, 6, 8, 12, 15])
    n = t * rng.randint(2, 12)
    if ctx.level == 0:
        n = t * rng.randint(2, 9)
    h = rng.choice([2, 3, 4, 5]) if ctx.level < 2 else rng.choice(["1.5", "2.5", "0.75"])
    h = Fraction(h)
    answer = Fraction(n, t) * 60 * h
    stem = f"{c['text'].format(n=n, t=t)} {c['ask'].format(h=plain(h))}"
    steps = (
        rf"The rate is \(\frac{{{n}}}{{{t}}} = {num_tex(Fraction(n, t))}\) {c['per']}. There "
        rf"are \(60({num_tex(h, 'dec')}) = {num_tex(60 * h)}\) {c['small']} in {plain(h)} "
        rf"{c['big']}, so the total is \({num_tex(Fraction(n, t))}({num_tex(60 * h)}) = "
        rf"{num_tex(answer)}\)."
    )
    wrong = [
        (Fraction(n, t) * h, f"This does not convert {c['big']} to {c['small']}."),
        (
            n * 60 * h,
            f"This treats {n} as the amount for one of the {c['small']} instead of "
            f"for {t} of them.",
        ),
        (Fraction(t, n) * 60 * h, "This uses the reciprocal of the rate."),
        (Fraction(n * t) * h, f"This multiplies by {t} instead of dividing by it."),
    ]
    return Item(stem, num(answer, "dec"), _dec(wrong), steps, check(f"({n}/{t})*60*{calc(h)}"))


SCALE_CONTEXTS = [
    (
        "On a hiking map, {a} centimeters represent {b} kilometers. Two campsites are {c} "
        "centimeters apart on the map.",
        "What is the actual distance, in kilometers, between the campsites?",
        "kilometers",
    ),
    (
        "A blueprint uses a scale in which {a} inches represent {b} feet. A hallway is {c} "
        "inches long on the blueprint.",
        "What is the actual length, in feet, of the hallway?",
        "feet",
    ),
    (
        "In a diagram of a cell, {a} centimeters represent {b} micrometers. A structure in the "
        "diagram is {c} centimeters long.",
        "What is the actual length, in micrometers, of the structure?",
        "micrometers",
    ),
]


def rr_scale(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, ask, unit = ctx.scene(SCALE_CONTEXTS)
    a = rng.choice([2, 3, 4, 5])
    b = a * rng.randint(2, 9) + (rng.choice([0, 1, 2]) if ctx.level else 0)
    c = Fraction(rng.randint(3, 30), rng.choice([1, 2]) if ctx.level else 1)
    answer = c * b / a
    if (answer * 100).denominator != 1:
        raise Retry
    stem = f"{text.format(a=a, b=b, c=plain(c))} {ask}"
    steps = (
        rf"Setting up a proportion, \(\frac{{{a}}}{{{b}}} = \frac{{{num_tex(c, 'dec')}}}{{d}}\), "
        rf"so \(d = \frac{{{num_tex(c, 'dec')}({b})}}{{{a}}} = {num_tex(answer, 'dec')}\) {unit}."
    )
    wrong = [
        (c * a / b, "This inverts the scale, multiplying by the map length per real length."),
        (c * b, f"This multiplies by {b} without dividing by {a}."),
        (
            c + b - a,
            "This adds the difference between the scale numbers instead of "
            "multiplying by their ratio.",
        ),
        (Fraction(b, a) + c, "This adds the scale ratio instead of multiplying by it."),
    ]
    return Item(stem, num(answer, "dec"), _dec(wrong), steps, check(f"{calc(c)}*{b}/{a}"))


RATIO_CONTEXTS = [
    (
        "In a community orchestra, the ratio of string players to wind players is {p} to {q}. "
        "The orchestra has {N} string and wind players in all.",
        "How many wind players are in the orchestra?",
        "wind players",
        "string players",
    ),
    (
        "A hardware store mixes a shade of green paint using blue and yellow paint in the "
        "ratio {p} to {q} by volume. A batch contains {N} liters of blue and yellow paint "
        "combined.",
        "How many liters of yellow paint are in the batch?",
        "liters of yellow paint",
        "liters of blue paint",
    ),
    (
        "In a sample of pond water, the ratio of algae cells of species A to species B is {p} "
        "to {q}. The sample contains {N} cells of the two species.",
        "How many cells of species B are in the sample?",
        "cells of species B",
        "cells of species A",
    ),
]


def rr_ratio(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, ask, second, first = ctx.scene(RATIO_CONTEXTS)
    p, q = rng.sample(range(2, 10), 2)
    if Fraction(p, q).denominator != q:
        raise Retry
    k = rng.randint(3, 15)
    total = (p + q) * k
    if ctx.level < 2:
        answer = q * k
        stem = f"{text.format(p=p, q=q, N=total)} {ask}"
        steps = (
            rf"The ratio splits the total into {p} + {q} = {p + q} equal parts, so each part is "
            rf"\(\frac{{{total}}}{{{p + q}}} = {k}\). The number of {second} is {q} parts: "
            rf"\({q}({k}) = {answer}\)."
        )
        wrong = [
            (p * k, f"This is the amount of {first}, not {second}."),
            (
                Fraction(total * q, p),
                f"This treats {q}/{p} as the fraction of the whole that is {second}.",
            ),
            (Fraction(total, q), f"This divides the total by {q}."),
            (total - q, f"This subtracts {q} from the total."),
        ]
        chk = check(f"{total}*{q}/({p} + {q})")
        return Item(stem, num(answer, "dec"), _dec(wrong), steps, chk)
    # hard: add some of the first kind to reach a new ratio
    r = p + rng.randint(1, 4)
    # (p k + x) / (q k) = r / q  -> x = (r - p) k
    x = (r - p) * k
    stem = (
        f"{text.format(p=p, q=q, N=total)} How many {first} must be added so that the ratio "
        f"of {first} to {second} becomes {r} to {q}?"
    )
    steps = (
        rf"Each of the {p + q} equal parts is \(\frac{{{total}}}{{{p + q}}} = {k}\), so there "
        rf"are "
        rf"{p * k} {first} and {q * k} {second}. For the ratio to be {r} to {q} with "
        rf"{q * k} {second}, there must be \({r}({k}) = {r * k}\) {first}, so "
        rf"\({r * k} - {p * k} = {x}\) must be added."
    )
    wrong = [
        (r - p, "This is the change in the ratio's first number, not the amount to add."),
        (r * k, f"This is the new number of {first}, not the number added."),
        (
            (r - p) * (p + q),
            "This multiplies the change in the ratio by the number of parts "
            "instead of by the size of each part.",
        ),
        (Fraction(total * r, r + q) - p * k, "This keeps the total fixed instead of adding to it."),
    ]
    return Item(
        stem,
        num(x, "dec"),
        _dec(wrong),
        steps,
        check("x", [f"({p}*{k} + x)/({q}*{k}) = {r}/{q}"], "x"),
    )


def rr_units(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level <= 1:
        v = rng.choice([5, 10, 15, 20, 25, 30])
        stem = (
            f"A cyclist rides at a constant speed of {v} meters per second. What is this speed "
            r"in kilometers per hour? (\(1\) kilometer \(= 1{,}000\) meters)"
        )
        answer = Fraction(v * 3600, 1000)
        steps = (
            rf"In one hour there are 3,600 seconds, so the cyclist rides \({v}(3{{,}}600) = "
            rf"{v * 3600}\) meters, which is \(\frac{{{v * 3600}}}{{1{{,}}000}} = "
            rf"{num_tex(answer, 'dec')}\) kilometers."
        )
        wrong = [
            (Fraction(v * 60, 1000), "This converts seconds to minutes instead of to hours."),
            (
                Fraction(v * 1000, 3600),
                "This divides by the number of seconds in an hour and "
                "multiplies by 1,000 instead of the reverse.",
            ),
            (v * 60, "This multiplies by 60 and does not convert meters to kilometers."),
            (v * 3600, "This does not convert meters to kilometers."),
        ]
        chk = check(f"{v}*3600/1000")
    else:
        v = rng.choice([36, 54, 72, 90, 108])
        secs = rng.choice([15, 20, 25, 30, 45, 50])
        answer = Fraction(v * 1000 * secs, 3600)
        stem = (
            f"A freight train travels at a constant speed of {v} kilometers per hour. How many "
            f"meters does the train travel in {secs} seconds? (\\(1\\) kilometer \\(= 1{{,}}000\\) "
            "meters)"
        )
        steps = (
            rf"\({v}\) kilometers per hour is \(\frac{{{v}(1{{,}}000)}}{{3{{,}}600}} = "
            rf"{num_tex(Fraction(v * 1000, 3600))}\) meters per second, so in {secs} seconds "
            rf"the train travels \({num_tex(Fraction(v * 1000, 3600))}({secs}) = "
            rf"{num_tex(answer)}\) meters."
        )
        wrong = [
            (Fraction(v * secs), "This multiplies the speed by the time without converting units."),
            (Fraction(v * 1000, 3600), "This is the speed in meters per second, not the distance."),
            (Fraction(v * 1000 * secs, 60), "This treats the seconds as minutes."),
            (Fraction(v * secs * 36, 10), "This multiplies by 3.6 instead of dividing by it."),
        ]
        chk = check(f"{v}*1000*{secs}/3600")
    return Item(stem, num(answer, "dec"), _dec(wrong), steps, chk)


# --- percentages -----------------------------------------------------------------------------


PERCENT_CHANGE = [
    (
        "The number of visitors to a state park fell from {A} in one year to {B} the next year.",
        "The number of visitors",
    ),
    ("A store lowered the price of a tent from ${A} to ${B}.", "The price"),
    (
        "After a drought, the water level of a reservoir dropped from {A} feet to {B} feet.",
        "The water level",
    ),
    (
        "A biologist counted {A} frogs at a wetland in spring and {B} frogs in late summer.",
        "The number of frogs",
    ),
]


def pct_change(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, subject = ctx.scene(PERCENT_CHANGE)
    pct = Fraction(rng.choice([5, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 60]))
    if ctx.level >= 1:
        pct += Fraction(rng.choice([0, 0, 1, 2]), 2)
    base = rng.choice([40, 80, 120, 160, 200, 240, 320, 400, 480, 600, 800])
    new = base * (1 - pct / 100)
    if new.denominator != 1:
        raise Retry
    stem = (
        f"{text.format(A=plain(base), B=plain(new))} {subject} decreased by \\(p\\%\\). What "
        r"is the value of \(p\)?"
    )
    steps = (
        rf"The decrease is \({base} - {plain(new)} = {plain(base - new)}\). As a percent of the "
        rf"original amount, this is \(\frac{{{plain(base - new)}}}{{{base}}} \times 100 = "
        rf"{num_tex(pct, 'dec')}\)."
    )
    wrong = [
        (
            (base - new) / new * 100,
            "This divides the decrease by the new amount instead of the original amount.",
        ),
        (base - new, "This is the amount of the decrease, not the percent."),
        (new / base * 100, "This is the new amount as a percent of the original amount."),
        (
            100 - (base - new) / new * 100,
            "This subtracts from 100 using the new amount as the base.",
        ),
    ]
    return Item(
        stem, num(pct, "dec"), _dec(wrong), steps, check(f"({base} - {calc(new)})/{base}*100")
    )


def pct_successive(ctx: Ctx) -> Item:
    rng = ctx.rng
    price = rng.choice([40, 60, 80, 120, 150, 200, 250, 400, 500])
    up = rng.choice([10, 20, 25, 30, 40, 50])
    down = rng.choice([10, 20, 25, 30, 40])
    answer = Fraction(price) * (100 + up) / 100 * (100 - down) / 100
    what = ctx.scene(
        [
            (
                "The price of a concert ticket was {P}. The price was increased by {u}%, and later "
                "the new price was decreased by {d}%.",
                "What was the final price, in dollars?",
                True,
            ),
            (
                "A colony of {P} honeybees grew by {u}% during the spring and then shrank by {d}% "
                "during the summer.",
                "How many bees were in the colony at the end of the summer?",
                False,
            ),
        ]
    )
    text, ask, is_money = what
    stem = f"{text.format(P=money(price) if is_money else price, u=up, d=down)} {ask}"
    steps = (
        rf"An increase of {up}% multiplies by {plain(Fraction(100 + up, 100))}, and a decrease "
        rf"of {down}% multiplies by {plain(Fraction(100 - down, 100))}. So the final amount is "
        rf"\({price}({plain(Fraction(100 + up, 100))})({plain(Fraction(100 - down, 100))}) = "
        rf"{num_tex(answer, 'dec')}\)."
    )
    wrong = [
        (
            Fraction(price) * (100 + up - down) / 100,
            f"This combines the changes into a single "
            f"change of {up - down}%, but the second percent applies to the new amount.",
        ),
        (
            Fraction(price) * (100 - up) / 100 * (100 + down) / 100,
            "This reverses the directions of the two changes.",
        ),
        (Fraction(price) * (100 + up) / 100, "This applies only the increase."),
        (
            Fraction(price) * (100 + up) / 100 - down,
            f"This subtracts {down} instead of {down}% of the new amount.",
        ),
    ]
    if not is_money and answer.denominator != 1:
        raise Retry
    return Item(
        stem,
        num(answer, "dec"),
        _dec(wrong),
        steps,
        check(f"{price}*(1 + {up}/100)*(1 - {down}/100)"),
    )


def pct_reverse(ctx: Ctx) -> Item:
    rng = ctx.rng
    p = rng.choice([5, 8, 10, 15, 20, 25]) if ctx.level < 2 else rng.choice([6, 12, 18, 35])
    name = ctx.pick(NAMES)
    if rng.random() < 0.5:
        original = Fraction(rng.choice(range(20, 400, 4)))
        total = original * (100 + p) / 100
        stem = (
            f"{name} paid {money(total)} for a meal, including a {p}% tip on the price of the "
            "meal. What was the price of the meal, in dollars, before the tip?"
        )
    else:
        original = Fraction(rng.choice(range(100, 1000, 50)))
        total = original * (100 + p) / 100
        stem = (
            f"After a {p}% increase, the number of members of a robotics league was "
            f"{plain(total)}. How many members did the league have before the increase?"
        )
    if (total * 100).denominator != 1 or ("members" in stem and total.denominator != 1):
        raise Retry
    steps = (
        rf"If \(x\) is the amount before the increase, then \({plain(Fraction(100 + p, 100))}x "
        rf"= {plain(total)}\), so \(x = \frac{{{plain(total)}}}{{{plain(Fraction(100 + p, 100))}}}"
        rf" = {num_tex(original, 'dec')}\)."
    )
    wrong = [
        (
            total * (100 - p) / 100,
            f"This subtracts {p}% of the final amount, but the "
            f"{p}% was figured on the original amount.",
        ),
        (total - p, f"This subtracts {p} instead of {p}%."),
        (total * (100 + p) / 100, f"This increases the final amount by another {p}%."),
        (
            total * 100 / (100 - p),
            f"This divides by {plain(Fraction(100 - p, 100))}, as if the amount had decreased.",
        ),
        (total / (1 + Fraction(p, 10)), f"This treats {p}% as {plain(Fraction(p, 10))}."),
    ]
    return Item(
        stem,
        num(original, "dec"),
        _dec(wrong),
        steps,
        check("x", [f"(1 + {p}/100)*x = {calc(total)}"], "x"),
    )


NESTED_PERCENTS = [
    (
        "At a high school with {T} students, {p}% of the students take a science elective, and "
        "{q}% of the students who take a science elective also belong to the science club.",
        "How many students take a science elective and belong to the science club?",
        "take a science elective",
    ),
    (
        "Of the {T} trees in a city park, {p}% are oaks, and {q}% of the oaks are more than "
        "100 years old.",
        "How many oaks in the park are more than 100 years old?",
        "are oaks",
    ),
    (
        "A factory made {T} bicycles last month. {p}% of them were electric models, and {q}% of "
        "the electric models were painted red.",
        "How many red electric bicycles did the factory make last month?",
        "were electric models",
    ),
]


def pct_of_pct(ctx: Ctx) -> Item:
    rng = ctx.rng
    total = rng.choice([200, 400, 500, 600, 800, 1200])
    p = rng.choice([20, 25, 30, 40, 45, 60, 75])
    q = rng.choice([10, 15, 20, 25, 40, 50])
    answer = Fraction(total * p * q, 10000)
    if answer.denominator != 1:
        raise Retry
    text, ask, group = ctx.scene(NESTED_PERCENTS)
    stem = f"{text.format(T=total, p=p, q=q)} {ask}"
    steps = (
        rf"\({p}\%\) of {total} is \({total * p // 100}\), the number that {group}, and "
        rf"\({q}\%\) of that is \({plain(answer)}\)."
    )
    wrong = [
        (Fraction(total * (p + q), 100), f"This adds the percents, taking {p + q}% of {total}."),
        (Fraction(total * q, 100), f"This takes {q}% of all {total}."),
        (Fraction(total * p, 100), f"This is the number that {group}."),
        (Fraction(total * p, 100) - q, f"This subtracts {q} instead of taking {q}%."),
    ]
    return Item(stem, num(answer), _dec(wrong), steps, check(f"{total}*({p}/100)*({q}/100)"))


# --- one-variable data -----------------------------------------------------------------------


MEAN_CONTEXTS = [
    (
        "{name}'s scores on the first four quizzes of a course were {vals}.",
        "quizzes",
        "What score must {name} earn on the fifth quiz so that the mean of the five scores is "
        "{mean}?",
        (60, 100),
    ),
    (
        "A weather station recorded the following rainfall amounts, in millimeters, on four "
        "days: {vals}.",
        "days",
        "How many millimeters of rain must fall on a fifth day so that "
        "the mean rainfall for the five days is {mean} millimeters?",
        (2, 40),
    ),
    (
        "The masses, in grams, of four mineral samples are {vals}.",
        "samples",
        "What must be "
        "the mass, in grams, of a fifth sample so that the mean mass of the five samples is "
        "{mean} grams?",
        (20, 90),
    ),
]


def ovd_missing(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, _plural, ask, (lo, hi) = ctx.scene(MEAN_CONTEXTS)
    vals = [rng.randint(lo, hi) for _ in range(4)]
    mean = rng.randint(lo + (hi - lo) // 4, hi - (hi - lo) // 4)
    fifth = 5 * mean - sum(vals)
    if not lo <= fifth <= hi * 1.2 or fifth in vals:
        raise Retry
    name = ctx.pick(NAMES)
    listed = ", ".join(str(v) for v in vals[:3]) + f", and {vals[3]}"
    stem = f"{text.format(name=name, vals=listed)} {ask.format(name=name, mean=mean)}"
    steps = (
        rf"A mean of {mean} for five values requires a total of \(5({mean}) = {5 * mean}\). "
        rf"The four values add to {sum(vals)}, so the fifth must be "
        rf"\({5 * mean} - {sum(vals)} = {fifth}\)."
    )
    wrong = [
        (Fraction(sum(vals), 4), "This is the mean of the first four values."),
        (
            2 * mean - Fraction(sum(vals), 4),
            "This balances the fifth value against the mean "
            "of the first four, as if that mean counted as a single value.",
        ),
        (mean, "This assumes the fifth value must equal the target mean."),
        (5 * mean - sum(vals[:3]), "This leaves one of the four given values out of the total."),
    ]
    return Item(
        stem,
        num(fifth, "dec"),
        _dec(wrong),
        steps,
        check(f"5*{mean} - ({' + '.join(str(v) for v in vals)})"),
    )


def ovd_median(ctx: Ctx) -> Item:
    rng = ctx.rng
    n = rng.choice([7, 9]) if ctx.level == 0 else rng.choice([8, 10])
    vals = rng.sample(range(3, 60), n)
    ordered = sorted(vals)
    if n % 2:
        median = Fraction(ordered[n // 2])
    else:
        median = Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2)
    mean = Fraction(sum(vals), n)
    what = ctx.scene(
        [
            "The numbers of pages read by {n} students in one week were {vals}.",
            "The daily high temperatures, in degrees Fahrenheit, recorded in a mountain town on "
            "{n} days were {vals}.",
            "The numbers of birds counted at {n} feeders during a survey were {vals}.",
        ]
    )
    stem = (
        f"{what.format(n=n, vals=', '.join(str(v) for v in vals))} What is the median of "
        "these data?"
    )
    middle = (
        f"the middle value is {plain(median)}"
        if n % 2
        else rf"the median is the mean of the two middle values, "
        rf"\(\frac{{{ordered[n // 2 - 1]} + {ordered[n // 2]}}}{{2}} = {num_tex(median, 'dec')}\)"
    )
    steps = f"In order, the values are {', '.join(str(v) for v in ordered)}; {middle}."
    unsorted_mid = Fraction(vals[n // 2]) if n % 2 else Fraction(vals[n // 2 - 1] + vals[n // 2], 2)
    wrong = [
        (
            unsorted_mid,
            "This takes the middle of the list without first putting the values in order.",
        ),
        (mean, "This is the mean, not the median."),
        (
            Fraction(ordered[0] + ordered[-1], 2),
            "This is the midpoint of the least and greatest values.",
        ),
        (Fraction(ordered[n // 2]), "This takes only one of the two middle values.")
        if n % 2 == 0
        else (
            Fraction(ordered[n // 2 + 1]),
            "This counts to the wrong position when finding the middle value.",
        ),
    ]
    return Item(
        stem,
        num(median, "dec"),
        _dec(wrong),
        steps,
        check(f"({ordered[(n - 1) // 2]} + {ordered[n // 2]})/2"),
    )


def ovd_frequency(ctx: Ctx) -> Item:
    rng = ctx.rng
    values = sorted(rng.sample(range(0, 8), 5))
    freqs = [rng.randint(1, 9) for _ in values]
    total = sum(freqs)
    label, what = ctx.scene(
        [
            ("Number of siblings", "students in a class"),
            ("Number of books borrowed", "library visitors on one day"),
            ("Number of eggs in a nest", "nests in a field study"),
        ]
    )
    rows = "\n".join(f"| {v} | {f} |" for v, f in zip(values, freqs, strict=True))
    figure = f"Frequency table\n\n| {label} | Frequency |\n|---|---|\n{rows}"
    weighted = sum(v * f for v, f in zip(values, freqs, strict=True))
    if ctx.level <= 1:
        answer = Fraction(weighted, total)
        if (answer * 100).denominator != 1:
            raise Retry
        stem = (
            f"The frequency table summarizes data collected from {total} {what}. What is the "
            "mean of the data?"
        )
        steps = (
            rf"The sum of all the data values is \({weighted}\) (each value times its "
            rf"frequency), and there are {total} values, so the mean is "
            rf"\(\frac{{{weighted}}}{{{total}}} = {num_tex(answer, 'dec')}\)."
        )
        wrong = [
            (
                Fraction(sum(values), len(values)),
                "This is the mean of the five listed values, ignoring their frequencies.",
            ),
            (
                Fraction(weighted, len(values)),
                "This divides by the number of rows instead of the number of data values.",
            ),
            (Fraction(total, len(values)), "This is the mean of the frequencies."),
            (
                Fraction(weighted, total + len(values)),
                "This adds the number of rows to the number of data values.",
            ),
        ]
        return Item(
            stem,
            num(answer, "dec"),
            _dec(wrong),
            steps,
            check(
                f"({' + '.join(f'{v}*{f}' for v, f in zip(values, freqs, strict=True))})/{total}"
            ),
            figure=figure,
        )
    data = [v for v, f in zip(values, freqs, strict=True) for _ in range(f)]
    n = len(data)
    median = Fraction(data[n // 2]) if n % 2 else Fraction(data[n // 2 - 1] + data[n // 2], 2)
    stem = (
        f"The frequency table summarizes data collected from {total} {what}. What is the "
        "median of the data?"
    )
    steps = (
        rf"There are {n} values. In order, the median is the "
        + (
            f"value in position {n // 2 + 1}"
            if n % 2
            else f"mean of the values in positions {n // 2} and {n // 2 + 1}"
        )
        + rf", which is {plain(median)}."
    )
    wrong = [
        (Fraction(values[2]), "This is the middle row of the table, ignoring the frequencies."),
        (Fraction(weighted, total), "This is the mean, not the median."),
        (Fraction(freqs[2]), "This is the frequency in the middle row."),
        (Fraction(sorted(freqs)[2]), "This is the median of the frequencies."),
    ]
    return Item(
        stem, num(median, "dec"), _dec(wrong), steps, check(f"{calc(median)}"), figure=figure
    )


COMBINED = [
    (
        "A teacher has two classes. The {n1} students in the first class had a mean test score of "
        "{m1}, and the {n2} students in the second class had a mean score of {m2} on the same "
        "test.",
        "What is the mean score of all the students in both classes?",
        "scores",
    ),
    (
        "An orchard has two rows of apple trees. The {n1} trees in the first row produced a mean "
        "of {m1} kilograms of apples each, and the {n2} trees in the second row produced a mean "
        "of {m2} kilograms each.",
        "What is the mean yield, in kilograms, of all the trees in both rows?",
        "yields",
    ),
    (
        "A running club timed its members on a 5-kilometer course. The {n1} members of the "
        "morning group had a mean time of {m1} minutes, and the {n2} members of the evening "
        "group had a mean time of {m2} minutes.",
        "What is the mean time, in minutes, of all the members in both groups?",
        "times",
    ),
]


def ovd_combined(ctx: Ctx) -> Item:
    rng = ctx.rng
    n1, n2 = rng.sample([8, 10, 12, 15, 16, 20, 24, 25, 30], 2)
    text, ask, what = ctx.scene(COMBINED)
    lo, hi = (60, 95) if what == "scores" else (20, 45)
    m1, m2 = rng.randint(lo, hi), rng.randint(lo, hi)
    if m1 == m2:
        raise Retry
    answer = Fraction(n1 * m1 + n2 * m2, n1 + n2)
    if (answer * 100).denominator != 1:
        raise Retry
    stem = f"{text.format(n1=n1, m1=m1, n2=n2, m2=m2)} {ask}"
    steps = (
        rf"The totals are \({n1}({m1}) = {n1 * m1}\) and \({n2}({m2}) = {n2 * m2}\), so the "
        rf"mean of all {n1 + n2} {what} is \(\frac{{{n1 * m1 + n2 * m2}}}{{{n1 + n2}}} = "
        rf"{num_tex(answer, 'dec')}\)."
    )
    wrong = [
        (Fraction(m1 + m2, 2), "This averages the two means without weighting them by group size."),
        (Fraction(n1 * m2 + n2 * m1, n1 + n2), "This weights each mean by the other group's size."),
        (
            Fraction(n1 * m1 + n2 * m2, 2),
            "This divides the total by 2 instead of by the number of members.",
        ),
        (max(m1, m2), "This is the greater of the two means."),
    ]
    return Item(
        stem,
        num(answer, "dec"),
        _dec(wrong),
        steps,
        check(f"({n1}*{m1} + {n2}*{m2})/({n1} + {n2})"),
    )


MODEL_CONTEXTS = [
    {
        "topic": "science",
        "text": "For a group of pine saplings, the equation \\(y = {a}x + "
        "{b}\\) models the height \\(y\\), in centimeters, of a sapling \\(x\\) months after it "
        "was planted.",
        "ask": "According to the model, what is the predicted height, in "
        "centimeters, of a sapling {x0} months after it was planted?",
        "x": "months",
        "y": "height",
    },
    {
        "topic": "money",
        "text": "A café owner found that the line of best fit \\(y = {a}x + "
        "{b}\\) models the number of iced drinks sold, \\(y\\), on a day when the high "
        "temperature is \\(x\\) degrees Fahrenheit.",
        "ask": "According to the model, how many "
        "iced drinks are predicted to be sold on a day when the high temperature is {x0} "
        "degrees Fahrenheit?",
        "x": "degrees",
        "y": "drinks",
    },
    {
        "topic": "science",
        "text": "In a study of a river, the equation \\(y = {a}x + {b}\\) "
        "models the concentration \\(y\\), in milligrams per liter, of dissolved oxygen at a "
        "distance of \\(x\\) kilometers downstream from a dam.",
        "ask": "According to the "
        "model, what is the predicted concentration, in milligrams per liter, {x0} kilometers "
        "downstream from the dam?",
        "x": "kilometers",
        "y": "concentration",
    },
    {
        "topic": "social",
        "text": "A librarian found that the line of best fit \\(y = {a}x + {b}\\) models the "
        "number of books \\(y\\) checked out on a day when the library is open for \\(x\\) "
        "hours.",
        "ask": "According to the line of best fit, how many books are predicted to be "
        "checked out on a day when the library is open for {x0} hours?",
        "x": "hours",
        "y": "books",
    },
    {
        "topic": "science",
        "text": "A nutrition study used the model \\(y = {a}x + {b}\\), where \\(y\\) is the "
        "mass, in grams, of a growing puppy's daily meals and \\(x\\) is the puppy's age in "
        "weeks.",
        "ask": "What daily meal mass, in grams, does the model predict for a puppy that is "
        "{x0} weeks old?",
        "x": "weeks",
        "y": "grams",
    },
]


# --- two-variable data -----------------------------------------------------------------------


def tvd_predict(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(MODEL_CONTEXTS)
    a = Fraction(rng.choice(["1.5", "2.5", "3.2", "4", "0.8", "1.2", "2.4"]))
    if "drinks" in c["text"] or "books" in c["text"]:
        a = Fraction(rng.choice([2, 3, 4, 6]))
    if "oxygen" in c["text"]:
        a = -Fraction(rng.choice(["0.2", "0.3", "0.4", "0.5"]))
        b = Fraction(rng.choice([9, 10, 11, 12]))
        x0 = rng.randint(2, 15)
    else:
        b = Fraction(rng.choice([12, 18, 24, 30, 35, 40]))
        x0 = rng.randint(5, 40)
        if "temperature" in c["text"]:
            x0 = rng.randint(60, 95)
        elif "books" in c["text"]:
            x0 = rng.randint(4, 12)
    answer = a * x0 + b
    equation = f"{plain(a)}x + {plain(b)}" if a > 0 else f"{plain(b)} - {plain(-a)}x"
    text = c["text"].replace("{a}x + {b}", equation)
    stem = f"{text} {c['ask'].format(x0=x0)}"
    steps = (
        rf"Substituting {x0} for \(x\) gives \(y = {plain(a)}({x0}) + {plain(b)} = "
        rf"{plain(answer)}\)."
    )
    if a < 0:
        steps = (
            rf"Substituting {x0} for \(x\) gives \(y = {plain(b)} - {plain(-a)}({x0}) = "
            rf"{plain(answer)}\)."
        )
    wrong = [
        (a * x0, "This leaves out the constant term of the model."),
        (b * x0 + a, "This swaps the roles of the slope and the intercept."),
        (a + b + x0, f"This adds {x0} instead of multiplying it by the slope."),
        (b - a * x0 if a > 0 else b + abs(a) * x0, "This uses the slope with the wrong sign."),
    ]
    if answer <= 0:
        raise Retry
    return Item(stem, num(answer, "dec"), _dec(wrong), steps, check(f"{calc(a)}*{x0} + {calc(b)}"))


RESIDUAL_SCENES = [
    (
        "A biologist's model \\(y = {a}x + {b}\\) estimates the mass \\(y\\), in grams, of a "
        "lab-raised tadpole \\(x\\) days after it hatches. One tadpole had a mass of {actual} "
        "grams when it was {x0} days old.",
        "What is this tadpole's actual mass minus the mass the model estimates for it, in grams?",
    ),
    (
        "The line of best fit \\(y = {a}x + {b}\\) models the weekly sales \\(y\\), in hundreds of "
        "dollars, of a food truck that spends \\(x\\) hundred dollars on advertising. One week "
        "the truck spent {x0} hundred dollars on advertising and had sales of {actual} hundred "
        "dollars.",
        "For that week, what is the actual sales figure minus the sales figure "
        "predicted by the line, in hundreds of dollars?",
    ),
    (
        "For a group of young maple trees, the line of best fit \\(y = {a}x + {b}\\) relates a "
        "tree's age \\(x\\), in years, to its height \\(y\\), in decimeters. One tree in the group "
        "is {x0} years old and {actual} decimeters tall.",
        "What is the tree's actual height "
        "minus the height predicted by the line of best fit, in decimeters?",
    ),
]


def tvd_residual(ctx: Ctx) -> Item:
    rng = ctx.rng
    a = Fraction(rng.choice(["1.5", "2", "2.5", "3", "0.5"]))
    b = Fraction(rng.randint(5, 30))
    x0 = rng.randint(4, 20)
    predicted = a * x0 + b
    diff = Fraction(rng.choice([-6, -4, -3, -2, 2, 3, 4, 5, 7]), rng.choice([1, 2]))
    actual = predicted + diff
    text, ask = ctx.scene(RESIDUAL_SCENES)
    stem = f"{text.format(a=plain(a), b=plain(b), x0=x0, actual=plain(actual))} {ask}"
    steps = (
        rf"The predicted value for \(x = {x0}\) is \({plain(a)}({x0}) + {plain(b)} = "
        rf"{plain(predicted)}\). The actual value minus the predicted value is "
        rf"\({num_tex(actual, 'dec')} - {plain(predicted)} = {num_tex(diff, 'dec')}\)."
    )
    wrong = [
        (-diff, "This subtracts in the wrong order: predicted minus actual."),
        (predicted, "This is the predicted value, not the difference."),
        (actual - a * x0, "This leaves the intercept out of the predicted value."),
        (actual - (b * x0 + a), "This swaps the slope and intercept when predicting."),
    ]
    return Item(
        stem,
        num(diff, "dec"),
        _dec(wrong),
        steps,
        check(f"{calc(actual)} - ({calc(a)}*{x0} + {calc(b)})"),
    )


def tvd_exponential(ctx: Ctx) -> Item:
    rng = ctx.rng
    start = rng.choice([50, 64, 80, 100, 128, 160, 200, 250])
    ratio = Fraction(rng.choice([2, 3, "1.5", "0.5"]))
    xs = [0, 1, 2, 3]
    ys = [start * ratio**x for x in xs]
    target = 4 + ctx.level
    answer = start * ratio**target
    if any((y * 100).denominator != 1 for y in [*ys, answer]) or answer > 99999:
        raise Retry
    topic = ctx.scene(
        [
            ("Time (days)", "Number of cells", "the number of cells in a culture"),
            ("Year", "Value (dollars)", "the value of a collectible card"),
            ("Hour", "Amount of medication (mg)", "the amount of a medication in a sample"),
        ]
    )
    rows = "\n".join(f"| {x} | {plain(y)} |" for x, y in zip(xs, ys, strict=True))
    figure = f"| {topic[0]} | {topic[1]} |\n|---|---|\n{rows}"
    stem = (
        f"The table shows {topic[2]} at four times. The relationship is exponential, and "
        f"it continues as the table suggests. What is the value when the time is {target}?"
    )
    steps = (
        rf"Each value is \({num_tex(ratio, 'dec')}\) times the one before, so the value at "
        rf"time \(x\) is \({start}({num_tex(ratio, 'dec')})^x\). At {target}: "
        rf"\({start}({num_tex(ratio, 'dec')})^{{{target}}} = {num_tex(answer, 'dec')}\)."
    )
    wrong = [
        (
            ys[3] + (target - 3) * (ys[3] - ys[2]),
            "This continues the pattern by adding the "
            "last difference, as if the relationship were linear.",
        ),
        (
            start * ratio ** (target - 1),
            f"This applies the growth factor {target - 1} times instead of {target}.",
        ),
        (
            start * ratio * target,
            f"This multiplies by {target} instead of raising the factor to the power {target}.",
        ),
        (start * ratio ** (target + 1), f"This applies the growth factor {target + 1} times."),
    ]
    return Item(
        stem,
        num(answer, "dec"),
        _dec(wrong),
        steps,
        check(f"{start}*{calc(ratio)}**{target}"),
        figure=figure,
    )


SLOPE_MEANINGS = [
    (
        "The line of best fit for data on a group of rental apartments is \\(y = {a}x + {b}\\), "
        "where \\(y\\) is the monthly rent, in dollars, and \\(x\\) is the floor area, in "
        "square meters.",
        "For each increase of 1 square meter in floor area, the predicted monthly rent increases "
        "by {a} dollars.",
        "For each increase of 1 dollar in monthly rent, the predicted floor area increases "
        "by {a} square meters.",
        "The predicted monthly rent for an apartment with no floor area is {a} dollars.",
        "Every apartment in the data set has a monthly rent that is {a} times its floor area.",
    ),
    (
        "A line of best fit for data on the cricket chirps heard per minute, \\(y\\), and the air "
        "temperature, \\(x\\), in degrees Celsius, is \\(y = {a}x + {b}\\).",
        "For each increase of 1 degree Celsius, the predicted number of chirps per minute "
        "increases by {a}.",
        "For each additional chirp per minute, the predicted temperature increases by {a} "
        "degrees Celsius.",
        "The predicted number of chirps per minute at 0 degrees Celsius is {a}.",
        "Crickets chirp exactly {a} times per minute at every temperature in the data.",
    ),
]


def tvd_interpret(ctx: Ctx) -> Item:
    rng = ctx.rng
    text, right, swapped, intercept, overclaim = ctx.scene(SLOPE_MEANINGS)
    a, b = rng.randint(3, 14), rng.randint(20, 300)
    stem = (
        f"{text.format(a=a, b=b)} Which of the following is the best interpretation of {a} "
        "in this context?"
    )
    steps = (
        f"In a linear model \\(y = mx + b\\), the slope \\(m\\) is the predicted change in "
        f"\\(y\\) for each increase of 1 in \\(x\\). Here the slope is {a}."
    )
    wrong = [
        (swapped.format(a=a), "This reverses the roles of the two variables."),
        (intercept.format(a=a), f"This describes the \\(y\\)-intercept, which is {b}, not {a}."),
        (
            overclaim.format(a=a),
            "A line of best fit predicts; it does not describe every data "
            "point exactly, and the slope is a rate of change, not a multiplier.",
        ),
    ]
    return Item(stem, right.format(a=a), wrong, steps, None)


# --- probability ----------------------------------------------------------------------------------


TWO_WAY = [
    {
        "topic": "science",
        "title": "Seed trial",
        "rows": ("Fertilized", "Not fertilized"),
        "cols": ("Sprouted", "Did not sprout"),
        "who": "seeds in a greenhouse trial",
        "one": "seed",
        "it": "the seed",
        "rel": "that",
        "row_word": "was fertilized",
        "col_word": "sprouted",
    },
    {
        "topic": "school",
        "title": "Lunch choices",
        "rows": ("Grade 11", "Grade 12"),
        "cols": ("Hot lunch", "Packed lunch"),
        "who": "students surveyed at a school",
        "one": "student",
        "it": "the student",
        "rel": "who",
        "row_word": "is in grade 11",
        "col_word": "chose hot lunch",
    },
    {
        "topic": "science",
        "title": "Wildlife survey",
        "rows": ("North meadow", "South meadow"),
        "cols": ("Banded", "Not banded"),
        "who": "birds caught during a survey",
        "one": "bird",
        "it": "the bird",
        "rel": "that",
        "row_word": "was caught in the north meadow",
        "col_word": "was banded",
    },
]


def prob_two_way(ctx: Ctx) -> Item:
    rng = ctx.rng
    c = ctx.context(TWO_WAY)
    a, b, cc, d = (rng.randint(8, 60) for _ in range(4))
    r1, r2, c1, total = a + b, cc + d, a + cc, a + b + cc + d
    r_a, r_b = c["rows"]
    k1, k2 = c["cols"]
    figure = (
        f"{c['title']}\n\n| | {k1} | {k2} | Total |\n|---|---|---|---|\n"
        f"| {r_a} | {a} | {b} | {r1} |\n| {r_b} | {cc} | {d} | {r2} |\n"
        f"| Total | {c1} | {b + d} | {total} |"
    )
    if ctx.level == 0:
        answer = Fraction(a, total)
        stem = (
            f"The table summarizes {total} {c['who']}. If one {c['one']} is selected at random, "
            f"what is the probability that {c['it']} {c['row_word']} and {c['col_word']}?"
        )
        steps = (
            rf"{a} of the {total} are in both categories, so the probability is "
            rf"\(\frac{{{a}}}{{{total}}}\)"
            + (rf", or \({num_tex(answer)}\)." if answer.denominator != total else ".")
        )
        wrong = [
            (
                Fraction(a, r1),
                f"This is the probability for a {c['one']} {c['rel']} "
                f"{c['row_word']}, not for one chosen from all {total}.",
            ),
            (
                Fraction(a, c1),
                f"This is the probability for a {c['one']} {c['rel']} "
                f"{c['col_word']}, not for one chosen from all {total}.",
            ),
            (Fraction(r1, total), "This ignores the second condition."),
            (Fraction(c1, total), "This ignores the first condition."),
        ]
        chk = check(f"{a}/{total}")
    elif ctx.level == 1:
        answer = Fraction(a, r1)
        stem = (
            f"The table summarizes {total} {c['who']}. If a {c['one']} {c['rel']} {c['row_word']} "
            f"is "
            f"selected at random, what is the probability that {c['it']} {c['col_word']}?"
        )
        steps = (
            rf"Only the {r1} in the row \"{r_a}\" are considered; {a} of them {c['col_word']}, "
            rf"so the probability is \(\frac{{{a}}}{{{r1}}}\)"
            + (rf" \(= {num_tex(answer)}\)." if answer.denominator != r1 else ".")
        )
        wrong = [
            (Fraction(a, c1), "This reverses the condition, dividing by the column total."),
            (Fraction(a, total), "This divides by the grand total instead of the row total."),
            (Fraction(b, r1), f'This is the probability of the other column, "{k2}."'),
            (Fraction(r1, total), "This is the probability of the condition itself."),
        ]
        chk = check(f"{a}/{r1}")
    else:
        answer = Fraction(a, c1)
        stem = (
            f"The table summarizes {total} {c['who']}. If a {c['one']} {c['rel']} {c['col_word']} "
            f"is "
            f"selected at random, what is the probability that {c['it']} {c['row_word']}?"
        )
        steps = (
            rf"Only the {c1} in the column \"{k1}\" are considered; {a} of them are in the row "
            rf"\"{r_a},\" so the probability is \(\frac{{{a}}}{{{c1}}}\)"
            + (rf" \(= {num_tex(answer)}\)." if answer.denominator != c1 else ".")
        )
        wrong = [
            (Fraction(a, r1), "This reverses the condition, dividing by the row total."),
            (Fraction(a, total), "This divides by the grand total instead of the column total."),
            (Fraction(cc, c1), f'This is the probability for the other row, "{r_b}."'),
            (Fraction(c1, total), "This is the probability of the condition itself."),
        ]
        chk = check(f"{a}/{c1}")
    return Item(stem, num(answer), _frac(wrong), steps, chk, figure=figure, max_denominator=999)


COLLECTIONS = [
    (
        "A bag contains {a} red tiles, {b} yellow tiles, and {c} purple tiles.",
        "tile",
        ("red", "yellow", "purple"),
    ),
    (
        "A shelf holds {a} mystery novels, {b} biographies, and {c} poetry collections.",
        "book",
        ("a mystery novel", "a biography", "a poetry collection"),
    ),
    (
        "A drawer in a geology lab holds {a} granite samples, {b} basalt samples, and {c} quartz "
        "samples.",
        "sample",
        ("granite", "basalt", "quartz"),
    ),
]


def prob_complement(ctx: Ctx) -> Item:
    rng = ctx.rng
    counts = [rng.randint(3, 15) for _ in range(3)]
    total = sum(counts)
    text, one, kinds = ctx.scene(COLLECTIONS)
    target = rng.randrange(3)
    answer = Fraction(total - counts[target], total)
    stem = (
        f"{text.format(a=counts[0], b=counts[1], c=counts[2])} If one {one} is selected at "
        f"random, what is the probability that it is not {kinds[target]}?"
    )
    steps = (
        rf"There are {total} in all, and {total - counts[target]} of them are not "
        rf"{kinds[target]}, so the probability is "
        rf"\(\frac{{{total - counts[target]}}}{{{total}}}\)"
        + (rf" \(= {num_tex(answer)}\)." if answer.denominator != total else ".")
    )
    wrong = [
        (Fraction(counts[target], total), f"This is the probability that it is {kinds[target]}."),
        (
            Fraction(total - counts[target], counts[target]),
            "This compares the two groups (odds) instead of dividing by the total.",
        ),
        (Fraction(1, 3), "This assumes the three kinds are equally likely."),
        (Fraction(2, 3), "This assumes the three kinds are equally likely."),
    ]
    return Item(
        stem,
        num(answer),
        _frac(wrong),
        steps,
        check(f"1 - {counts[target]}/{total}"),
        max_denominator=999,
    )


def prob_expected(ctx: Ctx) -> Item:
    rng = ctx.rng
    p = Fraction(rng.choice([1, 2, 3]), rng.choice([20, 25, 40, 50]))
    n = rng.choice([400, 500, 600, 800, 1000, 1200, 2000])
    answer = p * n
    if answer.denominator != 1:
        raise Retry
    stem = ctx.scene(
        [
            f"The probability that a randomly chosen bolt from a factory's production line is "
            f"defective is {plain(p)}. Of {n:,} bolts produced in a day, how many are expected to "
            "be defective?",
            f"In a certain region, the probability that a seed of a wildflower germinates within a "
            f"week is {plain(p)}. If {n:,} seeds are planted, how many are expected to germinate "
            "within a week?",
        ]
    )
    steps = rf"The expected number is \({plain(p)}({n}) = {plain(answer)}\)."
    wrong = [
        (n - answer, "This is the expected number of the other outcome."),
        (
            Fraction(n) / (p.denominator),
            "This divides by the denominator of the probability "
            "and forgets to multiply by its numerator."
            if p.numerator != 1
            else "This divides by 10 instead of using the probability.",
        ),
        (
            p * 100,
            "This writes the probability as a percent instead of multiplying by the "
            "number of trials.",
        ),
        (answer * 10, "This misplaces the decimal point in the probability."),
        (answer * 2, "This doubles the expected number."),
    ]
    return Item(stem, num(answer), _dec(wrong), steps, check(f"{calc(p)}*{n}"))


DRAWS = [
    (
        "A drawer contains {r} blue socks and {o} gray socks. Two socks are taken from the drawer "
        "at random, one after the other, without replacement. What is the probability that both "
        "socks are blue?",
        "blue socks",
        "socks",
    ),
    (
        "A club with {r} seniors and {o} juniors will choose a president and then a treasurer by "
        "drawing names at random; a person chosen first is not put back. What is the probability "
        "that both officers are seniors?",
        "seniors",
        "people",
    ),
    (
        "A bag of {n} marbles holds {r} striped marbles; the rest are solid. A child pulls out one "
        "marble at random, keeps it, and then pulls out a second one. What is the probability "
        "that both marbles are striped?",
        "striped marbles",
        "marbles",
    ),
]


def prob_without_replacement(ctx: Ctx) -> Item:
    rng = ctx.rng
    r = rng.randint(3, 9)
    other = rng.randint(3, 12)
    n = r + other
    answer = Fraction(r, n) * Fraction(r - 1, n - 1)
    text, things, items = ctx.scene(DRAWS)
    stem = text.format(r=r, o=other, n=n)
    steps = (
        rf"The first pick is one of the {things} with probability \(\frac{{{r}}}{{{n}}}\); then "
        rf"{r - 1} of the remaining {n - 1} {items} are {things}. So the probability is "
        rf"\(\frac{{{r}}}{{{n}}} \cdot \frac{{{r - 1}}}{{{n - 1}}} = {num_tex(answer)}\)."
    )
    wrong = [
        (Fraction(r, n) ** 2, "This assumes the first pick is put back before the second."),
        (Fraction(r, n), "This is the probability for the first pick only."),
        (
            Fraction(2 * r - 1, 2 * n - 1),
            "This adds the numerators and the denominators of the "
            "two probabilities instead of multiplying.",
        ),
        (
            Fraction(r, n) * Fraction(r, n - 1),
            "This reduces the total but not the number of favorable items after the first pick.",
        ),
    ]
    return Item(
        stem,
        num(answer),
        _frac(wrong),
        steps,
        check(f"({r}/{n})*({r - 1}/{n - 1})"),
        max_denominator=999,
    )


# --- inference from sample statistics --------------------------------------------------------


def inf_estimate(ctx: Ctx) -> Item:
    rng = ctx.rng
    if ctx.level == 0:
        population = rng.choice([1800, 2400, 3000, 3600, 4500, 6000, 7200])
        n = rng.choice([60, 75, 90, 120, 150, 180, 200])
        k = rng.randint(n // 10, n * 6 // 10)
        answer = Fraction(population * k, n)
        if answer.denominator != 1:
            raise Retry
        stem = ctx.scene(
            [
                f"A city library has {population:,} registered members. In a random sample of {n} "
                f"members, {k} said they would use a new evening study room. Based on the sample, "
                "about how many of all registered members would be expected to use the room?",
                f"A nature reserve contains about {population:,} trees. Rangers examined a random "
                f"sample of {n} trees and found {k} with signs of a beetle infestation. Based on "
                "the sample, about how many trees in the reserve would be expected to show signs "
                "of infestation?",
            ]
        )
        steps = (
            rf"The sample proportion is \(\frac{{{k}}}{{{n}}}\), so the estimate is "
            rf"\(\frac{{{k}}}{{{n}}}({population}) = {plain(answer)}\)."
        )
        wrong = [
            (
                population - answer,
                "This estimates the number who would not, not the number who would.",
            ),
            (
                Fraction(k),
                "This is the count in the sample only, not an estimate for the whole population.",
            ),
            (
                Fraction(population * k, n * 10),
                "This misplaces the decimal point in the sample proportion.",
            ),
            (Fraction(population, n) + k, "This adds instead of multiplying."),
        ]
        chk = check(f"{k}/{n}*{population}")
        return Item(stem, num(answer), _dec(wrong, 0), steps, chk)
    tagged = rng.choice([30, 40, 50, 60, 80])
    caught = rng.choice([40, 50, 60, 75, 80, 100])
    marked = rng.randint(4, 15)
    answer = Fraction(tagged * caught, marked)
    if answer.denominator != 1:
        raise Retry
    animal, place = ctx.scene(
        [("trout", "a lake"), ("painted turtles", "a pond"), ("monarch butterflies", "a meadow")]
    )
    stem = (
        f"To estimate the number of {animal} in {place}, biologists caught, marked, and "
        f"released {tagged} of them. Later, they caught {caught} {animal} at random, and "
        f"{marked} of those were marked. Assuming the marked animals mixed evenly into the "
        f"population, what is the best estimate of the number of {animal} in {place}?"
    )
    steps = (
        rf"The proportion tagged in the second catch, \(\frac{{{marked}}}{{{caught}}}\), "
        rf"estimates the proportion tagged in the lake, \(\frac{{{tagged}}}{{N}}\). Solving "
        rf"\(\frac{{{marked}}}{{{caught}}} = \frac{{{tagged}}}{{N}}\) gives \(N = "
        rf"{plain(answer)}\)."
    )
    wrong = [
        (Fraction(tagged * marked, caught), "This sets up the proportion upside down."),
        (
            tagged + caught - marked,
            "This counts the distinct animals caught, not the whole population.",
        ),
        (tagged + caught, "This adds the two catches."),
        (Fraction(caught * marked, tagged), "This mixes up which catch was tagged."),
    ]
    return Item(
        stem,
        num(answer),
        _dec(wrong, 0),
        steps,
        check("T", [f"{marked}/{caught} = {tagged}/T"], "T"),
    )


def inf_margin(ctx: Ctx) -> Item:
    rng = ctx.rng
    greatest = rng.random() < 0.5
    what = ctx.scene(
        [
            ("a random sample of commuters in a city", "one-way commute time", "minutes", 15, 60),
            (
                "a random sample of adult Atlantic salmon from a river",
                "length",
                "centimeters",
                55,
                90,
            ),
            (
                "a random sample of households in a county",
                "weekly grocery bill",
                "dollars",
                90,
                240,
            ),
        ]
    )
    mean = Fraction(rng.randint(what[3] * 10, what[4] * 10), 10)
    e = Fraction(rng.randint(5, 40), 10)
    if ctx.level <= 1:
        answer = mean + e if greatest else mean - e
        word = "greatest" if greatest else "least"
        stem = (
            f"Researchers measured {what[1]} for {what[0]}. The sample mean was "
            f"{plain(mean)} {what[2]}, with an associated margin of error of {plain(e)} "
            f"{what[2]}. Based on these results, what is the {word} plausible value, in "
            f"{what[2]}, of the mean {what[1]} for the whole population?"
        )
        steps = (
            rf"The plausible values for the population mean run from \({plain(mean)} - "
            rf"{plain(e)} = {plain(mean - e)}\) to \({plain(mean)} + {plain(e)} = "
            rf"{plain(mean + e)}\). The {word} is {plain(answer)}."
        )
        wrong = [
            (mean - e if greatest else mean + e, "This is the other end of the interval."),
            (mean, "This is the sample mean, the center of the interval."),
            (mean + 2 * e if greatest else mean - 2 * e, "This uses twice the margin of error."),
            (e, "This is the margin of error itself."),
        ]
        chk = check(f"{calc(mean)} {'+' if greatest else '-'} {calc(e)}")
        return Item(stem, num(answer, "dec"), _dec(wrong, 1), steps, chk)
    population = rng.choice([2000, 4000, 5000, 8000, 10000])
    p = Fraction(rng.randint(15, 70), 100)
    e = Fraction(rng.choice([2, 3, 4, 5]), 100)
    answer = population * (p - e)
    group, plan = ctx.scene(
        [
            ("voters in a town", "a plan to build a skate park"),
            ("households in a county", "a proposal to add curbside composting"),
            ("students at a university", "moving the first class of the day to a later time"),
        ]
    )
    stem = (
        f"A random sample was taken from the {population:,} {group}. In the sample, "
        f"{plain(p * 100)}% supported {plan}, with a margin of error of {plain(e * 100)} "
        f"percentage points. Based on these results, what is the least plausible number of "
        f"the {population:,} {group} who support it?"
    )
    steps = (
        rf"The plausible values for the proportion run from \({plain(p)} - {plain(e)} = "
        rf"{plain(p - e)}\) to \({plain(p + e)}\). The least plausible number is "
        rf"\({plain(p - e)}({population}) = {plain(answer)}\)."
    )
    wrong = [
        (population * (p + e), "This is the greatest plausible number."),
        (population * p, "This is the point estimate, not the least plausible value."),
        (
            population * p - e * 100,
            "This subtracts the margin of error as a count instead of a proportion.",
        ),
        (population * (1 - p - e), "This estimates the number who do not support it."),
    ]
    return Item(
        stem, num(answer), _dec(wrong, 0), steps, check(f"{population}*({calc(p)} - {calc(e)})")
    )


CONCLUSIONS = [
    (
        "A researcher selected a random sample of 250 adults from a large city and found that the "
        "mean amount of sleep per night was 6.8 hours, with a margin of error of 0.3 hour.",
        "It is plausible that the mean amount of sleep per night for all adults in the city is "
        "between 6.5 and 7.1 hours.",
        (
            "Every adult in the city sleeps between 6.5 and 7.1 hours per night.",
            "This describes individuals, but a margin of error describes the population mean.",
        ),
        (
            "The mean amount of sleep for all adults in the city is exactly 6.8 hours.",
            "A sample mean estimates the population mean; it does not equal it exactly.",
        ),
        (
            "It is plausible that the mean amount of sleep for all adults in the country is "
            "between 6.5 and 7.1 hours.",
            "The sample came from one city, so it supports conclusions about that city only.",
        ),
    ),
    (
        "A quality inspector selected 80 light bulbs at random from one week's production at a "
        "factory and found that their mean lifetime was 1,210 hours, with a margin of error of "
        "35 hours.",
        "It is plausible that the mean lifetime of all bulbs produced that week is between 1,175 "
        "and 1,245 hours.",
        (
            "Each bulb produced that week lasts between 1,175 and 1,245 hours.",
            "The margin of error describes the mean, not individual bulbs.",
        ),
        (
            "The mean lifetime of the bulbs produced that week is greater than 1,245 hours.",
            "Values above 1,245 hours fall outside the plausible range.",
        ),
        (
            "It is plausible that the mean lifetime of all bulbs produced by every factory is "
            "between 1,175 and 1,245 hours.",
            "The sample came from one factory's weekly "
            "production, so it cannot support a claim about every factory.",
        ),
    ),
]


def inf_conclusion(ctx: Ctx) -> Item:
    text, right, *wrongs = ctx.scene(CONCLUSIONS)
    stem = f"{text} Which of the following is the most appropriate conclusion?"
    steps = (
        "A sample mean and its margin of error give a range of plausible values for the mean "
        "of the population the sample was randomly drawn from; they say nothing certain about "
        "individuals or about other populations."
    )
    return Item(stem, right, list(wrongs), steps, None)


# --- evaluating statistical claims --------------------------------------------------------


STUDIES = [
    {
        "act": "taking a short walk after lunch",
        "assign": "take a short walk after lunch",
        "obs": "already took a short walk after lunch",
        "outcome": "better afternoon concentration",
        "people": "employees",
        "place": "a large hospital",
        "the_place": "the hospital",
    },
    {
        "act": "following a daily stretching routine",
        "assign": "follow a daily stretching routine",
        "obs": "already followed a daily stretching routine",
        "outcome": "less back pain",
        "people": "office workers",
        "place": "a large company",
        "the_place": "the company",
    },
    {
        "act": "adding a mineral supplement to feed",
        "assign": "receive a mineral supplement in their feed",
        "obs": "was already receiving a mineral supplement",
        "outcome": "greater egg production",
        "people": "hens",
        "place": "a large poultry farm",
        "the_place": "the farm",
    },
    {
        "act": "applying a reflective coating to roofs",
        "assign": "receive a reflective roof coating",
        "obs": "already had a reflective roof coating",
        "outcome": "lower indoor temperatures",
        "people": "houses",
        "place": "a large neighborhood",
        "the_place": "the neighborhood",
    },
]


def esc_design(ctx: Ctx) -> Item:
    s = ctx.scene(STUDIES)
    case = ctx.pick(["random_both", "volunteers", "observational"])
    act, o, p, place, the_place = s["act"], s["outcome"], s["people"], s["place"], s["the_place"]
    act_cap = act[0].upper() + act[1:]
    if case == "random_both":
        text = (
            f"From all the {p} in {place}, researchers selected 200 at random. Half of the "
            f"selected {p} were randomly assigned to {s['assign']}, and the other half were "
            f"not. The assigned group showed significantly {o}."
        )
        why = (
            f"Random selection lets the result be generalized to all the {p} in "
            f"{the_place}, and random assignment supports a cause-and-effect conclusion."
        )
    elif case == "volunteers":
        text = (
            f"Researchers recruited 200 volunteer {p} in {place}. The volunteers were randomly "
            f"assigned to two groups of equal size: one group was assigned to {s['assign']}, "
            f"and the other was not. The assigned group showed significantly {o}."
        )
        why = (
            "Random assignment supports a cause-and-effect conclusion, but because the "
            f"{p} were volunteers rather than a random sample, the result applies only to "
            f"{p} like them."
        )
    else:
        text = (
            f"Researchers selected 200 {p} at random from {place} and recorded which of them "
            f"{s['obs']}. Those {p} showed significantly {o} than the others."
        )
        why = (
            f"Random selection lets the result be generalized to the {p} in {the_place}, "
            "but without random assignment the study shows only an association, not cause "
            "and effect."
        )
    cause_all = f"{act_cap} is likely to cause {o} for {p} in {the_place}."
    cause_vol = f"{act_cap} is likely to cause {o} for {p} like the volunteers."
    assoc = f"Among {p} in {the_place}, {act} is associated with {o}."
    cause_every = f"{act_cap} is likely to cause {o} for {p} everywhere."
    right = {"random_both": cause_all, "volunteers": cause_vol, "observational": assoc}[case]
    reasons = {
        cause_all: "Without random assignment, the study cannot show cause and effect."
        if case == "observational"
        else "The volunteers were not a random sample, so the "
        f"result cannot be generalized to all {p} in {the_place}.",
        cause_vol: "This limits the claim to volunteers, but the study did not use volunteers.",
        assoc: "This is weaker than the design allows: random assignment supports a "
        "cause-and-effect conclusion.",
        cause_every: f"The study included only {p} from {the_place}, so it cannot be "
        f"generalized to {p} everywhere.",
    }
    wrong = [(text_, why_) for text_, why_ in reasons.items() if text_ != right]
    stem = f"{text} Which of the following is the most appropriate conclusion?"
    return Item(stem, right, wrong, why, None)


BIAS = [
    (
        "To estimate how many residents of a town favor a new dog park, a volunteer surveyed "
        "150 people walking dogs in the town's existing parks.",
        "People who walk dogs in parks are more likely than typical residents to favor a dog park.",
        (
            "A sample of 150 people is too small to estimate anything about a town.",
            "A sample of 150 can be informative if it is chosen at random; size is not the "
            "problem here.",
        ),
        (
            "The volunteer should have asked each person twice to make sure of the answer.",
            "Repeating the question does not change who was asked.",
        ),
        (
            "Most residents of any town own dogs, so the results will be too low.",
            "Nothing supports this claim, and it points in the wrong direction.",
        ),
    ),
    (
        "To estimate the mean number of hours that students at a university spend studying each "
        "week, a researcher surveyed 120 students in the university's library on a Sunday "
        "evening.",
        "Students found in the library are likely to study more than typical students.",
        (
            "The survey should have included students from other universities.",
            "The goal is to describe this university's students, so other universities are not "
            "needed.",
        ),
        (
            "Students cannot estimate how many hours they study each week.",
            "This would affect any survey method equally; it is not why this sample is biased.",
        ),
        (
            "120 students is more than enough, so the estimate must be accurate.",
            "A large sample does not fix a biased way of choosing it.",
        ),
    ),
]


def esc_bias(ctx: Ctx) -> Item:
    text, right, *wrongs = ctx.scene(BIAS)
    stem = (
        f"{text} Which of the following is the best reason the results may not be an accurate "
        "estimate?"
    )
    steps = (
        "The people surveyed were chosen by where they happened to be, not at random, and that "
        "place attracts people whose answers are likely to differ from the population's."
    )
    return Item(stem, right, list(wrongs), steps, None)


ASSIGNMENT_FORMS = [
    "In an experiment, {total} {people} were selected, and {frac} of them were randomly "
    "assigned to {assign}; the rest were not. Of the {people} in the assigned group, {pct}% "
    "showed {outcome} by the end of the study. How many {people} in the assigned group showed "
    "{outcome}?",
    "Researchers randomly chose {frac} of the {total} {people} in a study to {assign}, and the "
    "others served as a comparison group. By the end of the study, {pct}% of the chosen "
    "{people} showed {outcome}. How many of the chosen {people} is that?",
    "A study's design called for {frac} of its {total} {people}, picked at random, to "
    "{assign}. When results came in, {pct}% of that treatment group showed {outcome}. What "
    "number of {people} in the treatment group showed {outcome}?",
]


def esc_assignment(ctx: Ctx) -> Item:
    rng = ctx.rng
    total = rng.choice([120, 160, 180, 200, 240, 300, 360])
    frac = Fraction(rng.choice([1, 2, 3]), rng.choice([3, 4, 5]))
    if frac >= 1:
        raise Retry
    pct = rng.choice([20, 25, 30, 35, 40, 45, 60])
    treated = total * frac
    answer = treated * pct / 100
    if treated.denominator != 1 or answer.denominator != 1:
        raise Retry
    s = ctx.scene(STUDIES)
    form = ctx.scene(ASSIGNMENT_FORMS)
    stem = form.format(
        total=total,
        people=s["people"],
        frac=f"\\({num_tex(frac)}\\)",
        assign=s["assign"],
        pct=pct,
        outcome=s["outcome"],
    )
    steps = (
        rf"\(\frac{{{frac.numerator}}}{{{frac.denominator}}}\) of {total} is {plain(treated)}, "
        rf"and {pct}% of {plain(treated)} is \({plain(treated)}({plain(Fraction(pct, 100))}) = "
        rf"{plain(answer)}\)."
    )
    wrong = [
        (
            total * Fraction(pct, 100),
            f"This takes {pct}% of all {total}, including those not assigned to the treatment.",
        ),
        (treated, "This is the number assigned to the treatment."),
        (
            (total - treated) * Fraction(pct, 100),
            f"This takes {pct}% of the group that was not assigned to the treatment.",
        ),
        (treated - pct, f"This subtracts {pct} instead of taking {pct}%."),
    ]
    return Item(stem, num(answer), _dec(wrong, 0), steps, check(f"{total}*{calc(frac)}*{pct}/100"))


TEMPLATES: dict[str, list[Template]] = {
    "ratios_rates": [
        Template(rr_rate),
        Template(rr_scale),
        Template(rr_ratio),
        Template(rr_units, levels=(1, 2)),
    ],
    "percentages": [
        Template(pct_change),
        Template(pct_successive, levels=(1, 2)),
        Template(pct_reverse),
        Template(pct_of_pct, levels=(0, 1)),
    ],
    "one_variable_data": [
        Template(ovd_missing),
        Template(ovd_median),
        Template(ovd_frequency),
        Template(ovd_combined, levels=(1, 2)),
    ],
    "two_variable_data": [
        Template(tvd_predict),
        Template(tvd_residual),
        Template(tvd_exponential),
        Template(tvd_interpret, spr=False),
    ],
    "probability": [
        Template(prob_two_way),
        Template(prob_complement),
        Template(prob_expected),
        Template(prob_without_replacement, levels=(1, 2)),
    ],
    "inference_sample_statistics": [
        Template(inf_estimate),
        Template(inf_margin),
        Template(inf_conclusion, spr=False),
    ],
    "evaluating_statistical_claims": [
        Template(esc_design, spr=False),
        Template(esc_bias, spr=False),
        Template(esc_assignment),
    ],
}
