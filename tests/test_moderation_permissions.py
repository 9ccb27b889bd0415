"""Every moderator URL is closed to anonymous visitors (sent to the login page) and
to signed-in users without staff rights (403); decisions are POST only."""

import pytest
from django.urls import reverse

from agora.comments.actions import NewComment, post_comment
from agora.comments.models import Decision, Status
from agora.moderation.urls import urlpatterns

# Every page and endpoint behind the staff check, with the method it is used with.
# Only login and logout are open, by design.
MODERATOR_URLS = [
    ("moderation:queue", False, "get"),
    ("moderation:audit", False, "get"),
    ("moderation:comment", True, "get"),
    ("moderation:approve", True, "post"),
    ("moderation:reject", True, "post"),
    ("moderation:queue-items", False, "get"),
    ("moderation:counts", False, "get"),
    ("moderation:bulk", False, "post"),
]
OPEN_URLS = {"login", "logout"}
# Pages for chief moderators only, whose every role is tested in test_moderation_roles.py.
CHIEF_ONLY_URLS = {"settings", "desk-new", "desk", "engine"}


@pytest.fixture
def comment(article):
    comment, _ = post_comment(
        NewComment(article=article, author_name="Reader", author_email="r@example.org", body="Hi")
    )
    return comment


@pytest.fixture
def reader(db, django_user_model):
    return django_user_model.objects.create_user(
        "reader", "reader@example.org", "a-reader-password"
    )


def url_for(name, needs_comment, comment):
    return reverse(name, args=[comment.pk] if needs_comment else [])


def request(client, method, url):
    data = {"expected_status": "pending", "reason": "other"} if method == "post" else None
    return getattr(client, method)(url, data)


def test_the_list_covers_every_moderator_url():
    names = {pattern.name for pattern in urlpatterns}
    assert names - OPEN_URLS - CHIEF_ONLY_URLS == {
        name.split(":")[1] for name, _, _ in MODERATOR_URLS
    }


@pytest.mark.parametrize(("name", "needs_comment", "method"), MODERATOR_URLS)
def test_anonymous_visitors_are_sent_to_login(client, comment, name, needs_comment, method):
    url = url_for(name, needs_comment, comment)

    response = request(client, method, url)

    assert response.status_code == 302
    # A decision cannot be replayed as a GET after logging in: back to the queue.
    back = url if method == "get" else reverse("moderation:queue")
    assert response.url == f"{reverse('moderation:login')}?next={back}"


@pytest.mark.parametrize(("name", "needs_comment", "method"), MODERATOR_URLS)
def test_users_without_staff_rights_are_refused(
    client, reader, comment, name, needs_comment, method
):
    client.force_login(reader)

    response = request(client, method, url_for(name, needs_comment, comment))

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "needs_comment", "method"), MODERATOR_URLS)
def test_staff_are_let_in(client, moderator, comment, name, needs_comment, method):
    client.force_login(moderator)

    response = request(client, method, url_for(name, needs_comment, comment))

    assert response.status_code == (302 if method == "post" else 200)


@pytest.mark.parametrize("name", ["moderation:approve", "moderation:reject"])
def test_refused_decisions_change_nothing(client, reader, comment, name):
    client.force_login(reader)

    request(client, "post", reverse(name, args=[comment.pk]))

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert not Decision.objects.exists()


@pytest.mark.parametrize("name", ["moderation:approve", "moderation:reject"])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_decisions_are_post_only(client, moderator, comment, name, method):
    client.force_login(moderator)

    response = getattr(client, method)(reverse(name, args=[comment.pk]))

    assert response.status_code == 405
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_decisions_need_the_csrf_token(moderator, comment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    response = request(client, "post", reverse("moderation:approve", args=[comment.pk]))

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
