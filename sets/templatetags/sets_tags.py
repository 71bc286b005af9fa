"""The "Save to set" form, owned by sets and placed by any page that shows a question.

    {% load sets_tags %}
    {% save_to_set owner "generated_id" question.pk next_url "question" question.position %}

The bank and the job pages place it without knowing about sets; the owner's sets are read
once per page render, however many questions it shows.
"""

from __future__ import annotations

from typing import Any

from django import template

from sets.selectors import sets_for

register = template.Library()


@register.inclusion_tag("sets/_save_form.html", takes_context=True)
def save_to_set(
    context: template.Context,
    owner: Any,
    field: str,
    value: int,
    next_url: str,
    what: str,
    number: int,
) -> dict[str, Any]:
    """Render the form for one question: field is generated_id or bank_id, value its pk."""
    cache = context.render_context.get("sets_of_owner")
    if cache is None:
        cache = context.render_context["sets_of_owner"] = {}
    if owner.pk not in cache:
        cache[owner.pk] = list(sets_for(owner))
    return {
        "question_sets": cache[owner.pk],
        "field": field,
        "value": value,
        "next": next_url,
        "what": what,
        "number": number,
        "csrf_token": context.get("csrf_token"),
    }
