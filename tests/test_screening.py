"""The guideline engine inside posting: every comment is judged and the verdict stored."""

import importlib

import numpy as np
import pytest
from django.urls import reverse

from agora.comments import actions, screening
from agora.comments.models import Comment, Decision, Status
from agora.guidelines import GUIDELINES
from agora.guidelines.relevance import WIDTH, off_topic_review_threshold


@pytest.fixture
def fresh_engine():
    """Reload the engine under the settings of the test, and again afterwards."""
    screening.reset_engine()
    yield
    screening.reset_engine()


def post(article, body, **extra):
    comment, _ = actions.post_comment(
        actions.NewComment(
            article=article,
            author_name="Reader",
            author_email="reader@example.org",
            body=body,
            **extra,
        )
    )
    return Comment.objects.get(pk=comment.pk)


def test_every_posted_comment_carries_the_engines_verdict(article):
    comment = post(article, "The council should publish the engineers' report on the dam.")

    assert comment.status == Status.PENDING
    assert comment.lang == "en"
    assert comment.decision in {"approve", "review", "reject"}
    assert comment.model_version == screening.engine().model_version
    assert set(comment.verdict["scores"]) >= {
        "profanity",
        "threat",
        "personal_attack",
        "identity_abuse",
        "promotion",
        "off_topic",
        "sexism",
        "racism",
        "homophobia",
        "xenophobia",
    }
    scored = [comment.verdict["scores"][key] for key in GUIDELINES]
    scored = [score for score in scored if score is not None]
    assert comment.risk == pytest.approx(max(scored))


def test_an_abusive_comment_is_flagged_with_evidence_and_ranked_above_a_clean_one(article):
    clean = post(article, "The council should publish the engineers' report on the dam.")
    abusive = post(article, "You are a fucking idiot and everyone knows it.")

    assert abusive.risk > clean.risk
    assert abusive.decision in {"review", "reject"}
    flagged = [reason for reason in abusive.verdict["reasons"] if reason["score"] is not None]
    assert flagged, abusive.verdict
    assert abusive.flags == "," + ",".join(r["guideline"] for r in flagged) + ","
    spans = [e for reason in flagged for e in reason["evidence"]]
    assert any(abusive.body[e["start"] : e["end"]] == e["text"] for e in spans)
    assert Comment.objects.flagged_for(flagged[0]["guideline"]).filter(pk=abusive.pk).exists()


def test_by_default_even_a_clear_violation_waits_for_a_human(article):
    comment = post(article, "You are a fucking idiot and everyone knows it.")

    assert comment.status == Status.PENDING
    assert not Decision.objects.filter(comment=comment).exists()


def test_a_publisher_can_let_the_engine_reject_on_its_own(article, settings, fresh_engine):
    settings.AGORA_POLICY = {"auto_reject": {"profanity": True, "personal_attack": True}}

    comment = post(article, "You are a fucking idiot and everyone knows it.")

    assert comment.status == Status.REJECTED
    decision = Decision.objects.get(comment=comment)
    assert decision.automatic and decision.moderator is None
    assert decision.reason in {"profanity", "personal_attack"}


def test_a_publisher_can_let_the_engine_publish_clean_comments(article, settings, fresh_engine):
    settings.AGORA_POLICY = {"auto_approve": dict.fromkeys(GUIDELINES, True)}

    comment = post(article, "Thank you for explaining why the council chose to rebuild the dam.")

    assert comment.decision == "approve", comment.verdict
    assert comment.status == Status.APPROVED
    assert Decision.objects.get(comment=comment).automatic


def test_a_kurdish_comment_is_never_approved_automatically(article, settings, fresh_engine):
    settings.AGORA_POLICY = {"auto_approve": dict.fromkeys(GUIDELINES, True)}

    comment = post(article, "Ev gotareke gelek baş e, spas ji bo vê nûçeyê û ji bo xebata we.")

    assert comment.lang == "kmr"
    assert comment.decision == "review"
    assert comment.status == Status.PENDING
    assert any("Kurmanji" in reason["message"] for reason in comment.verdict["reasons"])


def test_a_retried_submission_is_judged_and_stored_once(article):
    first = post(article, "Good reporting on the dam.", idempotency_key="retry-1")
    second = post(article, "Good reporting on the dam.", idempotency_key="retry-1")

    assert first.pk == second.pk
    assert Comment.objects.count() == 1


def test_the_article_is_embedded_once_and_its_vectors_stored(article, monkeypatch):
    relevance = screening.engine().relevance
    embedded = []
    original = relevance.article_vectors

    def counting(*text):
        embedded.append(text)
        return original(*text)

    monkeypatch.setattr(relevance, "article_vectors", counting)
    post(article, "The council should publish the engineers' report on the dam.")
    article.refresh_from_db()
    stored = screening.stored_article_vectors(article)
    post(article, "Who pays for the repairs to the dam, the county or the state?")
    assert len(embedded) == 1
    assert stored.shape[1] == WIDTH and len(stored) >= 1
    assert np.array_equal(stored, original(article.title, article.standfirst, article.body))

    # An edited article is embedded again; the stored vectors follow the new text.
    article.body += "\n\nThe county engineer has resigned."
    article.save()
    post(article, "Good riddance to the county engineer.")
    assert len(embedded) == 2
    article.refresh_from_db()
    assert np.array_equal(screening.stored_article_vectors(article), counting(*embedded[1]))


def test_an_article_the_model_cannot_read_is_not_embedded(article):
    article.language = "ar"
    article.save()
    comment = post(article, "متى سيتم إصلاح السد؟ ننتظر منذ سنوات")
    article.refresh_from_db()
    assert article.relevance_vectors is None
    assert comment.verdict["scores"]["off_topic"] is None
    assert any(
        r["guideline"] == "off_topic" and "language" in r["message"]
        for r in comment.verdict["reasons"]
    )


def test_an_off_topic_comment_goes_to_review_and_says_why(article):
    threshold = screening.engine().policy.threshold("en", "off_topic")
    assert threshold.review == off_topic_review_threshold() and threshold.reject is None

    on_topic = post(article, "Rebuilding the dam is overdue; the council took two years too long.")
    off_topic = post(article, "The striker scored twice and United won the cup final on penalties.")
    assert on_topic.verdict["scores"]["off_topic"] < threshold.review
    assert off_topic.verdict["scores"]["off_topic"] >= threshold.review
    assert off_topic.decision == "review"
    reason = next(r for r in off_topic.verdict["reasons"] if r["guideline"] == "off_topic")
    assert "Off topic" in reason["message"] and "the article" in reason["message"]


def test_the_wsgi_application_loads_the_engine_before_the_first_comment(fresh_engine):
    # Under gunicorn's preload this happens once, in the master, before workers fork.
    import agora.wsgi
    from agora.guidelines import normalize, relevance

    screening.reset_engine()
    relevance._load.cache_clear()  # as in a new process: no model loaded by earlier tests
    normalize._tables.clear()
    importlib.reload(agora.wsgi)
    assert screening._engine is not None
    # The text normalisation tables too, which the first comment would otherwise build.
    assert set(normalize._tables) == {False, True}
    # But not the relevance model's session: onnxruntime is not fork-safe, so each gunicorn
    # worker starts its own once forked (agora.gunicorn_conf.post_worker_init).
    assert screening._engine.relevance._session is None
    # Nor the guideline heads' (agora.guidelines.dense_layer): built on a worker's first comment.
    assert "_head_stack" not in vars(screening._engine.models["en"])
    screening.warm_up_relevance()
    assert screening._engine.relevance._session is not None


def test_a_kurdish_threat_comes_first_among_kurdish_comments_and_is_flagged(article):
    plain = post(article, "ئەم هەواڵە زۆر باشە، سوپاس بۆ ڕۆژنامەنووسەکان.")
    threat = post(article, "ئەگەر جارێکی تر ئەمە بنووسیت دەتکوژم.")

    assert plain.lang == threat.lang == "ckb"
    assert plain.decision == threat.decision == "review"
    assert threat.risk > plain.risk
    assert plain.flags == "" and threat.flags == ",threat,"
    assert Comment.objects.flagged_for("threat").filter(pk=threat.pk).exists()
    (reason,) = [r for r in threat.verdict["reasons"] if r["evidence"]]
    assert reason["guideline"] == "threat" and reason["score"] is None
    assert [threat.body[e["start"] : e["end"]] for e in reason["evidence"]] == ["دەتکوژم"]


def test_the_queue_marks_a_kurdish_threats_words_and_filters_it_as_a_threat(article, staff_client):
    threat = post(article, "Ez ê te bikujim, ji vê nûçeyê dûr bikeve.")

    assert threat.lang == "kmr"
    page = staff_client.get(reverse("moderation:queue"), {"guideline": "threat"})
    assert [comment.pk for comment in page.context["comments"]] == [threat.pk]
    html = page.content.decode()
    assert 'data-guidelines="threat"' in html and ">te bikujim</mark>" in html
