"""The stored verdict's typed round trip (agora/guidelines/verdict.py) and the one list
of guidelines that the rejection reasons follow (agora/comments/checks.py)."""

from django.core import checks

from agora.comments.models import Comment, Reason
from agora.guidelines.verdict import GUIDELINES, Evidence, Verdict
from agora.guidelines.verdict import Reason as EngineReason

VERDICT = Verdict(
    id="c-1",
    lang="en",
    scores={"threat": 0.91, "profanity": 0.4, "off_topic": None},
    decision="reject",
    reasons=[
        EngineReason("threat", 0.91, [Evidence(0, 5, "burn ")], "Threat: probability 0.91."),
        EngineReason("profanity", 0.4, [], "Profanity: probability 0.4."),
        EngineReason("off_topic", None, [], "Not checked: no relevance model."),
    ],
    risk=0.91,
    model_version="test-2",
)


def test_a_verdict_reads_back_as_it_was_written():
    assert Verdict.from_dict(VERDICT.to_dict(), risk=VERDICT.risk) == VERDICT


def test_a_verdict_stored_by_an_older_version_reads_with_what_it_has():
    stored = {
        "lang": "en",
        "decision": "review",
        "reasons": [
            {"guideline": "threat", "score": 0.7, "evidence": [{"start": 0, "end": 4}, "x"]},
            {"score": 0.9},  # no guideline: left out
            "not a reason",
        ],
    }
    verdict = Verdict.from_dict(stored)
    assert verdict.scores == {} and verdict.model_version == ""
    assert [(r.guideline, r.score, r.evidence) for r in verdict.reasons] == [
        ("threat", 0.7, [Evidence(0, 4, "")])
    ]


def test_the_top_guideline_is_the_highest_scored_reason():
    assert VERDICT.top_guideline == "threat"
    unscored = Verdict.from_dict({"reasons": [{"guideline": "off_topic", "score": None}]})
    assert unscored.top_guideline == ""


def test_a_comment_reads_its_stored_verdict_through_one_adaptor():
    comment = Comment(body="x", verdict=VERDICT.to_dict(), risk=VERDICT.risk)
    assert comment.engine_verdict == VERDICT
    assert Comment(body="x", verdict=None).engine_verdict is None


def test_the_rejection_reasons_are_the_guidelines_and_other():
    assert set(Reason.values) == {*GUIDELINES, Reason.OTHER}
    assert [e.id for e in checks.run_checks() if e.id == "agora.E001"] == []


def test_the_check_names_a_reason_that_is_no_guideline(monkeypatch):
    from agora.comments import checks as reason_checks

    monkeypatch.setattr(reason_checks, "GUIDELINES", (*GUIDELINES, "spam"))
    (error,) = reason_checks.reasons_follow_the_guidelines(None)
    assert error.id == "agora.E001" and "'spam'" in error.hint
