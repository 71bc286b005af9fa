"""Server-side math rendering: real MathML out, nothing executable in, never an exception."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from questions.rendering import MATHML_ATTRIBUTES, MATHML_TAGS, render_math, render_text
from questions.templatetags.satgen_math import choice_letter

TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_TAGS = {"p", "br", "code", "span"} | TABLE_TAGS | MATHML_TAGS
ALLOWED_ATTRIBUTES = set().union(*MATHML_ATTRIBUTES.values()) | {"class", "scope"}
TAG = re.compile(r"<[^>]*>")


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)

    handle_startendtag = handle_starttag


def parse(html: str) -> _TagCollector:
    collector = _TagCollector()
    collector.feed(html)
    collector.close()
    return collector


def assert_inert(html: str) -> None:
    """Only allowlisted tags and attributes, and nothing that could run or load anything."""
    parsed = parse(html)
    assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS
    for tag, name, value in parsed.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name in ALLOWED_ATTRIBUTES, (tag, name)
        our_classes = {("code", "math-error"), ("table", "data-table")}
        assert name != "class" or (tag, value) in our_classes, (tag, name, value)
        assert name != "scope" or value in ("col", "row"), (tag, name, value)
        assert "javascript:" not in (value or "").lower(), (tag, name, value)
    lowered = html.lower()
    for needle in ("<script", "<img", "<iframe", "<svg", "<style", "<a ", "<!--"):
        assert needle not in lowered, needle
    # Words like "onerror" may survive as visible, escaped text; they must never be markup.
    for markup in TAG.findall(lowered):
        for needle in ("onerror", "onload", "onclick", "javascript:", "href", "src=", "style="):
            assert needle not in markup.replace("displaystyle=", ""), (needle, markup)


def test_an_inline_fraction_renders_as_mathml():
    html = render_text(r"What is \(\frac{1}{2}\) of 10?")
    assert isinstance(html, SafeString)
    assert html.startswith('What is <math xmlns="http://www.w3.org/1998/Math/MathML" ')
    assert 'display="inline"' in html
    assert "<mfrac><mrow><mn>1</mn></mrow><mrow><mn>2</mn></mrow></mfrac>" in html
    assert html.endswith("</math> of 10?")
    assert_inert(html)


def test_exponents_subscripts_and_display_math():
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in render_text(r"\(x^2\)")
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in render_text(r"\(a_1\)")
    display = render_text(r"Solve: \[2x + 3 = 7\] for x.")
    assert 'display="block"' in display
    assert display.startswith("Solve: <math") and display.endswith("</math> for x.")


@pytest.mark.parametrize(
    ("latex", "fragment"),
    [
        (r"\sqrt{2}", "<msqrt>"),
        (r"\sqrt[3]{x}", "<mroot><mrow><mi>x</mi></mrow><mn>3</mn></mroot>"),
        (r"\text{cm}", "<mtext>cm</mtext>"),
        (r"\pi r^2", "<mi>\u03c0</mi>"),
        (r"x \le 3", "<mo>\u2264</mo>"),
        (r"a \cdot b", "<mo>\u00b7</mo>"),
        (r"30^\circ", "<msup><mn>30</mn><mo>\u2218</mo></msup>"),
        (r"\overline{AB}", '<mover><mrow><mi>A</mi><mi>B</mi></mrow><mo accent="true">'),
        (r"\left(\frac{a}{b}\right)", '<mo stretchy="true" fence="true" form="prefix">(</mo>'),
        (r"50\%", "<mn>50</mn><mi>%</mi>"),
        (r"\$45", "<mi>$</mi><mn>45</mn>"),
        (r"\dfrac{3}{4}", '<mstyle displaystyle="true" scriptlevel="0"><mfrac>'),
        (r"\binom{n}{k}", '<mfrac linethickness="0">'),
        (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", "<mtable><mtr><mtd><mn>1</mn></mtd>"),
        (r"\begin{cases}x&1\\y&2\end{cases}", '<mtd columnalign="left">'),
        (r"\begin{array}{c|c}1&2\\\hline 3&4\end{array}", 'columnlines="solid" rowlines="solid"'),
        (r"a\,b\quad c", '<mspace width="0.167em"></mspace>'),
        (r"\boxed{x}", '<menclose notation="box">'),
        (r"\mathbf{v} \textbf{w}", '<mtext mathvariant="bold">w</mtext>'),
        (r"\rule{2cm}{0.4pt}", '<mspace mathbackground="black" width="2cm" height="0.4pt">'),
        (r"\xrightarrow{a}", '<mpadded width="+0.833em" lspace="0.556em" voffset="-.2em"'),
    ],
)
def test_what_latex2mathml_emits_survives_sanitising(latex, fragment):
    html = render_text(rf"\({latex}\)")
    assert fragment in html
    assert "math-error" not in html
    assert_inert(html)


def test_plain_text_is_escaped_and_newlines_become_breaks():
    html = render_text("Line <script>alert(1)</script> & more\nsecond line\r\n\r\nnew paragraph")
    assert html == (
        "Line &lt;script&gt;alert(1)&lt;/script&gt; &amp; more<br>second line<br><br>new paragraph"
    )
    assert_inert(html)


def test_dollar_signs_in_plain_text_stay_literal():
    html = render_text("A ticket costs $45, and a pass costs $120.")
    assert html == "A ticket costs $45, and a pass costs $120."
    assert "<math" not in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><img src=x onerror=alert(1)>',
        r"\(x\)</math><script>alert(1)</script>",
        r"\(x</math><script>alert(1)</script>\)",
        r"\(\text{<img src=x onerror=alert(1)>}\)",
        r"\(\text{</mtext></math><img src=x onerror=alert(1)>}\)",
        r"\(\mathrm{<script>alert(1)</script>}\)",
        r"\(\text{&lt;script&gt;alert(1)&lt;/script&gt;}\)",
        r"\(\text{&#60;img src=x onerror=alert(1)&#62;}\)",
        r"\(\href{javascript:alert(1)}{x}\)",
        r"\(\style{background:url(javascript:alert(1))}{x}\)",
        r"\(\class{x\" onclick=\"alert(1)}{y}\)",
        r"\(\color{red}{x} \textcolor{red}{y} \colorbox{red}{z}\)",
        r"\(\unicode{3c}script\unicode{3e}\)",
        r"\[<svg onload=alert(1)>\]",
        r"\(\text{<style>*{display:none}</style>}\)",
        r"\(\text{<!-- comment --> <a href=javascript:alert(1)>x</a>}\)",
        r"\(\newcommand{\x}{<script>}\x\)",
        r"\(\frac{<img src=x onerror=alert(1)>}{\)",
        "| <img src=x onerror=alert(1)> | b |\n|---|---|\n| \\(\\href{javascript:x}{y}\\) | c |",
        '| a" onclick="alert(1) | b |\n|---|---|\n| </td><script>x</script> | c |',
    ],
)
def test_injection_attempts_yield_nothing_executable(text):
    html = render_text(text)
    assert_inert(html)


def test_text_inside_text_command_stays_visible_as_text():
    html = render_text(r"\(\text{<b>bold</b> & co}\)")
    assert "<mtext>&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&amp;" in html
    assert "<b>" not in html


def test_links_styles_classes_and_colours_are_dropped_but_content_kept():
    html = render_text(r"\(\href{https://example.com}{x} \style{color:red}{y} \class{z}{w}\)")
    assert "<mi>x</mi>" in html and "<mi>y</mi>" in html and "<mi>w</mi>" in html
    assert "example.com" not in html and "color" not in html and "class" not in html
    coloured = render_text(r"\(\color{white}{x}\)")
    assert "mathcolor" not in coloured and "white" not in coloured


def test_oversized_lengths_lose_the_attribute():
    html = render_text(r"\(\hspace{5000em}\)")
    assert "<mspace></mspace>" in html
    assert "5000" not in html


def test_broken_latex_renders_its_escaped_source_as_an_error():
    html = render_text(r"Compute \(<b> \frac{1}{\) now.")
    assert html == r'Compute <code class="math-error">\(&lt;b&gt; \frac{1}{\)</code> now.'
    assert_inert(html)
    for broken in (r"\(\left(\)", r"\(\begin{pmatrix}\)", r"\(" + "{" * 1500 + r"\)"):
        assert '<code class="math-error">' in render_text(broken)


def test_macro_definitions_and_huge_segments_are_refused():
    assert "math-error" in render_text(r"\(\newcommand{\a}{x}\a\)")
    assert "math-error" in render_text(r"\(\def\a{x}\a\)")
    assert "math-error" in render_text(r"\(" + "x+" * 1500 + r"x\)")


def test_unclosed_delimiters_stay_plain_text():
    assert render_text(r"An open \(x + 1 and no close") == r"An open \(x + 1 and no close"


def test_empty_input_and_render_math():
    assert render_text("") == ""
    assert render_math("x^2", display=True).startswith('<math xmlns="http://www.w3.org/1998/Math')
    assert 'display="block"' in render_math("x^2", display=True)
    assert render_math(r"\frac{1}{") == r'<code class="math-error">\(\frac{1}{\)</code>'


def test_the_math_filter_works_in_a_django_template():
    template = Template("{% load satgen_math %}<p>{{ stem|math }}</p><p>{{ missing|math }}</p>")
    rendered = template.render(
        Context({"stem": "If \\(x^2 = 9\\) and <i>x</i> > 0\nthen", "missing": None})
    )
    assert rendered.startswith("<p>If <math")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in rendered
    assert "&lt;i&gt;x&lt;/i&gt; &gt; 0<br>then</p><p></p>" in rendered
    assert_inert(rendered)


def test_the_math_filter_escapes_text_marked_safe():
    rendered = Template("{% load satgen_math %}{{ stem|math }}").render(
        Context({"stem": SafeString("<script>alert(1)</script>")})
    )
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_choice_letter_filter():
    assert [choice_letter(i) for i in range(4)] == ["A", "B", "C", "D"]
    assert choice_letter("2") == "C"
    assert choice_letter(4) == "" and choice_letter(-1) == "" and choice_letter(None) == ""
    rendered = Template(
        "{% load satgen_math %}"
        "{% for c in choices %}{{ forloop.counter0|choice_letter }}{% endfor %}"
    ).render(Context({"choices": ["a", "b", "c", "d"]}))
    assert rendered == "ABCD"


def test_the_inertness_check_itself_catches_live_markup():
    for live in ('<img src="x" onerror="alert(1)">', "<math><mi onclick=1>x</mi></math>"):
        with pytest.raises(AssertionError):
            assert_inert(live)


# --- Markdown tables --------------------------------------------------------------------------

TABLE = """Results of a survey:

| Group | Yes | No |
|---|:---:|---|
| Adults | 30 | \\(|x - 2|\\) |
| Teens <script>alert(1)</script> | 12 | 8 |

Which group said yes more often?"""


def test_a_markdown_table_becomes_an_accessible_html_table():
    html = str(render_text(TABLE))
    assert html.startswith('Results of a survey:<table class="data-table">')
    assert '<th scope="col">Group</th><th scope="col">Yes</th>' in html
    assert '<th scope="row">Adults</th><td>30</td><td><math' in html  # a | inside math stays
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html.endswith("</table>Which group said yes more often?")
    assert "|" not in html.replace('<mo stretchy="false">|</mo>', "")


def test_an_empty_corner_is_a_plain_cell():
    html = str(render_text("| | Yes | No |\n|---|---|---|\n| Adults | 3 | 1 |"))
    assert html.startswith('<table class="data-table"><thead><tr><td></td><th scope="col">Yes')
    assert '<th scope="row">Adults</th>' in html


def test_a_numeric_first_column_is_data_and_pipes_without_a_rule_are_text():
    html = str(render_text("| x | y |\n|---|---|\n| 1 | 3 |\n| 2 | 5 |"))
    assert "<td>1</td><td>3</td>" in html and 'scope="row"' not in html
    assert str(render_text("|x| is 3\n|y| is 4")) == "|x| is 3<br>|y| is 4"
