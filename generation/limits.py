"""Limits on paid work: how much one tutor, and the whole deployment, may ask of Claude.

Every action that calls Claude — a new job, a regenerate or revise, a corrected
classification, a retry — goes through `paid_work_admit` inside the transaction that makes
it. It locks the tutor's row, so two requests at once are counted one after the other, checks
each limit and records the action. Over a limit it raises LimitReached: the message names the
limit and when it resets, and `retry_after` is what the API sends as Retry-After.

The counts come from PostgreSQL, the same for every web pod: actions and questions from
PaidRequest rows, money from the ModelCall ledger (simulated work costs nothing and is not
counted). One tutor holds at most LIMIT_JOBS_AT_ONCE of the queue's places, so the shared
queue serves every tutor in turn. The defaults are in satgen/settings.py (LIMIT_*); staff
give one tutor other values with an Allowance in the admin. docs/security.md says more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.utils import timezone

from generation.claude import is_simulated
from generation.models import Allowance, Job, ModelCall, PaidRequest

# How long to suggest waiting when every one of a tutor's places in the queue is taken.
BUSY_RETRY_SECONDS = 30


class LimitReached(Exception):
    """Paid work refused by a limit; the message says which one and when it resets."""

    def __init__(self, message: str, *, limit: str, retry_after: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Limits:
    """One tutor's limits; 0 is no limit."""

    actions_per_minute: int
    questions_per_day: int
    jobs_at_once: int
    spend_per_month_usd: Decimal

    @classmethod
    def for_owner(cls, owner) -> Limits:
        """The deployment's limits, with the tutor's Allowance where it sets one."""
        defaults = cls(
            actions_per_minute=settings.LIMIT_ACTIONS_PER_MINUTE,
            questions_per_day=settings.LIMIT_QUESTIONS_PER_DAY,
            jobs_at_once=settings.LIMIT_JOBS_AT_ONCE,
            spend_per_month_usd=settings.LIMIT_SPEND_PER_MONTH_USD,
        )
        allowance = Allowance.objects.filter(owner=owner).first()
        if allowance is None:
            return defaults
        own = {
            field.name: getattr(allowance, field.name)
            for field in fields(cls)
            if getattr(allowance, field.name) is not None
        }
        return replace(defaults, **own)


def paid_work_admit(
    *, owner, action: str, questions: int, queues_job: bool, now: datetime | None = None
) -> None:
    """Check the limits for one paid action and record it; raise LimitReached if over one.

    Call inside the transaction that starts the work, so a refused action starts nothing.
    `queues_job` says whether the action takes a place in the queue (a job, a correction or a
    retry does; a revision joins its finished job).
    """
    now = now or timezone.now()
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    limits = Limits.for_owner(owner)
    _check_rate(owner, limits, now)
    _check_questions(owner, limits, questions, now)
    if queues_job:
        _check_jobs_at_once(owner, limits)
    if not is_simulated():
        _check_spend(owner, limits, now)
        _check_deployment_spend(now)
    PaidRequest.objects.create(owner=owner, action=action, questions=questions)


def deployment_spend_today(now: datetime | None = None) -> Decimal:
    """What Claude has cost the whole deployment today (UTC), simulated work aside."""
    return _spend(Q(), _day_start(now or timezone.now()))


# --- the limits ------------------------------------------------------------------------------


def _check_rate(owner, limits: Limits, now: datetime) -> None:
    if not limits.actions_per_minute:
        return
    window = now - timedelta(minutes=1)
    recent = PaidRequest.objects.filter(owner=owner, created_at__gt=window).order_by("created_at")
    times = list(recent.values_list("created_at", flat=True)[: limits.actions_per_minute])
    if len(times) < limits.actions_per_minute:
        return
    wait = _seconds(times[0] + timedelta(minutes=1) - now)
    raise LimitReached(
        f"You have started {limits.actions_per_minute} pieces of work in the last minute, "
        f"the most we allow. Try again in {wait} seconds.",
        limit="actions_per_minute",
        retry_after=wait,
    )


def _check_questions(owner, limits: Limits, questions: int, now: datetime) -> None:
    if not limits.questions_per_day:
        return
    start = _day_start(now)
    asked = (
        PaidRequest.objects.filter(owner=owner, created_at__gte=start).aggregate(
            total=Sum("questions")
        )["total"]
        or 0
    )
    if asked + questions <= limits.questions_per_day:
        return
    left = max(0, limits.questions_per_day - asked)
    reset = start + timedelta(days=1)
    raise LimitReached(
        f"This would take you past your {limits.questions_per_day} questions a day "
        f"({left} left today). The count starts again at {_when(reset)}.",
        limit="questions_per_day",
        retry_after=_seconds(reset - now),
    )


def _check_jobs_at_once(owner, limits: Limits) -> None:
    if not limits.jobs_at_once:
        return
    active = Job.objects.filter(owner=owner, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    if active.count() < limits.jobs_at_once:
        return
    raise LimitReached(
        f"You already have {limits.jobs_at_once} jobs waiting or running, the most at once. "
        "Start this one when one of them has finished.",
        limit="jobs_at_once",
        retry_after=BUSY_RETRY_SECONDS,
    )


def _check_spend(owner, limits: Limits, now: datetime) -> None:
    if not limits.spend_per_month_usd:
        return
    start = _month_start(now)
    spent = _spend(Q(job__owner=owner), start)
    if spent < limits.spend_per_month_usd:
        return
    reset = (start + timedelta(days=32)).replace(day=1)
    raise LimitReached(
        f"Your work this month has cost ${spent:.2f}, your limit of "
        f"${limits.spend_per_month_usd:.2f}. It starts again on {reset:%B} 1; "
        "an administrator can raise it.",
        limit="spend_per_month_usd",
        retry_after=_seconds(reset - now),
    )


def _check_deployment_spend(now: datetime) -> None:
    cap = settings.LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD
    if not cap or deployment_spend_today(now) < cap:
        return
    reset = _day_start(now) + timedelta(days=1)
    raise LimitReached(
        "SATgen has reached its spending limit for today, so no new questions can be "
        f"written until {_when(reset)}. Questions you already have are not affected.",
        limit="deployment_spend_per_day_usd",
        retry_after=_seconds(reset - now),
    )


# --- helpers ---------------------------------------------------------------------------------


def _spend(where: Q, since: datetime) -> Decimal:
    calls = ModelCall.objects.filter(where, created_at__gte=since).exclude(job__simulated=True)
    return calls.aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)


def _day_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(now: datetime) -> datetime:
    return _day_start(now).replace(day=1)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _when(moment: datetime) -> str:
    return f"{moment:%H:%M} UTC"
