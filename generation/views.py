from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from generation.forms import JobForm
from generation.fragments import digests, render_fragments, seen_token
from generation.limits import LimitReached
from generation.models import GeneratedQuestion, SourceImage
from generation.selectors import job_for_user, job_page_context
from generation.services import (
    JobOptions,
    RevisionRefused,
    SubmissionError,
    job_cancel,
    job_reclassify,
    job_retry,
    job_submit,
    question_revise,
)

REGENERATE_INSTRUCTION = "Write a different question of the same kind."


@require_http_methods(["GET", "POST"])
def job_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = JobForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = None
        image = data["image"]
        if image and image.size > settings.UPLOAD_MAX_BYTES:
            # Refuse before reading a huge file into memory.
            form.add_error(
                "image",
                f"This file is {image.size / 2**20:.1f} MB; the limit is "
                f"{settings.UPLOAD_MAX_BYTES / 2**20:.0f} MB. Crop the screenshot to the question.",
            )
            return render(request, "generation/new.html", {"form": form})
        if image:
            upload = (image.name, image.read())
        try:
            job = job_submit(
                owner=request.user,
                options=JobOptions(
                    count=data["count"], target=data["target"], instruction=data["instruction"]
                ),
                upload=upload,
                text=data["text"],
                skill=data["skill"] if not (upload or data["text"].strip()) else "",
                difficulty=data["difficulty"],
                kind=data["kind"],
            )
        except SubmissionError as error:
            form.add_error(error.field or None, str(error))
        except LimitReached as error:
            form.add_error(None, str(error))
            response = render(request, "generation/new.html", {"form": form}, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        else:
            return redirect("job_detail", public_id=job.public_id)
    return render(request, "generation/new.html", {"form": form})


@require_GET
def job_detail(request: AuthenticatedHttpRequest, public_id) -> HttpResponse:
    job = job_for_user(request.user, public_id)
    context = job_page_context(job)
    # What this page shows, from the same context, for its socket to send only what differs.
    shown = digests(render_fragments({**context, "csrf_token": get_token(request)}))
    return render(request, "generation/job.html", {**context, "seen": seen_token(job.pk, shown)})


@require_GET
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = request.user.jobs.order_by("-created_at")
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(request, "generation/history.html", {"page": page})


@require_POST
def job_cancel_view(request: AuthenticatedHttpRequest, public_id) -> HttpResponse:
    job = job_for_user(request.user, public_id)
    cancelled = job_cancel(job=job)
    if request.htmx:
        return HttpResponse(status=204)  # the socket brings the page up to date
    if cancelled:
        messages.success(request, "The job was cancelled.")
    else:
        messages.info(request, "The job had already finished.")
    return redirect("job_detail", public_id=job.public_id)


@require_POST
def job_retry_view(request: AuthenticatedHttpRequest, public_id) -> HttpResponse:
    job = job_for_user(request.user, public_id)
    try:
        job_retry(job=job)
    except (SubmissionError, LimitReached) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Retrying: the job continues where it stopped.")
    return redirect("job_detail", public_id=job.public_id)


@require_POST
def job_reclassify_view(request: AuthenticatedHttpRequest, public_id) -> HttpResponse:
    job = job_for_user(request.user, public_id)
    try:
        job_reclassify(
            job=job,
            skill=request.POST.get("skill", ""),
            difficulty=request.POST.get("difficulty", ""),
        )
    except (SubmissionError, LimitReached) as error:
        messages.error(request, str(error))
        if request.htmx:
            return HttpResponse(headers={"HX-Refresh": "true"})  # the page shows the message
    else:
        if request.htmx:
            return HttpResponse(status=204)  # the socket brings the page up to date
        messages.success(request, "Classification corrected: writing new questions.")
    return redirect("job_detail", public_id=job.public_id)


@require_POST
def question_revise_view(
    request: AuthenticatedHttpRequest, public_id, question_id: int
) -> HttpResponse:
    job = job_for_user(request.user, public_id)
    question = get_object_or_404(GeneratedQuestion, pk=question_id, job=job)
    instruction = request.POST.get("instruction", "")
    if request.POST.get("regenerate"):
        instruction = REGENERATE_INSTRUCTION
    try:
        revision = question_revise(question=question, instruction=instruction)
    except (RevisionRefused, LimitReached) as error:
        if request.htmx:
            return _card(request, job, question, error=str(error))
        messages.error(request, str(error))
    else:
        if request.htmx:  # the new version's card, in place of the old one, focused
            return _card(request, job, revision, focus=True)
    return redirect("job_detail", public_id=job.public_id)


def _card(
    request: AuthenticatedHttpRequest, job, question: GeneratedQuestion, **extra
) -> HttpResponse:
    context = {**job_page_context(job), "question": question, **extra}
    return render(request, "generation/job.html#question", context)


@require_GET
def job_source_image(request: AuthenticatedHttpRequest, public_id) -> HttpResponse:
    """Serve the job's stored screenshot to its owner; another tutor's job is a 404."""
    job = job_for_user(request.user, public_id)
    image = get_object_or_404(SourceImage.objects.only("data", "media_type"), job=job)
    response = HttpResponse(bytes(image.data), content_type=image.media_type)
    # Private: only this tutor's browser keeps it; the stored image never changes.
    response["Cache-Control"] = "private, max-age=86400"
    return response
