"""LaTeX written out as plain text for CSV: what a tutor reads in a spreadsheet."""

from __future__ import annotations

import pytest

from questions.plaintext import plain_text


@pytest.mark.parametrize(
    ("latex", "plain"),
    [
        (r"If \(\frac{3}{4}x^{2} \le 12\), what is \(x\)?", "If (3/4)x^2 ≤ 12, what is x?"),
        (r"\(\frac{x+1}{2}\)", "(x+1)/2"),
        (r"\(-\dfrac{3}{2} + x\)", "-3/2 + x"),
        (r"\(2\sqrt{3}\pi\)", "2√3π"),
        (r"\(\sqrt[3]{x+1}\)", "(x+1)^(1/3)"),
        (r"\(f(x) = 3(2)^{x-1}\)", "f(x) = 3(2)^(x-1)"),
        (r"\(\left(\frac{1}{2}\right)\)", "(1/2)"),
        (r"It costs \(\$45\), or \(45\%\) off.", "It costs $45, or 45% off."),
        (
            r"\(\overline{AB} \parallel \overline{CD}\), \(m\angle A = 40^\circ\)",
            "AB ∥ CD, m∠A = 40°",
        ),
        (r"\(x_1 \ne x_{2}\)", "x_1 ≠ x_2"),
        (r"\(12 \text{ cm}^2\)", "12 cm^2"),
        ("No math at all: 3/4 of $20.", "No math at all: 3/4 of $20."),
    ],
)
def test_math_reads_as_plain_text(latex, plain):
    assert plain_text(latex) == plain
