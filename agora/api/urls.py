from django.urls import path, re_path

from agora.api.api import api
from agora.api.gate import guarded, not_found

urlpatterns = [
    path("v1/", guarded(api.urls)),
    # Any other address under /api/ answers in JSON too, not with an HTML page.
    re_path(r"", not_found),
]
