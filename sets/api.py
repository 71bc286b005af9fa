"""The sets part of the API: a django-ninja Router that satgen/api.py mounts.

The API's token auth puts the User in ``request.auth``; this router adds no auth of its own
but refuses a request that arrives without a user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from sets.exports import (
    CSV_CONTENT_TYPE,
    JSONL_CONTENT_TYPE,
    content_disposition,
    set_export_csv,
    set_export_jsonl,
)
from sets.selectors import set_for_user, sets_for

router = Router(tags=["sets"])


class SetOut(Schema):
    id: int
    name: str
    item_count: int
    updated_at: datetime


def _user(request: HttpRequest):
    user = getattr(request, "auth", None)
    if not isinstance(user, get_user_model()) or not user.is_active:
        raise HttpError(401, "Authentication required.")
    return user


@router.get("/", response=list[SetOut], summary="List your question sets")
def list_sets(request: HttpRequest) -> list[SetOut]:
    """Return your sets, most recently changed first."""
    return [
        SetOut(
            id=s.pk,
            name=s.name,
            item_count=s.item_count,  # type: ignore[attr-defined]  # annotated by sets_for
            updated_at=s.updated_at,
        )
        for s in sets_for(_user(request))
    ]


@router.get("/{set_id}/export", summary="Download a question set")
def export_set(
    request: HttpRequest, set_id: int, format: Literal["json", "csv"] = "json"
) -> HttpResponse:
    """Return the set as JSON Lines in the bank import format (json) or as CSV (csv)."""
    question_set = set_for_user(_user(request), set_id)
    if format == "csv":
        body, content_type, extension = set_export_csv(question_set), CSV_CONTENT_TYPE, "csv"
    else:
        body, content_type = set_export_jsonl(question_set), JSONL_CONTENT_TYPE
        extension = "jsonl"
    return HttpResponse(
        body,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition(question_set, extension)},
    )
