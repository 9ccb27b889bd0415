from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from agora.api.models import ApiToken


class IssuesSecretOnce(admin.ModelAdmin):
    """Adding an object gives it a fresh secret (``assign_new_secret``), shown once in the
    confirmation message (``secret_message``); existing objects keep theirs."""

    def secret_message(self, obj, raw: str) -> str:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        raw = obj.assign_new_secret()
        super().save_model(request, obj, form, change)
        messages.warning(request, self.secret_message(obj, raw))


@admin.register(ApiToken)
class ApiTokenAdmin(IssuesSecretOnce):
    """Issue and revoke moderator API tokens.

    Adding a token shows its secret once, in the confirmation message; only a
    hash is stored, so a lost token is replaced, never recovered. Tokens are
    never edited: delete one to revoke it.
    """

    list_display = ("user", "label", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "label")
    fields = ("user", "label", "created_at", "last_used_at")
    readonly_fields = ("created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def secret_message(self, obj, raw: str) -> str:
        return _(
            "New API token for %(user)s: %(token)s — copy it now, it will not be shown again."
        ) % {"user": obj.user, "token": raw}
