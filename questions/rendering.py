"""Server-side rendering of question text with LaTeX math into safe HTML + MathML.

Question text comes from a language model and is never trusted.  It is plain text with math
between ``\\( ... \\)`` (inline) or, occasionally, ``\\[ ... \\]`` (display).  Browsers render
MathML Core natively, so pages, live-swapped HTMX fragments and printouts all get typeset math
without any client-side math library.

``render_text(text)`` returns a ``SafeString``:

* Plain parts are HTML-escaped with ``django.utils.html.escape``; each newline becomes ``<br>``
  (a blank line is therefore ``<br><br>``; no ``<p>`` wrapping, so the caller chooses the
  block element).  Dollar signs are ordinary text: ``$45`` stays ``$45``.
* Each math segment is converted with ``latex2mathml`` and the resulting MathML is sanitised by
  ``nh3`` against an allowlist of MathML elements and attributes, with every attribute value
  checked against a pattern.  Links (``\\href``), ``style``/``class`` (``\\style``, ``\\class``)
  and colours (``\\color``, ``\\colorbox``) from the model are dropped.
* A segment that cannot be converted (bad LaTeX, macro definitions, absurd length) is shown as
  its escaped source in ``<code class="math-error">``.  Rendering never raises.

Unclosed delimiters are left as plain (escaped) text.

* A Markdown pipe table (a ``| a | b |`` row, a ``|---|---|`` rule, then rows) becomes an HTML
  ``<table>`` with ``<th scope="col">`` headers, and ``<th scope="row">`` for a first column of
  labels; its cells are rendered like any other text, math included.  Callers put rendered
  text in block elements (``<div>``), since a table cannot sit inside a ``<p>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final, Literal
from xml.etree.ElementTree import Element, tostring

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from latex2mathml.converter import convert_to_element

from questions.plaintext import MATH_SEGMENT

__all__ = [
    "MATH_SEGMENT",
    "MATHML_ATTRIBUTES",
    "MATHML_TAGS",
    "render_math",
    "render_text",
]

MATHML_NAMESPACE: Final = "http://www.w3.org/1998/Math/MathML"


# A real SAT expression is a few dozen characters; the cap bounds conversion time and the
# nesting depth the converter and the sanitiser see.
MAX_SEGMENT_CHARS: Final = 2000

# latex2mathml expands user macros.  Expansion is depth-limited, but a question never needs
# its own macros, so refusing them removes an amplification vector outright.
_MACRO_DEFINITION = re.compile(
    r"\\(?:(?:re)?newcommand|def|newenvironment|DeclareMathOperator)(?![A-Za-z])"
)

MATHML_TAGS: Final[frozenset[str]] = frozenset(
    {
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "semantics",
        "annotation",
        "merror",
    }
)

# Per-element attributes: what latex2mathml 3.81 emits (checked over a broad sample) plus a
# few harmless MathML presentation attributes of the same kind.  Deliberately absent: href,
# style, class, id, on*, mathcolor and mathbackground except on mspace (see _VALUE_PATTERNS).
_TOKEN_ATTRIBUTES: Final = frozenset({"mathvariant"})
MATHML_ATTRIBUTES: Final[dict[str, frozenset[str]]] = {
    "math": frozenset({"xmlns", "display"}),
    "mi": _TOKEN_ATTRIBUTES,
    "mn": _TOKEN_ATTRIBUTES,
    "ms": _TOKEN_ATTRIBUTES,
    "mtext": _TOKEN_ATTRIBUTES,
    "mo": frozenset(
        {
            "accent",
            "fence",
            "form",
            "largeop",
            "lspace",
            "rspace",
            "maxsize",
            "minsize",
            "movablelimits",
            "separator",
            "stretchy",
            "symmetric",
        }
    ),
    "mfrac": frozenset({"linethickness"}),
    "mover": frozenset({"accent"}),
    "munder": frozenset({"accentunder"}),
    "munderover": frozenset({"accent", "accentunder"}),
    # mathbackground only for \rule (a filled bar, e.g. a fill-in blank), value pinned below.
    "mspace": frozenset({"width", "height", "depth", "linebreak", "mathbackground"}),
    "mpadded": frozenset({"width", "height", "depth", "lspace", "voffset"}),
    "mstyle": frozenset({"displaystyle", "scriptlevel", "mathsize"}),
    "mtable": frozenset(
        {"columnalign", "rowspacing", "columnspacing", "rowlines", "columnlines", "displaystyle"}
    ),
    "mtr": frozenset({"columnalign"}),
    "mtd": frozenset({"columnalign"}),
    "menclose": frozenset({"notation"}),
    "annotation": frozenset({"encoding"}),
}

# Values are checked too, so an attribute can only carry what its name promises.  Lengths
# are capped at two integer digits: "\hspace{5000em}" loses its width rather than blanking
# a printout.
_LENGTH = (
    r"(?:[+-]?(?:\d{1,2}(?:\.\d*)?|\.\d+)(?:em|ex|pt|px|mu|cm|mm|in|pc|%)?"
    r"|(?:negative)?(?:very){0,2}(?:thin|thick)mathspace|(?:negative)?mediummathspace)"
)
_BOOLEAN = r"(?:true|false)"
_ALIGN = r"(?:left|center|right)"
_LINE = r"(?:none|solid|dashed)"
_VALUE_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "xmlns": re.escape(MATHML_NAMESPACE),
        "display": r"inline|block",
        "mathvariant": r"[a-z]+(?:-[a-z]+)*",
        "form": r"prefix|infix|postfix",
        "accent": _BOOLEAN,
        "accentunder": _BOOLEAN,
        "displaystyle": _BOOLEAN,
        "fence": _BOOLEAN,
        "largeop": _BOOLEAN,
        "movablelimits": _BOOLEAN,
        "separator": _BOOLEAN,
        "stretchy": _BOOLEAN,
        "symmetric": _BOOLEAN,
        "width": _LENGTH,
        "height": _LENGTH,
        "depth": _LENGTH,
        "lspace": _LENGTH,
        "rspace": _LENGTH,
        "voffset": _LENGTH,
        "minsize": _LENGTH,
        "maxsize": _LENGTH,
        "mathsize": _LENGTH,
        "linethickness": _LENGTH + r"|thin|medium|thick",
        "scriptlevel": r"[+-]?\d",
        "linebreak": r"auto|newline|nobreak|goodbreak|badbreak",
        "columnalign": rf"{_ALIGN}(?: {_ALIGN})*",
        "rowspacing": rf"{_LENGTH}(?: {_LENGTH})*",
        "columnspacing": rf"{_LENGTH}(?: {_LENGTH})*",
        "rowlines": rf"{_LINE}(?: {_LINE})*",
        "columnlines": rf"{_LINE}(?: {_LINE})*",
        "notation": r"[a-z]+(?: [a-z]+)*",
        "encoding": r"[A-Za-z0-9/+.-]+",
        # \rule always emits black; any other colour would come from the model.
        "mathbackground": r"black",
    }.items()
}


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3 callback: keep an allowlisted attribute only if its value has the expected shape."""
    pattern = _VALUE_PATTERNS.get(attribute)
    if pattern is None or not pattern.fullmatch(value):
        return None
    return value


_MATH_CLEANER: Final = nh3.Cleaner(
    tags=set(MATHML_TAGS),
    # script/style are removed with their content; everything else unknown is unwrapped.
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in MATHML_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes=set(),
)
_clean_math: Callable[[str], str] = _MATH_CLEANER.clean


def _resolve_text(node: Element) -> None:
    """Turn latex2mathml's text into real characters so serialisation escapes it properly.

    latex2mathml stores symbols as entity strings ("&#x003C0;") and its own ``convert()``
    un-escapes the whole serialised tree to make them work, which also turns ``<`` typed
    inside ``\\text{...}`` into live markup.  Resolving the entities here and letting
    ElementTree escape every text node keeps model text as text.
    """
    for element in node.iter():
        if element.text:
            element.text = html.unescape(element.text)
        if element.tail:
            element.tail = html.unescape(element.tail)


def _error_html(source: str) -> str:
    return f'<code class="math-error">{escape(source)}</code>'


@lru_cache(maxsize=4096)
def _render_segment(latex: str, display: Literal["inline", "block"], source: str) -> str:
    """Convert one math segment to sanitised MathML, or to an error box on any failure."""
    if len(latex) > MAX_SEGMENT_CHARS or _MACRO_DEFINITION.search(latex):
        return _error_html(source)
    try:
        tree = convert_to_element(latex, xmlns=MATHML_NAMESPACE, display=display)
        _resolve_text(tree)
        cleaned = _clean_math(tostring(tree, encoding="unicode"))
    except Exception:  # latex2mathml raises many types (and RecursionError); never propagate.
        return _error_html(source)
    if not cleaned.startswith("<math"):
        # Sanitising removed the root itself: something unexpected, so show the source.
        return _error_html(source)
    return cleaned


def render_math(latex: str, *, display: bool = False) -> SafeString:
    """Render one LaTeX expression (without delimiters) as sanitised MathML."""
    delimiters = ("\\[", "\\]") if display else ("\\(", "\\)")
    source = f"{delimiters[0]}{latex}{delimiters[1]}"
    return mark_safe(_render_segment(latex, "block" if display else "inline", source))


def _render_plain(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>")


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")
_NUMBER_CELL = re.compile(r"^[\s$%+\-.,0-9\\()]*$")


def _cells(row: str) -> list[str]:
    """Split a table row on the pipes outside math (``\\(|x|\\)`` is one cell)."""
    row = row.strip().removeprefix("|").removesuffix("|")
    pieces, position = [], 0  # text and math in turn: every odd piece is a math segment
    for match in MATH_SEGMENT.finditer(row):
        pieces += [row[position : match.start()], match.group(0)]
        position = match.end()
    cells = [""]
    for i, piece in enumerate([*pieces, row[position:]]):
        first, *rest = [piece] if i % 2 else piece.split("|")
        cells[-1] += first
        cells += rest
    return [cell.strip() for cell in cells]


def _render_table(header: str, rows: list[str]) -> str:
    head, body = _cells(header), [_cells(row) for row in rows]
    labelled = not head[0] or all(row and not _NUMBER_CELL.match(row[0]) for row in body)
    parts = ['<table class="data-table"><thead><tr>']
    # An empty corner (a two-way table's) is a plain cell: a header must name something.
    parts += [f'<th scope="col">{_render_inline(c)}</th>' if c else "<td></td>" for c in head]
    parts.append("</tr></thead><tbody>")
    for row in body:
        parts.append("<tr>")
        for i, cell in enumerate(row):
            tag = "th" if i == 0 and labelled else "td"
            scope = ' scope="row"' if tag == "th" else ""
            parts.append(f"<{tag}{scope}>{_render_inline(cell)}</{tag}>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def render_text(text: str) -> SafeString:
    """Render untrusted question text with ``\\( \\)`` / ``\\[ \\]`` math as safe HTML."""
    if not text:
        return mark_safe("")
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts: list[str] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _TABLE_ROW.match(lines[i]) and _TABLE_RULE.match(lines[i + 1]):
            end = i + 2
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                end += 1
            parts.append(_render_inline("\n".join(plain).strip("\n")))
            parts.append(_render_table(lines[i], lines[i + 2 : end]))
            plain, i = [], end
            while i < len(lines) and not lines[i].strip():
                i += 1  # the table is a block: no line breaks after it
            continue
        plain.append(lines[i])
        i += 1
    parts.append(_render_inline("\n".join(plain)))
    # Every part is django-escaped text, nh3-sanitised MathML built from an escaped
    # serialisation, or table markup of our own around them, so the concatenation is safe.
    return mark_safe("".join(parts))


def _render_inline(text: str) -> str:
    """Render text without tables: escaped plain parts and typeset math segments."""
    parts: list[str] = []
    position = 0
    for match in MATH_SEGMENT.finditer(text):
        parts.append(_render_plain(text[position : match.start()]))
        inline = match.group("inline")
        if inline is not None:
            parts.append(_render_segment(inline, "inline", match.group(0)))
        else:
            parts.append(_render_segment(match.group("display"), "block", match.group(0)))
        position = match.end()
    parts.append(_render_plain(text[position:]))
    return "".join(parts)
