"""The guideline engine inside posting: every comment is judged and the verdict stored."""

import pytest

from agora.comments import actions, screening
from agora.comments.models import Comment, Decision, Status
from agora.guidelines import GUIDELINES


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
