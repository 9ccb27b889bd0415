from django.contrib import admin

from agora.articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "language", "published_at", "comments_open")
    list_filter = ("language", "comments_open")
    search_fields = ("title", "slug", "byline", "standfirst")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
