from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.http import HttpRequest

from questions.models import Question
from questions.services import questions_request_embedding, questions_set_status


class EmbeddingStatusFilter(admin.SimpleListFilter):
    title = "embedding"
    parameter_name = "embedding"

    def lookups(self, request, model_admin):
        return [("fresh", "Fresh"), ("stale", "Stale"), ("missing", "Missing")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(embedding__isnull=True)
        if self.value() == "stale":
            return queryset.filter(embedding__isnull=False).exclude(
                embedding_hash=F("content_hash")
            )
        if self.value() == "fresh":
            return queryset.filter(Q(embedding__isnull=False) & Q(embedding_hash=F("content_hash")))
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "short_stem",
        "section",
        "domain",
        "skill",
        "difficulty",
        "kind",
        "status",
        "source",
        "embedding_state",
        "updated_at",
    )
    list_filter = (
        "section",
        "domain",
        "skill",
        "difficulty",
        "kind",
        "status",
        "source",
        EmbeddingStatusFilter,
    )
    search_fields = ("stem", "passage", "passage_b", "external_id")
    readonly_fields = ("embedding_state", "created_at", "updated_at")
    actions = ("approve", "retire", "reembed")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("section", "domain", "skill", "difficulty", "kind", "status")}),
        ("Question", {"fields": ("passage", "passage_b", "figure", "stem", "choices", "key")}),
        ("Answer", {"fields": ("explanation", "rationales")}),
        (
            "Provenance",
            {"fields": ("source", "external_id", "embedding_state", "created_at", "updated_at")},
        ),
    )

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.embedding_hash != obj.content_hash:
            # The text changed: the worker re-embeds it (web processes never load the model).
            questions_request_embedding(queryset=Question.objects.filter(pk=obj.pk))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        # Pages show the embedding's state, never its 384 numbers: don't fetch them.
        return (
            super()
            .get_queryset(request)
            .defer("embedding")
            .annotate(
                has_embedding=ExpressionWrapper(
                    Q(embedding__isnull=False), output_field=BooleanField()
                )
            )
        )

    @admin.display(description="stem")
    def short_stem(self, question: Question) -> str:
        return question.stem if len(question.stem) <= 80 else question.stem[:79] + "…"

    @admin.display(description="embedding")
    def embedding_state(self, question: Question) -> str:
        if not getattr(question, "has_embedding", False):
            return "missing"
        return "fresh" if question.embedding_hash == question.content_hash else "stale"

    @admin.action(description="Approve selected questions")
    def approve(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = questions_set_status(queryset=queryset, status=Question.Status.APPROVED)
        self.message_user(request, f"Approved {count} question(s).", messages.SUCCESS)

    @admin.action(description="Retire selected questions")
    def retire(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = questions_set_status(queryset=queryset, status=Question.Status.RETIRED)
        self.message_user(request, f"Retired {count} question(s).", messages.SUCCESS)

    @admin.action(description="Re-embed selected questions")
    def reembed(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = questions_request_embedding(queryset=queryset)
        self.message_user(
            request, f"Queued {count} question(s) for re-embedding.", messages.SUCCESS
        )
