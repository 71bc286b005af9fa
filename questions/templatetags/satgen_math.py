"""Template filters for question text: ``{% load satgen_math %}``.

``{{ question.stem|math }}`` renders untrusted text with LaTeX math as safe HTML + MathML
(see ``questions.rendering``); ``{{ forloop.counter0|choice_letter }}`` turns a choice index
0..3 into its letter A..D.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from questions.rendering import render_text

register = template.Library()

CHOICE_LETTERS = "ABCD"


@register.filter(name="math")
def math(value: Any) -> SafeString:
    """Escape the text and typeset its math; an empty or missing field renders as nothing."""
    if value is None:
        return mark_safe("")
    # render_text uses escape(), which escapes even SafeString input: model text stays text.
    return render_text(str(value))


@register.filter(name="choice_letter")
def choice_letter(value: Any) -> str:
    """Map a choice index (0..3, int or numeric string) to A..D; anything else gives ''."""
    try:
        index = int(value)
    except (TypeError, ValueError):
        return ""
    return CHOICE_LETTERS[index] if 0 <= index < len(CHOICE_LETTERS) else ""
