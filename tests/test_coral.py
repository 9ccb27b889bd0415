"""Agora as Coral's external moderation phase: signatures, and the answer per policy."""

import json

import pytest
from django.test import Client

from agora.comments import screening
from agora.coral import signing
from agora.guidelines import CommentInput

URL = "/coral/moderate"
OLD, NEW = "old-signing-secret", "new-signing-secret"
INSULT = "You are a stupid idiot"
SPAM = "Visit my website for free bitcoin http://bit.ly/xyz earn money fast"
CLEAN = "Thanks for this clear report on the dam vote."


@pytest.fixture
def secrets(settings):
    settings.AGORA_CORAL_SIGNING_SECRETS = [NEW]
    return settings


@pytest.fixture
def policy(settings):
    """Set AGORA_POLICY for one test; the engine reloads under it, and again after."""

    def apply(value):
        settings.AGORA_POLICY = value
        screening.reset_engine()

    yield apply
    screening.reset_engine()


def request_body(text, url="https://news.example.org/posts/a-story/", parent=None):
    """An external moderation request as Coral sends one (docs: external moderation phases)."""
    return json.dumps(
        {
            "action": "NEW",
            "comment": {"body": text, "parentID": parent},
            "author": {"id": "baf4e943-3594-4fcc-b2ba-3e8de7a76352", "role": "COMMENTER"},
            "story": {"id": "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", "url": url},
            "site": {"id": "a4bede88-2d2c-4424-bc18-4322a9e285a6"},
            "tenantID": "19ba5794-7eeb-4d46-a81b-c00c61672501",
            "tenantDomain": "news.example.org",
        }
    ).encode()


def send(client, body, *secrets_used, header=None):
    if header is None:
        header = ",".join(f"sha256={signing.sign(body, s)}" for s in secrets_used)
    return client.post(URL, body, content_type="application/json", HTTP_X_CORAL_SIGNATURE=header)


def test_a_signature_under_the_secret_is_accepted_without_a_csrf_token(secrets, db):
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, request_body(CLEAN), NEW).status_code in {200, 204}


@pytest.mark.parametrize("held", [[NEW], [OLD], [OLD, NEW]])
def test_during_a_roll_over_either_signature_matches(client, settings, db, held):
    settings.AGORA_CORAL_SIGNING_SECRETS = held
    assert send(client, request_body(CLEAN), OLD, NEW).status_code in {200, 204}


@pytest.mark.parametrize(
    "header",
    [
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "sha1=" + signing.sign(request_body(CLEAN), NEW),
        signing.sign(request_body(CLEAN), NEW),
    ],
)
def test_a_missing_wrong_or_unprefixed_signature_is_refused(client, secrets, header):
    response = send(client, request_body(CLEAN), header=header)
    assert response.status_code == 401 and "X-Coral-Signature" in response.json()["detail"]


def test_a_signature_of_another_body_or_secret_is_refused(client, secrets):
    body = request_body(CLEAN)
    header = f"sha256={signing.sign(body, NEW)}"
    assert send(client, request_body(INSULT), header=header).status_code == 401
    assert send(client, body, "some-other-secret").status_code == 401


def test_the_phase_is_off_without_secrets(client, settings):
    settings.AGORA_CORAL_SIGNING_SECRETS = []
    assert send(client, request_body(CLEAN), NEW).status_code == 404


def test_a_signed_body_that_is_no_moderation_request_is_400(client, secrets):
    for body in (b"[]", b"{", json.dumps({"action": "DELETE", "comment": {"body": "x"}}).encode()):
        assert send(client, body, NEW).status_code == 400
    assert client.get(URL).status_code == 405


def test_by_default_an_insult_waits_for_a_moderator_flagged_toxic(client, secrets, db):
    response = send(client, request_body(INSULT), NEW)
    assert response.json() == {
        "status": "PREMOD",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}],
    }


def test_promotion_is_flagged_as_spam(client, secrets, db):
    answer = send(client, request_body(SPAM), NEW).json()
    assert {"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"} in answer["actions"]


def test_a_comment_the_engine_approves_is_left_to_coral(client, secrets, db):
    assert screening.engine().judge(CommentInput(text=CLEAN)).decision == "approve"
    response = send(client, request_body(CLEAN), NEW)
    assert response.status_code == 204 and response.content == b""


def test_an_empty_html_body_is_left_to_coral(client, secrets, db):
    assert send(client, request_body("<p> </p>"), NEW).status_code == 204


def test_a_publisher_who_trusts_the_engine_gets_rejections_and_approvals(
    client, secrets, db, policy
):
    every = ("profanity", "threat", "personal_attack", "identity_abuse", "promotion", "off_topic")
    policy({"auto_reject": dict.fromkeys(every, True), "auto_approve": dict.fromkeys(every, True)})
    assert send(client, request_body(INSULT), NEW).json()["status"] == "REJECTED"
    assert send(client, request_body(CLEAN), NEW).json() == {"status": "APPROVED"}


def test_a_language_no_model_reads_is_held_for_a_moderator(client, secrets, db):
    kurdish = "ئەم وتارە زۆر باشە، سوپاس بۆ ڕاپۆرتەکەت لەسەر بەنداوەکە"
    assert send(client, request_body(kurdish), NEW).json() == {"status": "PREMOD"}
    # A worded threat is flagged, as the queue's own filter flags it.
    threat = "ئەگەر جارێکی تر ئەمە بنووسیت دەتکوژم"
    assert send(client, request_body(threat), NEW).json() == {
        "status": "PREMOD",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}],
    }


@pytest.mark.skipif(not screening.engine().relevance, reason="relevance is off")
def test_a_story_agora_knows_is_the_article_for_relevance(client, secrets, article):
    article.url = "https://news.example.org/posts/river-dam-vote/"
    article.save()
    send(client, request_body("The dam should have been rebuilt years ago.", url=article.url), NEW)
    article.refresh_from_db()
    # The article's relevance vectors are computed and stored when it is first judged against.
    assert article.relevance_key and article.relevance_vectors
