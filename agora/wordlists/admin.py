from django.contrib import admin

from agora.comments.admin import ReadOnlyAdminMixin
from agora.wordlists.models import TermChange


@admin.register(TermChange)
class TermChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The lists' audit trail, read only: lists are changed in the moderator pages, where
    every change is recorded."""

    list_display = ("created_at", "action", "text", "language", "kind", "guideline", "moderator")
    list_filter = ("action", "kind", "language")
