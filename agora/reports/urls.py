from django.urls import path

from agora.reports import views

app_name = "reports"

urlpatterns = [
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("moderation/reported/", views.reported, name="reported"),
    path("moderation/comments/<int:pk>/reports/dismiss/", views.dismiss, name="dismiss"),
]
