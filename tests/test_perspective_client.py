"""A published Perspective client (PyPI's ``perspective``, PerspectiveAPI) pointed at a live
Agora: the same library a publisher's scripts use, over HTTP on the loopback."""

import json
import urllib.error

import pytest
from perspective import PerspectiveAPI

from agora.perspective.models import ApiKey


@pytest.fixture
def perspective(live_server, transactional_db, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY"):  # the loopback is reached directly
        monkeypatch.delenv(name, raising=False)
    _, raw = ApiKey.objects.issue("client test", per_second=0, per_day=0)
    client = PerspectiveAPI(raw)
    # The library's base URL: Perspective's, with the operation appended.
    client.api_client.url = f"{live_server.url}/v1alpha1/{{endpoint}}"
    return client


def test_the_client_scores_comments_end_to_end(perspective):
    insult = perspective.score("You are a stupid idiot", tests=["TOXICITY", "INSULT"])
    clean = perspective.score("Thanks for this clear report on the dam vote.", tests=["TOXICITY"])
    assert set(insult) == {"TOXICITY", "INSULT"}
    assert insult["TOXICITY"] > 0.5 > clean["TOXICITY"]


def test_the_client_gets_span_scores_languages_and_its_token_back(perspective):
    answer = perspective.analyze_comment(
        "You are a stupid idiot",
        requested_attributes={"INSULT": {"scoreType": "PROBABILITY"}},
        span_annotations=True,
        languages=["en"],
        do_not_store=True,
        client_token="comment:1",
    )
    assert answer["clientToken"] == "comment:1" and answer["languages"] == ["en"]
    spans = answer["attributeScores"]["INSULT"]["spanScores"]
    assert spans and all(0 <= span["begin"] < span["end"] <= 22 for span in spans)


def test_the_client_sends_suggested_scores(perspective):
    answer = perspective.suggest_score(
        "You are a stupid idiot",
        attribute_scores={"TOXICITY": {"summaryScore": {"value": 1.0}}},
        client_token="comment:2",
    )
    assert answer["clientToken"] == "comment:2"


def test_the_client_sees_perspectives_errors(perspective):
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.analyze_comment("Fine words", requested_attributes={"FLIRTATION": {}})
    assert raised.value.code == 400
    assert json.loads(raised.value.read())["error"]["status"] == "INVALID_ARGUMENT"
    perspective.api_client.api_key = "agora_pk_not_a_key"
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.score("Fine words")
    assert raised.value.code == 403
