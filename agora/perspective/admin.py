from django.contrib import admin
from django.utils.translation import gettext as _

from agora.api.admin import IssuesSecretOnce
from agora.perspective.models import ApiKey, SuggestedScore


@admin.register(ApiKey)
class ApiKeyAdmin(IssuesSecretOnce):
    """Issue, limit and disable keys to the Perspective-compatible API.

    A new key's secret is shown once, in the confirmation message; only its hash is kept.
    """

    list_display = ("__str__", "per_second", "per_day", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("label",)
    fields = ("label", "per_second", "per_day", "active", "created_at")
    readonly_fields = ("created_at",)

    def secret_message(self, obj, raw: str) -> str:
        return _(
            "New Perspective API key %(label)s: %(key)s — copy it now; it is never shown again."
        ) % {"label": obj, "key": raw}


@admin.register(SuggestedScore)
class SuggestedScoreAdmin(admin.ModelAdmin):
    """Callers' suggested scores, kept for retraining; read-only, deletable."""

    list_display = ("__str__", "lang", "community_id", "key", "created_at")
    list_filter = ("lang",)
    readonly_fields = [field.name for field in SuggestedScore._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
