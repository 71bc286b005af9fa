"""Template filters for the job page: ``{% load generation_tags %}``.

``{% with checks=question|tutor_checks:job.simulated %}`` gives the question's checks in
plain words (generation.checks); ``history|versions_at:question.position`` the versions a
revision or a corrected classification replaced.
"""

from __future__ import annotations

from django import template

from generation.checks import Check, tutor_checks
from generation.models import GeneratedQuestion

register = template.Library()


@register.filter(name="versions_at")
def versions_at(
    history: dict[int, list[GeneratedQuestion]], position: int
) -> list[GeneratedQuestion]:
    """The replaced versions of the question at this position, newest first."""
    return history.get(position, [])


@register.filter(name="tutor_checks")
def tutor_checks_filter(question: GeneratedQuestion, simulated: bool) -> list[Check]:
    return tutor_checks(question.validation, kind=question.kind, simulated=bool(simulated))
