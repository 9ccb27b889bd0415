from django.contrib import admin
from django.urls import include, path

from agora.pages.views import favicon

urlpatterns = [
    path("", include("agora.pages.urls")),
    path("", include("agora.comments.urls")),
    path("", include("agora.reports.urls")),
    path("", include("agora.commenters.urls")),
    path("moderation/lists/", include("agora.wordlists.urls")),
    path("moderation/", include("agora.moderation.urls")),
    path("api/", include("agora.api.urls")),
    path("", include("agora.embed.urls")),
    path("", include("agora.perspective.urls")),
    path("coral/", include("agora.coral.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]
