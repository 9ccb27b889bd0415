"""Roles and desks on every moderation page and endpoint: moderators decide their desks'
comments, chief moderators everything plus the word lists, auditors read everything and
decide nothing; staff without a role, readers and visitors get nothing."""

import pytest
from django.urls import reverse
from roles import user_in

from agora.api.models import ApiToken
from agora.comments.models import Comment, Decision, Status
from agora.desks.models import Desk
from agora.desks.roles import AUDITOR, CHIEF, MODERATOR
from agora.moderation.urls import urlpatterns as moderation_urls
from agora.newsroom.models import Change
from agora.wordlists.models import Kind, Term
from agora.wordlists.urls import urlpatterns as wordlist_urls

API = "/api/v1/moderation"
DECISION = {"expected_status": "pending", "reason": "other"}
SETTINGS = {
    "reports_withdraw_after": 5,
    "close_comments_after_days": 0,
    "repeat_offender_rejections": 0,
    "repeat_offender_days": 30,
    "repeat_offender_suspend_days": 7,
}

# Who asks: a role and, for a moderator, whether the comment is on her desk.
WHO = ["visitor", "reader", "staff_without_role", "moderator", "other_desk", "chief", "auditor"]
READERS = {"moderator", "chief", "auditor"}
DECIDERS = {"moderator", "chief"}


@pytest.fixture
def comment(article):
    return Comment.objects.create(
        article=article,
        author_name="Reader",
        author_email="reader@example.org",
        body="The dam needed this vote.",
        lang="en",
    )


@pytest.fixture
def term(db):
    return Term.objects.create(kind=Kind.BANNED, guideline="threat", text="x1", normalized="x1")


def user_for(who):
    english = Desk.objects.get_or_create(name="English", languages=["en"])[0]
    arabic = Desk.objects.get_or_create(name="Arabic", languages=["ar"])[0]
    return {
        "visitor": lambda: None,
        "reader": lambda: user_in(None, "reader", staff=False),
        "staff_without_role": lambda: user_in(None, "staffer"),
        "moderator": lambda: user_in(MODERATOR, "mod", desks=[english]),
        "other_desk": lambda: user_in(MODERATOR, "arabic-mod", desks=[arabic]),
        "chief": lambda: user_in(CHIEF, "chief"),
        "auditor": lambda: user_in(AUDITOR, "auditor"),
    }[who]()


def expected_page(who, *, allowed, hidden_from_other_desk=False, method="get"):
    if who == "visitor":
        return 302  # to the login page
    if who not in allowed:
        return 403
    if who == "other_desk" and hidden_from_other_desk:
        return 404
    return 302 if method == "post" else 200


# Every moderator page: (url name, arguments, method, data, who may, hidden from other desks)
PAGES = [
    ("moderation:queue", None, "get", None, READERS | {"other_desk"}, False),
    ("moderation:queue-items", None, "get", None, READERS | {"other_desk"}, False),
    ("moderation:counts", None, "get", None, READERS | {"other_desk"}, False),
    ("moderation:audit", None, "get", None, READERS | {"other_desk"}, False),
    ("moderation:comment", "comment", "get", None, READERS | {"other_desk"}, True),
    ("moderation:approve", "comment", "post", DECISION, DECIDERS | {"other_desk"}, True),
    ("moderation:reject", "comment", "post", DECISION, DECIDERS | {"other_desk"}, True),
    (
        "moderation:bulk",
        None,
        "post",
        {"action": "approve", "everything": "1"},
        DECIDERS | {"other_desk"},
        False,
    ),
    ("wordlists:lists", None, "get", None, {"chief"}, False),
    ("wordlists:lists", None, "post", {"kind": "allowed", "text": "Kobani"}, {"chief"}, False),
    ("wordlists:remove", "term", "post", None, {"chief"}, False),
    ("wordlists:changes", None, "get", None, {"chief"}, False),
    ("moderation:settings", None, "get", None, {"chief"}, False),
    ("moderation:settings", None, "post", SETTINGS, {"chief"}, False),
    ("moderation:desk-new", None, "post", {"name": "Sport"}, {"chief"}, False),
    ("moderation:desk", "desk", "get", None, {"chief"}, False),
    ("moderation:desk", "desk", "post", {"name": "Kurdish"}, {"chief"}, False),
    ("moderation:engine", None, "get", None, {"chief"}, False),
]


def test_every_moderator_page_is_in_the_table():
    tested = {name for name, *_ in PAGES}
    pages = {f"moderation:{p.name}" for p in moderation_urls} | {
        f"wordlists:{p.name}" for p in wordlist_urls
    }
    assert pages - {"moderation:login", "moderation:logout"} == tested


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "argument", "method", "data", "allowed", "hidden"), PAGES)
def test_each_role_on_each_page(
    client, comment, term, who, name, argument, method, data, allowed, hidden
):
    user = user_for(who)
    if user:
        client.force_login(user)
    desk = Desk.objects.get_or_create(name="Arabic", languages=["ar"])[0]
    args = [{"comment": comment, "term": term, "desk": desk}[argument].pk] if argument else []

    response = getattr(client, method)(reverse(name, args=args), data)

    assert response.status_code == expected_page(
        who, allowed=allowed, hidden_from_other_desk=hidden, method=method
    )
    decided = Decision.objects.filter(comment=comment).exists()
    # Only a chief moderator's settings and desks are stored, each change recorded.
    changed = (
        Change.objects.filter(subject=Change.SETTING).exists()
        or Desk.objects.exclude(name__in=["English", "Arabic"]).exists()
    )
    assert changed == (
        name in {"moderation:settings", "moderation:desk-new", "moderation:desk"}
        and method == "post"
        and who == "chief"
    )
    assert decided == (
        name in {"moderation:approve", "moderation:reject", "moderation:bulk"} and who in DECIDERS
    )


# --- The API --------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/queue", None, False),
    ("get", "/comments/{id}", None, True),
    ("post", "/comments/{id}/approve", {"expected_status": "pending"}, True),
    ("post", "/comments/{id}/reject", {"expected_status": "pending", "reason": "other"}, True),
]


def expected_api(who, method, hidden):
    if who == "visitor":
        return 401
    if who in {"reader", "staff_without_role"}:
        return 403
    if method == "post" and who == "auditor":
        return 403
    if who == "other_desk" and hidden:
        return 404
    return 200


def test_every_moderation_endpoint_is_in_the_table():
    from agora.moderation.api import router

    paths = {
        (method.lower(), path.replace("{int:comment_id}", "{id}"))
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert paths == {(method, path) for method, path, _, _ in ENDPOINTS}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "body", "hidden"), ENDPOINTS)
def test_each_role_on_each_endpoint(client, comment, who, method, path, body, hidden):
    user = user_for(who)
    headers = {}
    if user:
        _token, raw = ApiToken.objects.issue(user, label="roles")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    url = API + path.format(id=comment.pk)

    if method == "post":
        response = client.post(url, body, content_type="application/json", **headers)
    else:
        response = client.get(url, **headers)

    assert response.status_code == expected_api(who, method, hidden), response.content
    comment.refresh_from_db()
    assert (comment.status != Status.PENDING) == (
        method == "post" and expected_api(who, method, hidden) == 200
    )


# --- Desks ----------------------------------------------------------------------------


def test_a_moderator_sees_only_her_desks_comments_in_queue_counts_and_api(client, article):
    sport = article.__class__.objects.create(
        slug="cup-final", title="Cup final", url="https://paper.example/sport/cup-final"
    )
    desk = Desk.objects.create(name="Arabic sport", languages=["ar"], sections=["sport"])
    moderator = user_in(MODERATOR, "mod", desks=[desk])
    ours = Comment.objects.create(
        article=sport, author_name="A", author_email="a@x.org", body="نعم", lang="ar"
    )
    Comment.objects.create(
        article=sport, author_name="B", author_email="b@x.org", body="yes", lang="en"
    )
    Comment.objects.create(
        article=article, author_name="C", author_email="c@x.org", body="لا", lang="ar"
    )
    client.force_login(moderator)

    queue = client.get(reverse("moderation:queue"))
    assert [c.pk for c in queue.context["comments"]] == [ours.pk]
    counts = client.get(reverse("moderation:counts")).json()
    assert counts == {"pending": 1, "newest": ours.pk, "reported": 0}
    _token, raw = ApiToken.objects.issue(moderator, label="desk")
    api = client.get(f"{API}/queue", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [c["id"] for c in api["comments"]] == [ours.pk]


def test_an_auditor_reads_everything_but_is_offered_no_decision(client, comment):
    client.force_login(user_in(AUDITOR, "auditor"))

    html = client.get(reverse("moderation:queue")).content.decode()

    assert f'id="comment-{comment.pk}"' in html
    assert "approve-form" not in html and "reject-form" not in html and "bulk-form" not in html
