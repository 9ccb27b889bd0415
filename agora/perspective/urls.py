from django.urls import path

from agora.perspective import views

app_name = "perspective"
# The paths Perspective's clients append to their configurable base URL (.../v1alpha1).
urlpatterns = [
    path("v1alpha1/comments:analyze", views.analyze, name="analyze"),
    path("v1alpha1/comments:suggestscore", views.suggest_score, name="suggestscore"),
]
