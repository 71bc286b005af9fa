from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from questions.selectors import bank_search
from questions.taxonomy import (
    DOMAINS_BY_SECTION,
    SKILLS_BY_DOMAIN,
    Difficulty,
    Domain,
    Section,
    Skill,
)

BANK_PAGE_SIZE = 20
SEARCH_MAX_CHARS = 200

_Level = TypeVar("_Level", Section, Domain)
Choice = Domain | Skill


def _member(enum: type[_Level], value: str | None, allowed: Iterable[_Level]) -> _Level | None:
    """Return the member named by value when it is among allowed, else None."""
    if value not in enum.values:
        return None
    member = enum(value)
    return member if member in allowed else None


def _grouped(parents: Sequence[_Level], children_of: Mapping[_Level, Sequence[Choice]]) -> list:
    """Return the children of one parent flat, or of several in one group per parent."""

    def options(children: Sequence[Choice]) -> list[tuple[str, str]]:
        return [(child.value, str(child.label)) for child in children]

    if len(parents) == 1:
        return options(children_of[parents[0]])
    return [(parent.label, options(children_of[parent])) for parent in parents]


class BankFilterForm(forms.Form):
    """The bank browser's filters: each level's options are narrowed by the level above.

    A value the narrowed options do not hold (a skill outside the chosen domain, say, left
    over from before the domain changed) is ignored, and its error says so.
    """

    q = forms.CharField(
        label="Search passages and questions",
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": SEARCH_MAX_CHARS,
                "aria-describedby": "q-help",
            }
        ),
    )
    section = forms.ChoiceField(
        label="Section",
        required=False,
        choices=[("", "Any section"), *Section.choices],
        error_messages={"invalid_choice": "Ignored an unknown section."},
    )
    domain = forms.ChoiceField(label="Domain", required=False)
    skill = forms.ChoiceField(label="Skill", required=False)
    difficulty = forms.ChoiceField(
        label="Difficulty",
        required=False,
        choices=[("", "Any difficulty"), *Difficulty.choices],
        error_messages={"invalid_choice": "Ignored an unknown difficulty."},
    )

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        section = _member(Section, data.get("section"), Section)
        domains = DOMAINS_BY_SECTION[section] if section else tuple(Domain)
        domain = _member(Domain, data.get("domain"), domains)
        self._narrow(
            "domain",
            [
                ("", "Any domain"),
                *_grouped([section] if section else list(Section), DOMAINS_BY_SECTION),
            ],
            f"Ignored the domain: it is not part of {section.label}."
            if section
            else "Ignored an unknown domain.",
        )
        broader = domain or section
        self._narrow(
            "skill",
            [("", "Any skill"), *_grouped([domain] if domain else domains, SKILLS_BY_DOMAIN)],
            f"Ignored the skill: it is not part of {broader.label}."
            if broader
            else "Ignored an unknown skill.",
        )

    def _narrow(self, name: str, choices: list, refusal: str) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.error_messages["invalid_choice"] = refusal

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:SEARCH_MAX_CHARS]

    def filters(self) -> dict[str, str]:
        """Return bank_search's arguments, leaving out every value that was ignored."""
        self.is_valid()
        data = self.cleaned_data
        taxonomy = {
            name: data.get(name, "") for name in ("section", "domain", "skill", "difficulty")
        }
        return {**taxonomy, "text": data.get("q", "")}


@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    """Browse and search the approved bank questions, and save them to sets."""
    form = BankFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(bank_search(**filters), BANK_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
    }
    return render(request, "questions/bank.html", context)
