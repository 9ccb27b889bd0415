from django.urls import path

from agora.pages import closing, views

app_name = "articles"

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/<slug:slug>/", views.detail, name="detail"),
    path("moderation/articles/", closing.articles, name="moderation"),
    path("moderation/articles/<int:pk>/comments/", closing.set_comments, name="set_comments"),
]
