from django.urls import path

from agora.commenters import views

app_name = "commenters"

urlpatterns = [
    path("moderation/commenters/", views.page, name="page"),
    path("moderation/commenters/actions/", views.act, name="act"),
]
