"""The "Save to set" form, owned by sets and placed by any page that shows a question.

    {% load sets_tags %}
    {% save_to_set owner "generated_id" question.pk next_url "question" question.position %}

The bank and the job pages place it without knowing about sets; the owner's sets are read
once, however many questions a page shows. Django copies the page's CSRF token in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import template

from sets.models import SetItem
from sets.selectors import sets_for

register = template.Library()
T = TypeVar("T")


@register.inclusion_tag("sets/_save_form.html")
def save_to_set(
    owner: Any, field: str, value: int, next_url: str, what: str, number: int
) -> dict[str, Any]:
    """Render the form for one question: field is generated_id or bank_id, value its pk."""
    return {
        "question_sets": _sets_of(owner),
        "field": field,
        "value": value,
        "next": next_url,
        "what": what,
        "number": number,
    }


@register.simple_tag
def saved_in_a_set(owner: Any, generated_id: int) -> bool:
    """Whether the owner has saved this generated question to one of their sets.

    ``{% saved_in_a_set job.owner question.pk as saved %}``: read once per owner object.
    """
    saved = _once(owner, "_saved_generated_ids", lambda: set(
        SetItem.objects.filter(set__owner=owner, generated__isnull=False).values_list(
            "generated_id", flat=True
        )
    ))  # fmt: skip
    return generated_id in saved


def _sets_of(owner: Any) -> list[Any]:
    return _once(owner, "_sets_for_save_form", lambda: list(sets_for(owner)))


def _once(owner: Any, name: str, read: Callable[[], T]) -> T:
    """Read something about the owner once per owner object, kept on it under name.

    A page, and each of the fragments the job socket renders from one context, holds many
    forms for the same owner object; one query serves them all.
    """
    if not hasattr(owner, name):
        setattr(owner, name, read())
    return getattr(owner, name)
