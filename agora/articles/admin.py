from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agora.articles import actions
from agora.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "language", "published_at", "comments_open", "confirmed")
    list_filter = ("confirmed", "language", "comments_open")
    search_fields = ("title", "slug", "byline", "standfirst")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    actions = ["confirm"]

    @admin.action(description=_("Confirm and publish the selected articles"))
    def confirm(self, request, queryset):
        count = actions.confirm(queryset)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", count)
            % {"count": count},
        )
