"""Comments in the Django admin, read-only.

A comment is judged exactly as written, so nobody edits it here; approving and
rejecting happen in the moderation queue, which records each decision through
``agora.comments.actions``. The admin only lets staff look things up.
"""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from agora.comments.models import Comment, Decision


class ReadOnlyAdminMixin:
    """No adding, changing or deleting: staff with the view permission may only look."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Decision
    fields = ("created_at", "from_status", "to_status", "reason", "moderator", "automatic", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "author_name", "excerpt", "article", "status", "created_at")
    list_filter = ("status", "article")
    list_select_related = ("article",)
    search_fields = ("author_name", "author_email", "body")
    date_hierarchy = "created_at"
    inlines = (DecisionInline,)
    fields = (
        "article",
        "parent",
        "author_name",
        "author_email",
        "body",
        "status",
        "created_at",
        "lang",
        "decision",
        "risk",
        "model_version",
    )
    readonly_fields = fields

    @admin.display(description=_("Comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "comment", "from_status", "to_status", "reason", "moderator")
    list_filter = ("to_status", "reason", "automatic")
    list_select_related = ("comment", "moderator")
    date_hierarchy = "created_at"
    fields = (
        "comment",
        "from_status",
        "to_status",
        "reason",
        "moderator",
        "automatic",
        "note",
        "created_at",
    )
    readonly_fields = fields
