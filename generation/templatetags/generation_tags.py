"""Template filters for the job page: ``{% load generation_tags %}``.

``{% with checks=question|tutor_checks:job.simulated %}`` gives the question's checks in
plain words (generation.checks).
"""

from __future__ import annotations

from django import template

from generation.checks import Check, tutor_checks
from generation.models import GeneratedQuestion

register = template.Library()


@register.filter(name="tutor_checks")
def tutor_checks_filter(question: GeneratedQuestion, simulated: bool) -> list[Check]:
    return tutor_checks(question.validation, kind=question.kind, simulated=bool(simulated))
