"""Math templates written as data (YAML under templates/data/) and the engine that draws them.

The data format is described in data/README.md: params drawn in order, texts with
{expression:format} placeholders, wrong answers with the mistake each one makes.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import statistics
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from claude_simulator.templates import base
from claude_simulator.templates.base import NAMES, Ctx, Item, Retry, Template

DATA = Path(__file__).resolve().parent / "data"
KEYS = {"skill", "levels", "spr", "vars", "params", "where", "text", "answer", "wrong", "check",
        "contexts", "person", "fn", "keep", "style", "choose", "max_denominator"}  # fmt: skip
SHE = ("she", "her", "her")
HE = ("he", "him", "his")
GENDERS = (SHE, HE, SHE, HE, SHE, SHE, HE, SHE, HE, HE, HE, SHE, HE, SHE, HE, SHE, HE, SHE,
           HE, SHE, HE, SHE, SHE, HE, SHE)  # fmt: skip
PRONOUNS = dict(zip(NAMES, GENDERS, strict=True))  # the pronouns agreeing with each name
PLURALS = {"foot": "feet", "inch": "inches", "box": "boxes", "person": "people"}
RANGE = re.compile(r"^(\S+?)\.\.(\S+)$")
LATEX_GROUP = re.compile(r"(\\[A-Za-z]+|[\^_]|\\sqrt\[[^]]*\])$")


class Lin:
    """A linear combination of variables that prints the way a person writes it."""

    def __init__(self, terms: Mapping[str, Fraction]) -> None:
        self.terms = dict(terms)  # variable (or "" for the constant) -> coefficient, in order

    def _plus(self, other: Any, sign: int) -> Lin:
        terms = dict(self.terms)
        for var, coef in (other.terms if isinstance(other, Lin) else {"": other}).items():
            terms[var] = terms.get(var, Fraction(0)) + sign * Fraction(coef)
        return Lin(terms)

    def __add__(self, other: Any) -> Lin:
        return self._plus(other, 1)

    def __sub__(self, other: Any) -> Lin:
        return self._plus(other, -1)

    def __radd__(self, other: Any) -> Lin:
        return Lin({"": Fraction(other)}) + self

    def __rsub__(self, other: Any) -> Lin:
        return Lin({"": Fraction(other)}) - self

    def __neg__(self) -> Lin:
        return self * -1

    def __mul__(self, other: Any) -> Lin:
        if isinstance(other, Lin):
            raise TypeError("only linear expressions can be written")
        return Lin({var: coef * other for var, coef in self.terms.items()})

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Lin:
        return self * (1 / Fraction(other))

    def __pow__(self, exponent: Any) -> Lin:
        """Return a power of a bare variable as a term of its own: x**2 prints as x^2."""
        (var, coef), *rest = self.terms.items()
        power = Fraction(exponent)
        if rest or not var or coef != 1 or power.denominator != 1:
            raise TypeError("only a variable can be raised to a power")
        if power == 1:
            return self
        return Lin({f"{var}^{power}" if 0 <= power <= 9 else f"{var}^{{{power}}}": Fraction(1)})

    def tex(self, style: str = "frac") -> str:
        parts: list[str] = []
        for var, coef in self.terms.items():
            if coef == 0:
                continue
            mag = abs(coef)
            body = var if var and mag == 1 else base.num_tex(mag, style) + var
            sign = "-" if coef < 0 else "+"
            parts.append(f" {sign} {body}" if parts else ("-" if coef < 0 else "") + body)
        return "".join(parts) or "0"

    def calc(self) -> str:
        terms = self.terms.items()
        return base.expr_calc(*[(c, v.replace("{", "(").replace("}", ")")) for v, c in terms])


def _number(value: Any) -> Any:
    """Return YAML's numbers (and numeric strings such as "0.10") as exact Fractions."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Fraction(str(value))
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            return value
    return value


def _clean(value: Fraction, places: Fraction) -> bool:
    return (value * 10 ** int(places)).denominator == 1


def _series(items: list[str]) -> str:
    """Return items as prose: "3", "3 and 5" or "3, 5, and 7"."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + ", and " + items[-1]


def _rows(*columns: list[Any]) -> str:
    """Return columns side by side as the body rows of a Markdown table."""
    rows = zip(*columns, strict=True)
    lines = (" | ".join(v if isinstance(v, str) else base.plain(v) for v in row) for row in rows)
    return "\n".join(f"| {line} |" for line in lines)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "floor": lambda v: Fraction(math.floor(v)),
    "ceil": lambda v: Fraction(math.ceil(v)),
    "den": lambda v: Fraction(Fraction(v).denominator),
    "clean": _clean,
    "cap": lambda text: text[:1].upper() + text[1:],
    "undo": lambda v: base.undo(v)[0],
    "undo_wrong": lambda v: base.undo(v)[1],
    "pi": base.pi_val,
    "root": lambda k, m: base.root_val(k, int(m)),
    "sum": lambda values: sum(values, Fraction(0)),
    "len": lambda values: Fraction(len(values)),
    "sorted": sorted,
    "mean": statistics.mean,
    "median": statistics.median,
    "repeat": lambda vs, ns: [v for v, n in zip(vs, ns, strict=True) for _ in range(int(n))],
    "rows": _rows,
}
BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}  # fmt: skip
COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip


class Scope:
    """The names one draw of an item can use: values, texts, helpers and variables."""

    def __init__(self, ctx: Ctx, variables: list[str]) -> None:
        self.ctx = ctx
        self.values: dict[str, Any] = {"level": Fraction(ctx.level)}
        self.texts: dict[str, Any] = {}
        self.fns: dict[str, str] = {}
        self.variables = variables

    def lookup(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name in self.texts:
            return self.render(self.text(name), "prose")
        if name in self.variables:
            return Lin({name: Fraction(1)})
        raise KeyError(f"unknown name {name!r}")

    def text(self, name: str) -> str:
        chosen = self.texts[name]
        return self.ctx.scene(chosen) if isinstance(chosen, list) else str(chosen)

    def ev(self, source: Any, **extra: Any) -> Any:
        """Return the value of an expression (numbers in data are already values)."""
        if not isinstance(source, str):
            return _number(source)
        saved = self.values
        if extra:
            self.values = saved | extra
        try:
            return self._node(ast.parse(source.strip(), mode="eval").body)
        except ZeroDivisionError as error:
            raise Retry from error
        finally:
            self.values = saved

    def _node(self, node: ast.AST) -> Any:
        match node:
            case ast.Constant(value=value):
                return _number(value) if not isinstance(value, str) else value
            case ast.Name(id=name):
                return self.lookup(name)
            case ast.BinOp(op=ast.Pow(), left=left, right=right):
                exponent = self._node(right)
                if abs(exponent) > 64:
                    raise ValueError("exponent too large")
                return self._node(left) ** exponent
            case ast.BinOp(op=op, left=left, right=right) if type(op) in BINARY:
                return BINARY[type(op)](self._node(left), self._node(right))
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -self._node(operand)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self._node(operand)
            case ast.BoolOp(op=op, values=values):
                results = (self._node(v) for v in values)
                return all(results) if isinstance(op, ast.And) else any(results)
            case ast.Compare(left=left, ops=ops, comparators=rest):
                values = [self._node(left), *(self._node(v) for v in rest)]
                pairs = zip(ops, values, values[1:], strict=False)
                return all(COMPARE[type(op)](a, b) for op, a, b in pairs)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self._node(body) if self._node(test) else self._node(orelse)
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return [self._node(e) for e in elts]
            case ast.Subscript(value=value, slice=index):
                return self._node(value)[int(self._node(index))]
            case ast.Call(func=ast.Name(id=name), args=args) if name in self.fns:
                return self.ev(self.fns[name], w=self._node(args[0]))
            case ast.Call(func=ast.Name(id=name), args=args) if name in FUNCTIONS:
                return FUNCTIONS[name](*(self._node(a) for a in args))
        raise ValueError(f"unsupported expression: {ast.dump(node)}")

    def draw(self, spec: Any) -> Any:
        """Draw one parameter: a range, a choice, a filtered pool, or an exact value."""
        rng = self.ctx.rng
        if isinstance(spec, dict) and "list" in spec:  # a computed list, kept whole
            return self.ev(spec["list"])
        if isinstance(spec, dict):
            pool = self.pool(spec["in"], spec.get("step", 1))
            banned = [self.ev(v) for v in spec.get("not", [])]
            pool = [v for v in pool if v not in banned and self.ev(spec.get("if", True), w=v)]
            if not pool or len(pool) < (size := int(self.ev(spec.get("sample", 0)))):
                raise Retry
            if "count" in spec:
                return [rng.choice(pool) for _ in range(int(self.ev(spec["count"])))]
            return rng.sample(pool, size) if size else rng.choice(pool)
        if isinstance(spec, list):
            return _number(rng.choice(spec))
        if isinstance(spec, str) and RANGE.match(spec):
            return rng.choice(self.pool(spec))
        value = self.ev(spec)
        return _number(rng.choice(value)) if isinstance(value, list) else value

    def pool(self, spec: Any, step: Any = 1) -> list[Any]:
        if isinstance(spec, list):
            return [_number(v) for v in spec]
        match = RANGE.match(spec)
        if match is None:
            raise ValueError(f"not a range: {spec!r}")
        low, high = (self.ev(bound) for bound in match.groups())
        return [Fraction(v) for v in range(int(low), int(high) + 1, int(self.ev(step)))]

    def render(self, template: str, mode: str) -> str:
        """Fill a text's placeholders; mode is "prose", "math" (inside \\( \\)) or "calc"."""
        out: list[str] = []
        groups = 0  # open LaTeX brace groups
        after_group = False  # the last character closed a LaTeX brace group
        i = 0
        while i < len(template):
            char, closed = template[i], False
            if mode != "calc" and template.startswith(("\\(", "\\)"), i):
                mode = "math" if template[i + 1] == "(" else "prose"
                char = template[i : i + 2]
                i += 1
            elif char == "{" and (after_group or LATEX_GROUP.search(template[max(0, i - 12) : i])):
                groups += 1
            elif char == "{":
                end = template.index("}", i)
                source, _, fmt = template[i + 1 : end].partition(":")
                char = self.placeholder(source.strip(), fmt.strip(), mode)
                i = end
            elif char == "}" and groups:
                groups, closed = groups - 1, True
            out.append(char)
            after_group = closed
            i += 1
        return "".join(out)

    def placeholder(self, source: str, fmt: str, mode: str) -> str:
        if source in self.texts and source not in self.values:
            return self.render(self.text(source), mode)
        value = self.ev(source)
        if fmt in self.texts:  # a context's choice of format, e.g. show: money
            fmt = self.text(fmt)
        if isinstance(value, str):
            return self.render(value, mode)
        if isinstance(value, list):
            show = {"calc": base.calc, "math": lambda v: base.num_tex(v, "dec")}
            items = [show.get(mode, base.plain)(v) for v in value]
            return " + ".join(items) if fmt == "plus" else _series(items)
        if isinstance(value, Lin):
            if mode == "calc":
                return value.calc()
            tex = value.tex(fmt or "frac")
            return tex if mode == "math" else base.m(tex)
        if isinstance(value, base.Val):
            text = value.calc() if mode == "calc" else value.tex()
            return base.m(text) if mode == "prose" else text
        value = Fraction(value)
        if mode == "calc":
            return base.calc(value)
        if fmt == "signed":
            return base.signed(value)
        if fmt == "paren":
            return f"({base.num_tex(value)})" if value < 0 else base.num_tex(value)
        if fmt == "money":
            return base.money(value)
        if fmt in ("", "dec", "frac"):
            return base.num_tex(value, fmt or "frac") if mode == "math" else base.plain(value)
        noun = fmt if value == 1 else PLURALS.get(fmt, fmt + "s")
        return f"{base.plain(value)} {noun}"


class DataItem:
    """One item of a data file, callable as a Template's build."""

    def __init__(self, ident: str, spec: dict[str, Any]) -> None:
        unknown = set(spec) - KEYS
        if unknown:
            raise ValueError(f"{ident}: unknown keys {sorted(unknown)}")
        self.ident, self.spec = ident, spec

    def __repr__(self) -> str:
        return f"DataItem({self.ident!r})"

    def __call__(self, ctx: Ctx) -> Item:
        spec = self.spec
        parts: list[dict[str, Any]] = [spec]
        for group in spec.get("choose", []):
            fits = [alt for alt in group if ctx.level in alt.get("levels", (0, 1, 2))]
            fits = [alt for alt in fits if ctx.kind in alt.get("kinds", [ctx.kind])]
            parts.append(ctx.rng.choice(fits or group))
        scope = Scope(ctx, spec.get("vars", ["x", "y"]))
        for part in parts:
            if "contexts" in part:
                self._setting(scope, ctx.context(part["contexts"]))
            if "person" in part:
                name = ctx.pick(NAMES)
                they, them, their = PRONOUNS[name]
                scope.values |= {part["person"]: name, "they": they, "them": them}
                scope.values |= {"their": their, "They": they.capitalize()}
            for name, param in (part.get("params") or {}).items():
                scope.values[name] = scope.draw(param)
            scope.texts |= part.get("text", {})
            scope.fns |= part.get("fn", {})
        merged: dict[str, Any] = {}
        for part in parts:
            merged |= {k: v for k, v in part.items() if k not in ("where", "wrong")}
        if not all(scope.ev(cond) for part in parts for cond in part.get("where", [])):
            raise Retry
        style = merged.get("style", "frac")

        def choice(value: Any) -> Any:
            if isinstance(value, base.Val):
                return value
            return (
                scope.render(value, "prose") if isinstance(value, str) else base.num(value, style)
            )

        wrong = []
        for part in parts:
            for source, why in part.get("wrong", []):
                value = scope.ev(source)
                if "keep" not in merged or scope.ev(merged["keep"], w=value):
                    wrong.append((choice(value), scope.render(why, "prose")))
        machine = merged.get("check")
        return Item(
            stem=scope.render(scope.text("stem"), "prose"),
            answer=choice(scope.ev(merged["answer"])),
            wrong=wrong,
            explanation=scope.render(scope.text("explanation"), "prose"),
            check=None
            if machine is None
            else base.check(
                scope.render(str(machine["expression"]), "calc"),
                [scope.render(e, "calc") for e in machine.get("equations", [])],
                machine.get("solve_for", ""),
            ),
            figure=scope.render(scope.text("figure"), "prose") if "figure" in scope.texts else "",
            max_denominator=int(merged.get("max_denominator", 0)),
        )

    @staticmethod
    def _setting(scope: Scope, setting: dict[str, Any]) -> None:
        """Take a context's texts as texts, its lists and ranges as draws, the rest as values."""
        for name, value in setting.items():
            if isinstance(value, list) or (isinstance(value, str) and RANGE.match(value)):
                scope.values[name] = scope.draw(value)
            elif isinstance(value, str):
                scope.texts[name] = value
            else:
                scope.values[name] = _number(value)


def load(name: str) -> dict[str, list[Template]]:
    """Return a data file's items as templates, grouped by skill in the file's order."""
    items = yaml.safe_load((DATA / f"{name}.yaml").read_text())
    templates: dict[str, list[Template]] = {}
    for ident, spec in items.items():
        levels, spr = tuple(spec.get("levels", (0, 1, 2))), spec.get("spr", True)
        templates.setdefault(spec["skill"], []).append(
            Template(DataItem(ident, spec), levels=levels, spr=spr)
        )
    return templates
