from django.contrib import admin

from agora.commenters.models import CommenterAction
from agora.comments.admin import ReadOnlyAdminMixin


@admin.register(CommenterAction)
class CommenterActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The commenters' audit trail, read-only: measures are taken in the moderator pages."""

    list_display = (
        "email_key",
        "measure",
        "lifted",
        "until",
        "moderator",
        "automatic",
        "created_at",
    )
    list_filter = ("measure", "lifted", "automatic")
    search_fields = ("email_key", "reason")
