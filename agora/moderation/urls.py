from django.urls import path

from agora.moderation import newsroom_views, views

app_name = "moderation"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("queue/items/", views.queue_items, name="queue-items"),
    path("queue/counts/", views.counts, name="counts"),
    path("queue/bulk/", views.bulk, name="bulk"),
    path("audit/", views.audit, name="audit"),
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/approve/", views.approve, name="approve"),
    path("comments/<int:pk>/reject/", views.reject, name="reject"),
    path("settings/", newsroom_views.settings, name="settings"),
    path("settings/desks/", newsroom_views.new_desk, name="desk-new"),
    path("settings/desks/<int:pk>/", newsroom_views.desk, name="desk"),
    path("settings/engine/", newsroom_views.engine, name="engine"),
]
