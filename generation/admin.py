from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from generation.limits import deployment_spend_today
from generation.models import Allowance, GeneratedQuestion, Job, ModelCall, PaidRequest, Stage
from generation.services import questions_promote


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StageInline(ReadOnlyInline):
    model = Stage
    fields = (
        "name",
        "status",
        "attempts",
        "model",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cost_usd",
        "note",
        "error",
    )
    show_change_link = False


class CallInline(ReadOnlyInline):
    """Every request to Claude the job made: what it cost, and what the API said if it failed."""

    model = ModelCall
    fields = (
        "stage",
        "purpose",
        "model",
        "outcome",
        "input_tokens",
        "output_tokens",
        "thinking_tokens",
        "cache_creation_tokens",
        "cache_read_tokens",
        "cost_usd",
        "duration_ms",
        "request_id",
        "error",
    )
    show_change_link = False


class QuestionInline(ReadOnlyInline):
    model = GeneratedQuestion
    fields = ("position", "status", "skill", "difficulty", "stem", "key", "review", "superseded")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "owner",
        "status",
        "error_kind",
        "origin",
        "skill",
        "difficulty",
        "count",
        "cost_usd",
        "simulated",
        "created_at",
    )
    list_filter = ("status", "error_kind", "origin", "simulated", "section", "domain")
    search_fields = ("public_id", "owner__username", "source_text")
    inlines = (StageInline, QuestionInline, CallInline)
    readonly_fields = [field.name for field in Job._meta.fields]
    list_select_related = ("owner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """Say above the list what Claude has cost today, against the deployment's cap."""
        if request.method != "GET":  # an action's POST redirects to a GET that says it
            return super().changelist_view(request, extra_context)
        spent, cap = deployment_spend_today(), settings.LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD
        if not cap:
            self.message_user(request, f"Claude spend today (UTC): ${spent:.2f}; no daily cap.")
        elif spent >= cap:
            self.message_user(
                request,
                f"Claude spend today (UTC): ${spent:.2f}, at the daily cap of ${cap:.2f}: "
                "no new paid work starts until midnight UTC (LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD).",
                messages.ERROR,
            )
        else:
            self.message_user(
                request, f"Claude spend today (UTC): ${spent:.2f} of the ${cap:.2f} daily cap."
            )
        return super().changelist_view(request, extra_context)


@admin.register(Allowance)
class AllowanceAdmin(admin.ModelAdmin):
    """One tutor's own limits on paid work; an empty field keeps the deployment's default."""

    list_display = (
        "owner",
        "actions_per_minute",
        "questions_per_day",
        "jobs_at_once",
        "spend_per_month_usd",
        "note",
    )
    search_fields = ("owner__username", "note")
    autocomplete_fields = ("owner",)


@admin.register(PaidRequest)
class PaidRequestAdmin(admin.ModelAdmin):
    """Each paid action a tutor started, as the rate limit and the daily quota count them."""

    list_display = ("created_at", "owner", "action", "questions")
    list_filter = ("action",)
    search_fields = ("owner__username",)
    readonly_fields = ("owner", "action", "questions", "created_at")
    list_select_related = ("owner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(GeneratedQuestion)
class GeneratedQuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "job", "position", "status", "skill", "difficulty", "review")
    list_filter = ("status", "review", "section", "domain", "skill", "difficulty")
    search_fields = ("stem", "passage")
    readonly_fields = ("job", "validation", "flag_reasons", "bank_question", "revision_of")
    actions = ("promote",)
    list_select_related = ("job",)

    @admin.action(description="Promote selected questions to the bank (as drafts)")
    def promote(self, request: HttpRequest, queryset: QuerySet[GeneratedQuestion]) -> None:
        promoted, refused = questions_promote(queryset=queryset)
        if promoted:
            self.message_user(
                request,
                f"Promoted {promoted} question(s) to the bank as drafts; approve them there.",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)


@admin.register(ModelCall)
class ModelCallAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "job",
        "stage",
        "model",
        "outcome",
        "batch",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cost_usd",
        "duration_ms",
        "request_id",
    )
    list_filter = ("stage", "purpose", "model", "outcome", "batch")
    search_fields = ("request_id", "error")
    readonly_fields = [field.name for field in ModelCall._meta.fields]
