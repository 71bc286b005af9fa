"""The job page's live parts: rendered, compared, and what a page shows, as a token.

The page and its socket render the same partials of generation/job.html from one context
(`generation.selectors.job_page_context`). A page carries a signed token of the digests of
the parts it shows; each socket (re)connect hands it back, so the socket sends only what
differs and leaves alone what the tutor may be using (an open answer, typed text, a picked
set). Every message carries the token of what the page shows after it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core import signing
from django.template.loader import render_to_string

# The page's live parts, each a partial of generation/job.html with its own id. The
# questions list is sent whole only when its questions change; otherwise each card is
# sent alone, and only when it changed.
FRAGMENTS = (
    "banner",
    "title",
    "status",
    "actions",
    "timeline",
    "source",
    "classification",
    "examples",
    "totals",
)
SALT = "generation.job-page"
# A CSRF token is masked afresh on every render: it must not make a part look changed.
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def render_fragments(context: dict[str, Any]) -> dict[str, str]:
    """Render every live part of the job page, each an element swapped out-of-band by its id.

    Keys: the FRAGMENTS by name; "list" (the whole questions section) with "list-ids"
    (which questions it holds); "card-<pk>" for each question card on its own.
    """
    parts: dict[str, str] = {
        name: render_to_string(f"generation/job.html#{name}", context) for name in FRAGMENTS
    }
    parts["list"] = render_to_string("generation/job.html#questions", context)
    parts["list-ids"] = ",".join(str(q.pk) for q in context["questions"])
    for question in context["questions"]:
        parts[f"card-{question.pk}"] = render_to_string(
            "generation/job.html#question", {**context, "question": question, "oob": True}
        )
    return parts


def digest(html: str) -> str:
    return hashlib.sha256(CSRF_VALUE.sub(r"\1", html).encode()).hexdigest()[:16]


def digests(parts: dict[str, str]) -> dict[str, str]:
    """Return what a page shows once it shows these parts (list-ids kept as they are)."""
    shown = {key: digest(html) for key, html in parts.items() if key != "list"}
    return shown | {"list-ids": parts["list-ids"]}


def changed_html(shown: dict[str, str], parts: dict[str, str]) -> str:
    """Return the HTML of the parts that differ from what the page shows, noting them."""
    out = []
    fresh = digests(parts)
    if shown.get("list-ids") != fresh["list-ids"]:
        # Other questions than the page shows (first connect, a revision): the whole list,
        # which carries every card.
        out.append(parts["list"])
        shown.update({k: v for k, v in fresh.items() if k.startswith("card-") or k == "list-ids"})
    for key, mark in fresh.items():
        if key != "list-ids" and shown.get(key) != mark:
            out.append(parts[key])
            shown[key] = mark
    return "".join(out)


def seen_token(job_id: int, shown: dict[str, str]) -> str:
    return signing.dumps({"job": job_id, "shown": shown}, salt=SALT, compress=True)


def seen_from_token(job_id: int, token: str) -> dict[str, str]:
    """Return what the page with this token shows; nothing for a bad or another job's token."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return {}
    if not isinstance(value, dict) or value.get("job") != job_id:
        return {}
    shown = value.get("shown")
    return shown if isinstance(shown, dict) else {}


def seen_element(token: str) -> str:
    """The element that carries the token in the page, swapped with every message."""
    return f'<div id="job-seen" hidden data-seen="{token}" hx-swap-oob="true"></div>'
