from django.urls import path

from agora.coral import views

app_name = "coral"
urlpatterns = [path("moderate", views.moderate, name="moderate")]
