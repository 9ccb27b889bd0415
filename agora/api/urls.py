from django.urls import path, re_path

from agora.api.api import api
from agora.api.gate import guarded, not_found

# Each app owns its router; they are named by path so that agora.api imports none of them
# (the apps import agora.api for the API object, the errors and pagination).
api.add_router("", "agora.comments.api.router")
api.add_router("/moderation", "agora.moderation.api.router")
api.add_router("/embed", "agora.embed.api.router")
api.add_router("", "agora.reports.api.router")
api.add_router("/moderation", "agora.commenters.api.router")

urlpatterns = [
    path("v1/", guarded(api.urls)),
    # Any other address under /api/ answers in JSON too, not with an HTML page.
    re_path(r"", not_found),
]
