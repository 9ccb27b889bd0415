from django.urls import path

from agora.wordlists import views

app_name = "wordlists"

urlpatterns = [
    path("", views.lists, name="lists"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("changes/", views.changes, name="changes"),
]
