from django.contrib import admin

from agora.wordlists.models import TermChange


@admin.register(TermChange)
class TermChangeAdmin(admin.ModelAdmin):
    """The lists' audit trail, read only: lists are changed in the moderator pages, where
    every change is recorded."""

    list_display = ("created_at", "action", "text", "language", "kind", "guideline", "moderator")
    list_filter = ("action", "kind", "language")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
