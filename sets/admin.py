from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from sets.models import QuestionSet, SetItem


class SetItemInline(admin.TabularInline):
    model = SetItem
    extra = 0
    fields = ("position", "generated", "bank", "added_at")
    readonly_fields = ("added_at",)
    raw_id_fields = ("generated", "bank")
    ordering = ("position", "id")


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "item_count", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")
    readonly_fields = ("created_at", "updated_at")
    raw_id_fields = ("owner",)
    inlines = [SetItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionSet]:
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="Questions", ordering="item_count")
    def item_count(self, obj: QuestionSet) -> int:
        return obj.item_count  # type: ignore[attr-defined]
