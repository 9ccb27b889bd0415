from django.contrib import admin

from agora.commenters.models import CommenterAction


@admin.register(CommenterAction)
class CommenterActionAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
