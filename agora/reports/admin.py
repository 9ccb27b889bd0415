from django.contrib import admin

from agora.comments.admin import ReadOnlyAdminMixin
from agora.reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports are read here; they are settled in the moderator pages, where the
    decision on the comment is recorded."""

    list_display = ("comment", "reason", "created_at", "resolution", "resolved_by")
    list_filter = ("resolution", "reason")
    search_fields = ("email", "comment__body")
