"""Question text with its LaTeX math written out as plain text, for CSV and other text files.

``plain_text(r"If \\(\\frac{3}{4}x^{2} \\le 12\\), ...")`` gives ``"If 3/4x^2 ≤ 12, ..."``:
fractions as a/b (parenthesised where a part is not a single term), powers with ``^``,
roots with √, the usual symbols as their Unicode characters, and the delimiters dropped.
JSON exports keep the LaTeX; this is for the places where nothing renders it.
"""

from __future__ import annotations

import re

# Math in question text: \( inline \) or \[ display \]; non-greedy so consecutive segments
# stay separate, DOTALL because a display segment may span lines.
MATH_SEGMENT = re.compile(r"\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\]", re.DOTALL)

SYMBOLS = {
    "pi": "π", "theta": "θ", "alpha": "α", "beta": "β", "mu": "μ", "sigma": "σ",
    "Delta": "Δ", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠",
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "circ": "°", "degree": "°",
    "infty": "∞", "approx": "≈", "angle": "∠", "triangle": "△", "parallel": "∥",
    "perp": "⊥", "sim": "∼", "cong": "≅", "rightarrow": "→", "to": "→", "%": "%",
    "$": "$", "{": "{", "}": "}", "_": "_", "&": "&", "#": "#", ",": " ", ";": " ",
    ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " ", "left": "", "right": "",
    "displaystyle": "", "ldots": "…", "dots": "…", "cdots": "⋯", "\\": " ",
}  # fmt: skip
TEXT_COMMANDS = {"text", "mathrm", "textbf", "mathbf", "mathit", "textit", "operatorname"}
FRACTIONS = {"frac", "dfrac", "tfrac"}
PREFIXES = {"angle", "triangle", "overline"}
COMMAND = re.compile(r"\\([A-Za-z]+|.)")
SIMPLE = re.compile(r"[\w.π√]+")  # a part that needs no parentheses around it
# What follows a fraction that multiplies it: (3/4)x, not 3/4x.
MULTIPLIED = re.compile(r"\s*(?:[\w(]|\\(?:pi|theta|sqrt|[dt]?frac|left|alpha|beta)\b)")


def plain_text(text: str) -> str:
    """Return text with every math segment written as plain text."""
    return MATH_SEGMENT.sub(
        lambda math: _plain(math.group("inline") or math.group("display")), text
    )


def _group(latex: str, start: int) -> tuple[str, int]:
    """Return the brace group (or single character) at start, and the index after it."""
    while start < len(latex) and latex[start] == " ":
        start += 1
    if start >= len(latex):
        return "", start
    if latex[start] != "{":
        if latex[start] == "\\":
            match = COMMAND.match(latex, start)
            assert match is not None
            return match.group(0), match.end()
        return latex[start], start + 1
    depth = 0
    for end in range(start, len(latex)):
        depth += {"{": 1, "}": -1}.get(latex[end], 0)
        if depth == 0:
            return latex[start + 1 : end], end + 1
    return latex[start + 1 :], len(latex)


def _wrapped(part: str) -> str:
    return part if SIMPLE.fullmatch(part) else f"({part})"


def _plain(latex: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            match = COMMAND.match(latex, i)
            assert match is not None
            name, i = match.group(1), match.end()
            if name in FRACTIONS:
                top, i = _group(latex, i)
                bottom, i = _group(latex, i)
                fraction = f"{_wrapped(_plain(top))}/{_wrapped(_plain(bottom))}"
                out.append(f"({fraction})" if MULTIPLIED.match(latex, i) else fraction)
            elif name == "sqrt":
                index = ""
                if latex.startswith("[", i):
                    end = latex.index("]", i)
                    index, i = latex[i + 1 : end], end + 1
                body, i = _group(latex, i)
                root = _wrapped(_plain(body))
                out.append(f"{root}^(1/{index})" if index else f"√{root}")
            elif name in TEXT_COMMANDS or name == "overline":
                body, i = _group(latex, i)
                out.append(body if name in TEXT_COMMANDS else _plain(body))
            else:
                out.append(SYMBOLS.get(name, name))
                if name in PREFIXES:
                    i = len(latex) - len(latex[i:].lstrip(" "))  # ∠A, not ∠ A
        elif char in "^_":
            body, i = _group(latex, i + 1)
            power = _plain(body)
            out.append("°" if power == "°" else char + _wrapped(power))
        elif char in "{}":
            i += 1
        else:
            out.append(char)
            i += 1
    return " ".join("".join(out).split()) if "\n" not in latex else "".join(out)
