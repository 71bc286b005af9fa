from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from generation.models import GeneratedQuestion
from questions.models import Question
from questions.textinput import text_validator
from sets.exports import (
    CSV_CONTENT_TYPE,
    JSONL_CONTENT_TYPE,
    content_disposition,
    set_export_csv,
    set_export_jsonl,
)
from sets.models import NAME_MAX_LENGTH, QuestionSet, SetItem
from sets.selectors import set_for_user, set_items, sets_for
from sets.services import (
    SetError,
    set_add_question,
    set_create,
    set_delete,
    set_move_item,
    set_remove_item,
    set_rename,
)


class SetNameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        help_text="Such as “Linear equations, week 3”.",
        validators=[text_validator],
    )


def _get_item_for_user(
    request: AuthenticatedHttpRequest, set_id: int, item_id: int
) -> tuple[QuestionSet, SetItem]:
    """Return the user's set and one of its items, or 404."""
    question_set = set_for_user(request.user, set_id)
    return question_set, get_object_or_404(SetItem, pk=item_id, set=question_set)


def _detail_url(question_set: QuestionSet, anchor: str = "") -> str:
    url = reverse("sets:detail", args=[question_set.pk])
    return f"{url}#{anchor}" if anchor else url


@require_http_methods(["GET", "POST"])
def set_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SetNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            question_set = set_create(owner=request.user, name=form.cleaned_data["name"])
        except SetError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"Created the set “{question_set.name}”.")
            return redirect(_detail_url(question_set))
    context = {"form": form, "sets": sets_for(request.user)}
    return render(request, "sets/list.html", context, status=400 if form.errors else 200)


@require_GET
def set_detail(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    question_set = set_for_user(request.user, set_id)
    context = {
        "question_set": question_set,
        "items": set_items(question_set),
        "rename_form": SetNameForm(initial={"name": question_set.name}),
    }
    return render(request, "sets/detail.html", context)


@require_POST
def set_rename_view(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    question_set = set_for_user(request.user, set_id)
    try:
        set_rename(question_set=question_set, name=request.POST.get("name", ""))
    except SetError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Renamed the set to “{question_set.name}”.")
    return redirect(_detail_url(question_set))


@require_http_methods(["GET", "POST"])
def set_delete_view(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    """Ask first (GET), then delete the set (POST); its questions stay where they came from."""
    question_set = set_for_user(request.user, set_id)
    if request.method == "GET":
        context = {"question_set": question_set, "count": question_set.items.count()}
        return render(request, "sets/delete.html", context)
    name = question_set.name
    set_delete(question_set=question_set)
    messages.success(request, f"Deleted the set “{name}”. Its questions are still in their jobs.")
    return redirect("sets:list")


@require_POST
def item_remove_view(request: AuthenticatedHttpRequest, set_id: int, item_id: int) -> HttpResponse:
    question_set, item = _get_item_for_user(request, set_id, item_id)
    try:
        set_remove_item(item=item)
    except SetError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Removed the question from the set.")
    return redirect(_detail_url(question_set, "items"))


@require_POST
def item_move_view(request: AuthenticatedHttpRequest, set_id: int, item_id: int) -> HttpResponse:
    question_set, item = _get_item_for_user(request, set_id, item_id)
    try:
        to_position = int(request.POST.get("to_position", ""))
    except ValueError:
        messages.error(request, "Say where to move the question, as a number.")
        return redirect(_detail_url(question_set, "items"))
    try:
        item = set_move_item(item=item, to_position=to_position)
    except SetError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(question_set, "items"))
    messages.success(request, f"Moved the question to number {item.position}.")
    return redirect(_detail_url(question_set, f"item-{item.pk}"))


@require_GET
def set_print(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    question_set = set_for_user(request.user, set_id)
    items = set_items(question_set)
    context = {
        "question_set": question_set,
        "items": items,
        "simulated_count": sum(item.simulated for item in items),
    }
    return render(request, "sets/print.html", context)


@require_GET
def set_export_json_view(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    question_set = set_for_user(request.user, set_id)
    return HttpResponse(
        set_export_jsonl(question_set),
        content_type=JSONL_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition(question_set, "jsonl")},
    )


@require_GET
def set_export_csv_view(request: AuthenticatedHttpRequest, set_id: int) -> HttpResponse:
    question_set = set_for_user(request.user, set_id)
    return HttpResponse(
        set_export_csv(question_set),
        content_type=CSV_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition(question_set, "csv")},
    )


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """Return the posted id, None when absent; a malformed id names nothing, so 404."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404(f"No such {name}.") from None


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
def set_add_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save one question to a set (an existing one, or a new one named on the spot)."""
    set_id = _posted_id(request, "set_id")
    generated_id = _posted_id(request, "generated_id")
    bank_id = _posted_id(request, "bank_id")
    question_set = set_for_user(request.user, set_id) if set_id is not None else None
    generated = (
        get_object_or_404(GeneratedQuestion, pk=generated_id, job__owner=request.user)
        if generated_id is not None
        else None
    )
    bank = get_object_or_404(Question, pk=bank_id) if bank_id is not None else None
    new_set_name = request.POST.get("new_set_name", "")
    if new_set_name.strip():
        question_set = None  # a name typed for a new set wins over the set picked

    error = ""
    created = False
    if question_set is None and not new_set_name.strip():
        error = "Choose a set, or give a new set a name."
    else:
        try:
            question_set, _item, created = set_add_question(
                owner=request.user,
                question_set=question_set,
                new_set_name=new_set_name,
                generated=generated,
                bank=bank,
            )
        except SetError as refusal:
            error = refusal.message

    if request.htmx:
        context = {"question_set": question_set, "created": created, "error": error}
        return render(request, "sets/_added.html", context)
    if question_set is None:
        messages.error(request, error)
        return redirect(_safe_next(request) or reverse("sets:list"))
    if error:
        messages.error(request, error)
    elif created:
        messages.success(request, f"Saved to {question_set.name}.")
    else:
        messages.info(request, f"Already in {question_set.name}.")
    return redirect(_safe_next(request) or _detail_url(question_set))
