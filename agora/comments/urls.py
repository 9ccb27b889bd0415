from django.urls import path

from agora.comments import views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.post, name="post"),
]
