from django.urls import path

from agora.embed import views

app_name = "embed"

urlpatterns = [
    path("embed.js", views.embed_js, name="script"),
]
