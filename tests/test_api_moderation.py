"""The moderator side of the JSON API: token authentication, queue, decisions, tokens."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agora.api.models import TOKEN_PREFIX, ApiToken, digest
from agora.articles.models import Article
from agora.comments import actions, screening
from agora.comments.models import Comment, Decision, Reason, Status

API = "/api/v1/moderation"


@pytest.fixture
def token(moderator):
    _token, raw = ApiToken.objects.issue(moderator, label="tests")
    return raw


@pytest.fixture
def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def make_comment(article, n=0, status=Status.PENDING, email=None, **fields):
    if fields.get("verdict"):
        fields.setdefault("flags", screening.flags_of(fields["verdict"]))
    return Comment.objects.create(
        article=article,
        author_name=f"Reader {n}",
        author_email=email or f"reader{n}@example.org",
        body=f"Comment number {n}.",
        status=status,
        **fields,
    )


def verdict(*guidelines):
    return {
        "decision": "review",
        "reasons": [
            {"guideline": g, "score": 0.9, "evidence": [{"start": 0, "end": 4, "text": "word"}]}
            for g in guidelines
        ],
    }


def post_json(client, url, payload, auth):
    return client.post(url, data=payload, content_type="application/json", **auth)


# --- Authentication ------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/queue"),
    ("get", "/comments/{id}"),
    ("post", "/comments/{id}/approve"),
    ("post", "/comments/{id}/reject"),
]


def call(client, method, path, comment, **headers):
    url = API + path.format(id=comment.id)
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, data={"reason": "other"}, content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Bearer agora_" + "x" * 43, "Basic bW9kOnB3", "x" * 500],
)
def test_missing_or_bad_tokens_are_401(client, article, method, path, header):
    comment = make_comment(article)
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = call(client, method, path, comment, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_token_of_a_non_staff_user_is_403(client, article, django_user_model, method, path):
    reader = django_user_model.objects.create_user("reader")
    _token, raw = ApiToken.objects.issue(reader)
    comment = make_comment(article)
    response = call(client, method, path, comment, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert "not a moderator" in response.json()["detail"]
    assert not Decision.objects.exists()


def test_a_token_of_a_deactivated_moderator_is_401(client, article, moderator, auth):
    moderator.is_active = False
    moderator.save()
    assert client.get(f"{API}/queue", **auth).status_code == 401


def test_a_token_of_a_moderator_who_lost_staff_status_is_403(client, article, moderator, auth):
    moderator.is_staff = False
    moderator.save()
    assert client.get(f"{API}/queue", **auth).status_code == 403


def test_a_deleted_token_stops_working(client, article, auth):
    assert client.get(f"{API}/queue", **auth).status_code == 200
    ApiToken.objects.all().delete()
    assert client.get(f"{API}/queue", **auth).status_code == 401


def test_only_the_hash_of_a_token_is_stored(moderator):
    token, raw = ApiToken.objects.issue(moderator)
    assert raw.startswith(TOKEN_PREFIX) and len(raw) > 40
    stored = ApiToken.objects.values_list("digest", "label").get(pk=token.pk)
    assert raw not in stored
    assert stored[0] == digest(raw)
    assert ApiToken.objects.find(raw) == token
    assert ApiToken.objects.find(raw + "x") is None


def test_use_is_recorded(client, article, auth):
    assert ApiToken.objects.get().last_used_at is None
    client.get(f"{API}/queue", **auth)
    assert ApiToken.objects.get().last_used_at is not None


# --- The queue -------------------------------------------------------------------------


def test_queue_lists_pending_comments_oldest_first_with_what_moderators_need(client, article, auth):
    older = make_comment(
        article, 1, lang="en", decision="review", risk=0.7, verdict=verdict("threat")
    )
    newer = make_comment(article, 2)
    make_comment(article, 3, status=Status.APPROVED)
    make_comment(article, 4, status=Status.REJECTED)
    Comment.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))

    response = client.get(f"{API}/queue", **auth)

    assert response.status_code == 200
    data = response.json()
    assert [c["id"] for c in data["comments"]] == [older.id, newer.id]
    first = data["comments"][0]
    assert first["author_email"] == "reader1@example.org"
    assert first["article"] == {"slug": article.slug, "title": article.title}
    assert (first["lang"], first["decision"], first["risk"]) == ("en", "review", 0.7)
    assert first["verdict"]["reasons"][0]["guideline"] == "threat"
    assert first["verdict"]["reasons"][0]["evidence"] == [{"start": 0, "end": 4, "text": "word"}]
    assert data["next"] is None


def test_queue_shows_each_authors_earlier_decisions(client, article, auth):
    regular = "regular@example.org"
    for n, status in enumerate([Status.APPROVED, Status.APPROVED, Status.REJECTED]):
        make_comment(article, 10 + n, status=status, email=regular)
    make_comment(article, 1, email=regular)
    make_comment(article, 2, email="newcomer@example.org")

    items = {c["author_email"]: c for c in client.get(f"{API}/queue", **auth).json()["comments"]}

    assert items[regular]["author_history"] == {"approved": 2, "rejected": 1}
    assert items["newcomer@example.org"]["author_history"] == {"approved": 0, "rejected": 0}


def test_queue_orders_by_risk_or_cleanliness(client, article, auth):
    risky = make_comment(article, 1, risk=0.9)
    clean = make_comment(article, 2, risk=0.05)
    middle = make_comment(article, 3, risk=0.4)

    def ids(order):
        return [
            c["id"] for c in client.get(f"{API}/queue", {"order": order}, **auth).json()["comments"]
        ]

    assert ids("risk") == [risky.id, middle.id, clean.id]
    assert ids("clean") == [clean.id, middle.id, risky.id]
    assert ids("oldest") == [risky.id, clean.id, middle.id]
    assert client.get(f"{API}/queue", {"order": "loudest"}, **auth).status_code == 400


def test_queue_filters_by_article_language_and_guideline(client, article, auth):
    other = Article.objects.create(slug="border-crossing", title="Border crossing reopens")
    kurdish_threat = make_comment(article, 1, lang="ckb", verdict=verdict("profanity", "threat"))
    english_promo = make_comment(article, 2, lang="en", verdict=verdict("promotion"))
    elsewhere = make_comment(other, 3, lang="en", verdict=verdict("threat"))

    def ids(**params):
        response = client.get(f"{API}/queue", params, **auth)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["comments"]}

    assert ids(article="border-crossing") == {elsewhere.id}
    assert ids(lang="ckb") == {kurdish_threat.id}
    assert ids(guideline="threat") == {kurdish_threat.id, elsewhere.id}
    assert ids(guideline="promotion", article=article.slug) == {english_promo.id}
    assert ids(guideline="off_topic") == set()
    for bad in ({"lang": "xx"}, {"guideline": "rudeness"}, {"article": "no spaces"}):
        response = client.get(f"{API}/queue", bad, **auth)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == list(bad)


def test_queue_pages_walk_every_pending_comment_once(client, article, auth):
    pending = {make_comment(article, n, risk=(n % 4) / 4).id for n in range(11)}
    for order in ("oldest", "risk", "clean"):
        seen, cursor = [], None
        while True:
            params = {"order": order, "limit": 3, **({"cursor": cursor} if cursor else {})}
            data = client.get(f"{API}/queue", params, **auth).json()
            seen += [c["id"] for c in data["comments"]]
            cursor = data["next"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(pending), order


# --- Decisions --------------------------------------------------------------------------


def test_approve_publishes_and_records_a_decision(client, article, moderator, auth):
    comment = make_comment(article, 1)

    response = post_json(client, f"{API}/comments/{comment.id}/approve", {"note": "fine"}, auth)

    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["status"]) == (comment.id, "approved")
    assert data["decision"]["moderator"] == "moderator"
    decision = Decision.objects.get()
    assert (decision.comment_id, decision.moderator, decision.from_status, decision.to_status) == (
        comment.id,
        moderator,
        Status.PENDING,
        Status.APPROVED,
    )
    assert decision.note == "fine" and not decision.automatic
    thread = client.get(f"/api/v1/articles/{article.slug}/comments").json()
    assert [c["id"] for c in thread["comments"]] == [comment.id]


def test_approve_needs_no_body(client, article, auth):
    # As sent by `curl -X POST`: no body, no Content-Type.
    comment = make_comment(article, 1)
    response = client.generic("POST", f"{API}/comments/{comment.id}/approve", **auth)
    assert response.status_code == 200
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_reject_records_the_reason(client, article, moderator, auth):
    comment = make_comment(article, 1)

    response = post_json(
        client, f"{API}/comments/{comment.id}/reject", {"reason": "personal_attack"}, auth
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision"]["reason"] == "personal_attack"
    decision = Decision.objects.get()
    assert (decision.to_status, decision.reason, decision.moderator) == (
        Status.REJECTED,
        Reason.PERSONAL_ATTACK,
        moderator,
    )


def test_unknown_or_missing_reason_is_400_listing_valid_codes(client, article, auth):
    comment = make_comment(article, 1)
    url = f"{API}/comments/{comment.id}/reject"

    response = post_json(client, url, {"reason": "rude"}, auth)
    assert response.status_code == 400
    message = response.json()["errors"]["reason"][0]
    assert all(code in message for code in Reason.values)

    response = post_json(client, url, {}, auth)
    assert response.json()["errors"] == {"reason": ["This field is required."]}
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING
    assert not Decision.objects.exists()


def test_stale_expected_status_is_409_and_changes_nothing(client, article, moderator, auth):
    comment = make_comment(article, 1)
    actions.approve(comment, moderator)  # another moderator got there first

    response = post_json(
        client,
        f"{API}/comments/{comment.id}/reject",
        {"reason": "profanity", "expected_status": "pending"},
        auth,
    )

    assert response.status_code == 409
    assert response.json()["status"] == "approved"
    assert "already approved" in response.json()["detail"]
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert Decision.objects.count() == 1


def test_approving_an_approved_comment_is_409(client, article, moderator, auth):
    comment = make_comment(article, 1)
    actions.approve(comment, moderator)
    response = client.generic("POST", f"{API}/comments/{comment.id}/approve", **auth)
    assert response.status_code == 409
    assert Decision.objects.count() == 1


def test_a_decision_can_be_reversed_and_history_is_kept(client, article, auth):
    comment = make_comment(article, 1)
    url = f"{API}/comments/{comment.id}"
    assert client.generic("POST", f"{url}/approve", **auth).status_code == 200
    response = post_json(
        client, f"{url}/reject", {"reason": "off_topic", "expected_status": "approved"}, auth
    )
    assert response.status_code == 200

    detail = client.get(url, **auth).json()

    assert detail["status"] == "rejected"
    assert [(d["from_status"], d["to_status"], d["reason"]) for d in detail["decisions"]] == [
        ("pending", "approved", ""),
        ("approved", "rejected", "off_topic"),
    ]
    assert all(d["moderator"] == "moderator" for d in detail["decisions"])


@pytest.mark.parametrize(
    "payload",
    [
        {"note": "n" * 501},
        {"note": "bad\x00note"},
        {"expected_status": "maybe"},
        {"note": "fine", "extra": 1},
    ],
)
def test_bad_decision_input_is_400(client, article, auth, payload):
    comment = make_comment(article, 1)
    response = post_json(client, f"{API}/comments/{comment.id}/approve", payload, auth)
    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"note", "expected_status", "extra"}
    assert not Decision.objects.exists()


@pytest.mark.parametrize("comment_id", [999_999, 2**63, 10**30])
def test_unknown_comments_are_404(client, article, auth, comment_id):
    for response in (
        client.get(f"{API}/comments/{comment_id}", **auth),
        client.generic("POST", f"{API}/comments/{comment_id}/approve", **auth),
        post_json(client, f"{API}/comments/{comment_id}/reject", {"reason": "other"}, auth),
    ):
        assert response.status_code == 404
        assert str(comment_id) in response.json()["detail"]


# --- Issuing tokens --------------------------------------------------------------------


def test_createtoken_prints_a_working_token(client, article, moderator):
    out = io.StringIO()
    call_command("createtoken", "moderator", "--label", "laptop", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get().label == "laptop"
    response = client.get(f"{API}/queue", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_createtoken_refuses_unknown_and_non_staff_users(db, django_user_model):
    django_user_model.objects.create_user("reader")
    with pytest.raises(CommandError, match="no user"):
        call_command("createtoken", "nobody")
    with pytest.raises(CommandError, match="not an active staff user"):
        call_command("createtoken", "reader")
    assert not ApiToken.objects.exists()


def test_admin_shows_a_new_token_once(client, article, moderator, django_user_model):
    admin = django_user_model.objects.create_superuser(
        "chief", "chief@example.org", "a-long-test-password"
    )
    client.force_login(admin)

    response = client.post(
        "/admin/api/apitoken/add/", {"user": moderator.pk, "label": "phone"}, follow=True
    )

    assert response.status_code == 200
    shown = re.findall(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]+", response.content.decode())
    assert len(set(shown)) == 1
    raw = shown[0]
    assert ApiToken.objects.find(raw).user == moderator
    change = client.get(f"/admin/api/apitoken/{ApiToken.objects.get().pk}/change/")
    assert raw not in change.content.decode()
    client.logout()
    assert client.get(f"{API}/queue", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
