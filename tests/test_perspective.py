"""The Perspective-compatible endpoint: Perspective's requests, Coral's, and its errors."""

import json
import logging

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client

from agora.comments import screening
from agora.guidelines import GUIDELINES, CommentInput
from agora.perspective import calibration
from agora.perspective.attributes import ATTRIBUTES
from agora.perspective.models import ApiKey, SuggestedScore

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
INSULT = "You are a stupid idiot"
CLEAN = "Thanks for this clear report on the dam vote."
SPAM = "Visit my website for free bitcoin http://bit.ly/xyz earn money fast"
ARTICLE = (
    "Council votes to rebuild the river dam. The council voted on Tuesday to rebuild the "
    "ageing dam on the river, ending two years of argument over its cost and safety."
)
#: Attributes scored without context entries.
PLAIN_ATTRIBUTES = [name for name in ATTRIBUTES if name != "OFF_TOPIC"]


@pytest.fixture
def key(db):
    return ApiKey.objects.issue("test", per_second=0, per_day=0)[1]


def call(client, body, key, path=ANALYZE):
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(f"{path}?key={key}", raw, content_type="application/json")


def analyze(client, key, text, attributes=PLAIN_ATTRIBUTES, **extra):
    body = {"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes}}
    response = call(client, body | extra, key)
    assert response.status_code == 200, response.content
    return response.json()


def values(answer):
    return {
        name: entry["summaryScore"]["value"] for name, entry in answer["attributeScores"].items()
    }


def verdict_of(text, lang="en"):
    return screening.engine().judge(CommentInput(text=text, lang=lang))


def assert_error(response, code, status):
    assert response.status_code == code, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["status"] == status and error["message"]
    return error


@pytest.mark.parametrize("text", [INSULT, CLEAN, SPAM])
def test_each_attribute_is_read_from_the_engines_scores(client, key, text):
    answer = analyze(client, key, text, languages=["en"])
    scores, verdict = values(answer), verdict_of(text)
    assert set(scores) == set(PLAIN_ATTRIBUTES)
    for entry in answer["attributeScores"].values():
        assert entry["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= entry["summaryScore"]["value"] <= 1
    for attribute, key_name in {
        "INSULT": "personal_attack",
        "IDENTITY_ATTACK": "identity_abuse",
        "PROFANITY": "profanity",
        "THREAT": "threat",
        "SPAM": "promotion",
        "SEXISM": "sexism",
        "RACISM": "racism",
        "HOMOPHOBIA": "homophobia",
        "XENOPHOBIA": "xenophobia",
    }.items():
        assert scores[attribute] == verdict.scores[key_name]
    # Fitted on human labels (test_perspective_calibration.py), severity capped by toxicity.
    toxicity = calibration.probability("TOXICITY", verdict.scores)
    assert scores["TOXICITY"] == toxicity
    assert scores["SEVERE_TOXICITY"] == min(
        calibration.probability("SEVERE_TOXICITY", verdict.scores), toxicity
    )
    assert answer["languages"] == ["en"] and answer["detectedLanguages"] == ["en"]


def test_toxicity_ranks_an_insult_above_a_clean_comment_and_severity_never_exceeds_it(client, key):
    insult, clean = values(analyze(client, key, INSULT)), values(analyze(client, key, CLEAN))
    assert insult["TOXICITY"] > 0.5 > clean["TOXICITY"]
    assert insult["INSULT"] > clean["INSULT"]
    assert values(analyze(client, key, SPAM))["SPAM"] > clean["SPAM"]
    for scores in (insult, clean):
        assert scores["SEVERE_TOXICITY"] <= scores["TOXICITY"]


@pytest.mark.parametrize("text", [INSULT, CLEAN, SPAM, "I will kill you", "Go back home"])
def test_likely_to_reject_reaches_one_half_exactly_when_the_policy_rejects(client, key, text):
    value = values(analyze(client, key, text, ["LIKELY_TO_REJECT"]))["LIKELY_TO_REJECT"]
    verdict = verdict_of(text)
    assert (value >= 0.5) == (screening.engine().policy.decide("en", verdict.scores) == "reject")


def test_span_scores_mark_the_engines_evidence(client, key):
    answer = analyze(client, key, INSULT, ["INSULT", "TOXICITY"], spanAnnotations=True)
    evidence = {
        (e.start, e.end)
        for reason in verdict_of(INSULT).reasons
        if reason.guideline == "personal_attack"
        for e in reason.evidence
    }
    spans = answer["attributeScores"]["INSULT"]["spanScores"]
    assert evidence and {(span["begin"], span["end"]) for span in spans} == evidence
    summary = answer["attributeScores"]["INSULT"]["summaryScore"]["value"]
    for span in spans:
        assert span["score"]["type"] == "PROBABILITY" and 0 < span["score"]["value"] <= summary
    assert answer["attributeScores"]["TOXICITY"]["spanScores"]


def test_a_comment_without_evidence_is_one_span_over_the_whole_text(client, key):
    answer = analyze(client, key, CLEAN, ["INSULT"], spanAnnotations=True)
    insult = answer["attributeScores"]["INSULT"]
    assert insult["spanScores"] == [
        {"begin": 0, "end": len(CLEAN), "score": insult["summaryScore"]}
    ]


def test_no_span_scores_unless_asked(client, key):
    answer = analyze(client, key, INSULT, ["INSULT"])
    assert "spanScores" not in answer["attributeScores"]["INSULT"]


def test_score_threshold_leaves_out_lower_scores_and_client_token_is_echoed(client, key):
    body = {
        "comment": {"text": CLEAN},
        "requestedAttributes": {
            "TOXICITY": {"scoreThreshold": 0.9, "scoreType": "PROBABILITY"},
            "SPAM": {"scoreThreshold": 0.0},
        },
        "clientToken": "comment:42",
        "sessionId": "s",
        "communityId": "Coral:https://news.example.org",
    }
    answer = call(client, body, key).json()
    assert set(answer["attributeScores"]) == {"SPAM"}
    assert answer["clientToken"] == "comment:42"


def test_corals_own_request_is_answered(client, key):
    """Exactly what Coral's Perspective client sends (perspective-client.ts)."""
    body = {
        "comment": {"text": INSULT},
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
    }
    raw = json.dumps(body)
    response = client.post(
        f"/v1alpha1/comments:analyze?key={key}", raw, content_type="application/json"
    )
    score = response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert isinstance(score, float) and score > 0.5


def test_coral_naming_english_for_an_arabic_site_gets_the_arabic_model(client, key):
    """Coral sends "en" for every locale Perspective never served; the text decides."""
    text = "شكرا على هذا التقرير الواضح عن السد والمجلس البلدي"
    answer = analyze(client, key, text, ["TOXICITY"], languages=["en"])
    assert answer["languages"] == ["ar"] and answer["detectedLanguages"] == ["ar"]
    assert values(answer)["TOXICITY"] == calibration.probability(
        "TOXICITY", verdict_of(text, "ar").scores
    )


def test_html_comments_are_scored_on_their_text(client, key):
    body = {
        "comment": {"text": "<p>You are a <b>stupid</b> idiot</p>", "type": "HTML"},
        "requestedAttributes": {"INSULT": {}},
    }
    assert values(call(client, body, key).json()) == values(
        analyze(client, key, INSULT, ["INSULT"])
    )


@pytest.mark.skipif(not screening.engine().relevance, reason="relevance is off")
def test_off_topic_is_relevance_to_the_context_entries(client, key):
    context = {"entries": [{"text": ARTICLE}]}
    on = analyze(
        client,
        key,
        "Rebuilding the dam will cost the council too much.",
        ["OFF_TOPIC"],
        context=context,
    )
    off = analyze(
        client,
        key,
        "My favourite football team lost again on Sunday.",
        ["OFF_TOPIC"],
        context=context,
    )
    assert values(off)["OFF_TOPIC"] > values(on)["OFF_TOPIC"]


def test_off_topic_without_context_is_refused(client, key):
    body = {"comment": {"text": CLEAN}, "requestedAttributes": {"OFF_TOPIC": {}}}
    assert (
        "context.entries"
        in assert_error(call(client, body, key), 400, "INVALID_ARGUMENT")["message"]
    )


@pytest.mark.parametrize(
    "body, words",
    [
        ({"comment": {"text": CLEAN}, "requestedAttributes": {"FLIRTATION": {}}}, "FLIRTATION"),
        ({"comment": {"text": "   "}, "requestedAttributes": {"TOXICITY": {}}}, "empty"),
        ({"comment": {"text": CLEAN}, "requestedAttributes": {}}, "requestedAttributes"),
        ({"comment": {}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text"),
        (
            {
                "comment": {"text": CLEAN, "type": "MARKDOWN"},
                "requestedAttributes": {"TOXICITY": {}},
            },
            "comment.type",
        ),
        (
            {
                "comment": {"text": CLEAN},
                "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV"}},
            },
            "PROBABILITY",
        ),
        (
            {
                "comment": {"text": CLEAN},
                "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}},
            },
            "scoreThreshold",
        ),
        (
            {
                "comment": {"text": CLEAN},
                "requestedAttributes": {"TOXICITY": {}},
                "languages": "en",
            },
            "languages",
        ),
        (
            {
                "comment": {"text": CLEAN},
                "requestedAttributes": {"TOXICITY": {}},
                "doNotStore": "yes",
            },
            "doNotStore",
        ),
        (
            {"comment": {"text": CLEAN}, "requestedAttributes": {"TOXICITY": {}}, "colour": 1},
            "colour",
        ),
        ({"comment": {"text": "x" * 20_481}, "requestedAttributes": {"TOXICITY": {}}}, "bytes"),
    ],
)
def test_bad_requests_are_invalid_argument_saying_what_is_wrong(client, key, body, words):
    assert words in assert_error(call(client, body, key), 400, "INVALID_ARGUMENT")["message"]


def test_a_body_that_is_not_json_is_invalid_argument(client, key):
    assert_error(call(client, b"{not json", key), 400, "INVALID_ARGUMENT")


def test_a_language_no_model_reads_is_refused(client, key):
    body = {
        "comment": {"text": CLEAN},
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["de"],
    }
    error = assert_error(call(client, body, key), 400, "INVALID_ARGUMENT")
    assert "'de'" in error["message"]
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


def test_without_languages_an_unread_language_is_refused_naming_what_was_detected(client, key):
    kurdish = "ئەم وتارە زۆر باشە، سوپاس بۆ ڕاپۆرتەکەت لەسەر بەنداوەکە"
    body = {"comment": {"text": kurdish}, "requestedAttributes": {"TOXICITY": {}}}
    error = assert_error(call(client, body, key), 400, "INVALID_ARGUMENT")
    detail = error["details"][0]["languageNotSupportedByAttributeError"]
    assert detail == {"detectedLanguages": ["ckb"], "attribute": "TOXICITY"}


def test_a_missing_key_is_401_and_a_wrong_or_disabled_one_403(client, key):
    body = {"comment": {"text": CLEAN}, "requestedAttributes": {"TOXICITY": {}}}
    assert_error(
        client.post(ANALYZE, json.dumps(body), content_type="application/json"),
        401,
        "UNAUTHENTICATED",
    )
    assert_error(call(client, body, "agora_pk_wrong"), 403, "PERMISSION_DENIED")
    ApiKey.objects.update(active=False)
    assert_error(call(client, body, key), 403, "PERMISSION_DENIED")


def test_a_key_over_its_quota_gets_429_resource_exhausted(client, db):
    _, limited = ApiKey.objects.issue("limited", per_second=0, per_day=2)
    body = {"comment": {"text": CLEAN}, "requestedAttributes": {"TOXICITY": {}}}
    assert call(client, body, limited).status_code == 200
    assert call(client, body, limited).status_code == 200
    response = call(client, body, limited)
    assert_error(response, 429, "RESOURCE_EXHAUSTED")
    assert 0 < int(response["Retry-After"]) <= 86_400
    # Another key has its own quota.
    _, other = ApiKey.objects.issue("other", per_second=0, per_day=2)
    assert call(client, body, other).status_code == 200


def test_get_is_refused(client, key):
    response = client.get(f"{ANALYZE}?key={key}")
    assert_error(response, 405, "INVALID_ARGUMENT")
    assert response["Allow"] == "POST"


def test_do_not_store_keeps_and_logs_nothing_of_the_text(client, key, caplog):
    secret = "Zebulon Quartermaine is a stupid idiot and lives at 12 Elm Row"
    rows = {
        model: model.objects.count()
        for model in apps.get_models()
        if model._meta.label != "protection.Counter"
    }
    cached = len(screening.engine()._article_vectors)
    with caplog.at_level(logging.DEBUG):
        analyze(
            client,
            key,
            secret,
            list(ATTRIBUTES) if screening.engine().relevance else PLAIN_ATTRIBUTES,
            doNotStore=True,
            context={"entries": [{"text": ARTICLE + " Zebulon Quartermaine"}]},
        )
        call(client, {"comment": {"text": secret}, "requestedAttributes": {"NOPE": {}}}, key)
    assert {model: model.objects.count() for model in rows} == rows
    assert len(screening.engine()._article_vectors) == cached
    assert "Quartermaine" not in caplog.text


def test_suggestscore_is_answered_and_kept_only_when_the_publisher_asks(client, key, settings):
    """Coral's suggestscore form, as its Perspective client builds it."""
    body = {
        "comment": {"text": INSULT},
        "context": {
            "entries": [
                {
                    "text": json.dumps(
                        {"url": "https://news.example.org/a?commentID=7", "Coral_comment_id": "7"}
                    )
                }
            ]
        },
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://news.example.org",
        "clientToken": "comment:7",
    }
    response = call(client, body, key, SUGGEST)
    assert response.status_code == 200 and response.json()["clientToken"] == "comment:7"
    assert not SuggestedScore.objects.exists()

    settings.AGORA_PERSPECTIVE_FEEDBACK = True
    assert call(client, body, key, SUGGEST).status_code == 200
    kept = SuggestedScore.objects.get()
    assert (kept.text, kept.lang, kept.scores) == (INSULT, "en", {"TOXICITY": 1.0})
    assert (
        kept.community_id == "Coral:https://news.example.org" and kept.client_token == "comment:7"
    )


@pytest.mark.parametrize(
    "scores",
    [{"NOPE": {"summaryScore": {"value": 1}}}, {"TOXICITY": {"summaryScore": {"value": 3}}}, {}],
)
def test_a_bad_suggestion_is_refused_and_not_kept(client, key, settings, scores):
    settings.AGORA_PERSPECTIVE_FEEDBACK = True
    body = {"comment": {"text": INSULT}, "attributeScores": scores}
    assert_error(call(client, body, key, SUGGEST), 400, "INVALID_ARGUMENT")
    assert not SuggestedScore.objects.exists()


def test_createkey_prints_a_working_key_with_its_quota(client, db, capsys):
    call_command("createkey", "--label", "coral", "--per-second", "5", "--per-day", "0")
    raw = capsys.readouterr().out.strip()
    stored = ApiKey.objects.get()
    assert (stored.label, stored.per_second, stored.per_day, stored.rates) == (
        "coral",
        5,
        0,
        [(5, 1)],
    )
    assert raw not in stored.digest and ApiKey.objects.find(raw) == stored
    analyze(client, raw, CLEAN, ["TOXICITY"])


def test_createkey_refuses_a_negative_quota(db):
    with pytest.raises(CommandError, match="per_second"):
        call_command("createkey", "--per-second", "-1")
    assert not ApiKey.objects.exists()


def test_every_guideline_feeds_some_attribute():
    covered = {key for attribute in ATTRIBUTES.values() for key in attribute.evidence_keys}
    assert covered == set(GUIDELINES)


def test_the_admin_issues_a_key_shown_once(admin_client, client):
    response = admin_client.post(
        "/admin/perspective/apikey/add/",
        {"label": "coral", "per_second": 3, "per_day": 1000, "active": "on"},
        follow=True,
    )
    message = next(str(m) for m in response.context["messages"])
    raw = next(word for word in message.split() if word.startswith("agora_pk_"))
    assert ApiKey.objects.get().per_second == 3
    analyze(client, raw, CLEAN, ["TOXICITY"])


def test_callers_need_no_csrf_token(key):
    strict = Client(enforce_csrf_checks=True)
    body = {"comment": {"text": CLEAN}, "requestedAttributes": {"TOXICITY": {}}}
    assert call(strict, body, key).status_code == 200
