from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at")
    list_filter = ("created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    # key_hash stays out of every form: it is useless to a reader and the secret is never stored.
    fields = ("user", "name", "prefix", "created_at", "last_used_at")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token made here could never show its secret: tutors use /accounts/tokens/,
        # operators `manage.py createtutor --api-token`. Deleting a token revokes it.
        return False
