"""The triage table: what decisions do to a moderator's work."""

import numpy as np
import pytest

from agora.guidelines import GUIDELINES, CommentInput, Engine, Policy
from agora.guidelines.training.datasets.common import Example, make_labels
from agora.guidelines.training.evaluate import LanguageRun, review_section
from agora.guidelines.training.triage import (
    TARGETS,
    UNSCORED,
    causes_of,
    causes_under,
    cleared,
    is_clean,
    is_violating,
    rejected_against_labels,
    review_causes,
    triage,
    triage_rows,
)


def _row(**labels):
    return Example("text", "en", "s", make_labels(**labels))


def test_clean_and_violating_read_only_the_labels_a_row_has():
    assert is_clean(_row(threat=0, promotion=0))
    assert not is_clean(_row())  # a row that labels nothing is neither
    assert not is_violating(_row())
    assert is_violating(_row(threat=1)) and is_violating(_row(threat=1), "threat")
    assert not is_violating(_row(threat=1), "identity_abuse")


def test_the_four_shares_count_each_group_separately():
    decisions = np.array(["approve", "approve", "reject", "review", "approve", "reject"])
    clean = np.array([True, True, True, False, False, False])
    result = triage(decisions, clean, ~clean)
    assert (result.clean, result.violating) == (3, 3)
    assert result.clean_approved == 2 / 3 and result.clean_rejected == 1 / 3
    assert result.violating_approved == 1 / 3 and result.violating_rejected == 1 / 3


def test_a_rejection_is_a_mistake_only_for_a_guideline_the_labels_clear():
    # A row of a hate speech set labelled only "not hate", a fully labelled clean row, and
    # a violation: rejected for profanity, the first is not known to be wrong.
    only_hate = _row(identity_abuse=0)
    rows = [only_hate, only_hate, _row(profanity=0, identity_abuse=0), _row(threat=1, profanity=0)]
    assert cleared(rows, ["profanity", "identity_abuse"]).tolist() == [
        [False, True],
        [False, True],
        [True, True],
        [False, False],  # a violation is never wrongly rejected
    ]
    rejecting = [["profanity"], ["profanity", "identity_abuse"], ["profanity"], ["profanity"]]
    assert rejected_against_labels(rows, rejecting).tolist() == [False, True, True, False]


def test_clean_rejected_counts_the_mistakes_and_any_guideline_every_rejection():
    decisions = np.array(["reject", "reject", "approve", "approve", "reject"])
    clean = np.array([True, True, True, True, False])
    wrong = np.array([False, True, False, False, False])
    result = triage(decisions, clean, ~clean, wrong)
    assert result.clean_rejected == 1 / 4 and result.clean_rejected_any == 2 / 4
    assert result.violating_rejected == 1.0
    # Rows labelled for every guideline (a newsroom's decisions): every rejection counts.
    assert triage(decisions, clean, ~clean).clean_rejected == 2 / 4


def test_targets_are_met_only_in_pairs():
    decisions = np.array(["approve"] * 80 + ["review"] * 20 + ["reject"] * 60 + ["review"] * 40)
    clean = np.arange(200) < 100
    assert triage(decisions, clean, ~clean).meets(TARGETS) == {
        "clean_approved": True,
        "violating_rejected": True,
    }
    # One violating comment approved in a hundred is fine; three are not.
    leaky = decisions.copy()
    leaky[100:103] = "approve"
    assert triage(leaky, clean, ~clean).meets(TARGETS)["clean_approved"] is False


def test_spotlight_lines_take_every_clean_row_and_their_own_violations():
    rows = [_row(threat=0), _row(threat=1), _row(identity_abuse=1), _row(profanity=1)]
    decisions = np.array(["approve", "reject", "approve", "review"])
    lines = triage_rows(rows, decisions, [[], ["threat"], [], []])
    assert set(lines) == {"all", "threat", "identity_abuse"}
    assert lines["threat"].violating == 1 and lines["threat"].violating_rejected == 1.0
    assert lines["identity_abuse"].violating_approved == 1.0
    assert lines["all"].violating == 3 and lines["all"].clean == 1


def test_a_stand_in_is_one_cause_for_the_guidelines_it_scores():
    source = {"profanity": "offensive", "threat": "offensive"}.get
    causes = causes_of(["profanity", "threat", "promotion"], False, lambda k: source(k, k))
    assert causes == {("profanity", "threat"), ("promotion",)}
    # Reasons come ordered by score: the cause is named the same whatever the order.
    assert causes_of(["threat", "promotion", "profanity"], False, lambda k: source(k, k)) == causes
    assert causes_of([], True, str) == {(UNSCORED,)}


def test_review_causes_count_clean_and_violating_comments_each_cause_keeps_from_approval():
    offensive, promotion = ("profanity", "threat"), ("promotion",)
    causes = [
        frozenset({offensive}),  # clean, reviewed for one reason
        frozenset({offensive, promotion}),  # clean, two reasons
        frozenset({offensive}),  # violating, one reason
        frozenset({promotion}),  # clean but rejected: not a review
        frozenset({(UNSCORED,)}),  # clean, no score
        frozenset(),  # clean, approved
    ]
    decisions = np.array(["review", "review", "review", "reject", "review", "approve"])
    clean = np.array([True, True, False, True, True, True])
    found = {c.cause: c for c in review_causes(causes, decisions, clean, ~clean)}
    assert set(found) == {offensive, promotion, (UNSCORED,)}
    assert (found[offensive].clean, found[offensive].clean_alone) == (2, 1)
    assert found[offensive].violating_alone == 1
    assert (found[promotion].clean, found[promotion].clean_alone) == (1, 0)
    assert (found[(UNSCORED,)].clean, found[(UNSCORED,)].clean_alone) == (1, 1)
    # Most clean comments first.
    assert review_causes(causes, decisions, clean, ~clean)[0].cause == offensive


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def test_a_verdict_names_one_cause_for_a_stand_in(engine):
    """Turkish profanity, attacks, threats and identity abuse all read the `offensive`
    probability: a comment they flag together has one cause, not four."""
    model = engine.models["tr"]
    assert {"profanity", "threat"} <= set(model.stand_ins)
    everything = {"review": 0.0, "reject": 1.0}
    everything = {"languages": {"tr": {key: everything for key in model.stand_ins}}}
    policy = Policy.from_dict(everything, base=engine.policy)
    judged = Engine(engine.models, policy, engine.model_version, encoder=engine.encoder)
    verdict = judged.judge(CommentInput("Haberi okudum, yarın tekrar yazarım.", lang="tr"))
    assert {"profanity", "threat"} <= {reason.guideline for reason in verdict.reasons}
    causes = causes_under(policy, "tr", verdict.scores, model.source_key)
    assert causes == {tuple(key for key in GUIDELINES if key in model.stand_ins)}
    # Relevance had no article to read: its note is no cause (relevance is not required).
    kurdish = engine.judge(CommentInput("ئەمە دەقێکی تاقیکردنەوەیە", lang="ckb"))
    assert causes_under(engine.policy, "ckb", kurdish.scores, model.source_key) == {(UNSCORED,)}


def test_the_review_section_gives_each_cause_with_its_shares():
    rows = [
        Example("a", "tr", "s", make_labels(profanity=0)),
        Example("b", "tr", "s", make_labels(profanity=0)),
        Example("c", "tr", "s", make_labels(profanity=1)),
        Example("d", "tr", "s", make_labels(profanity=0)),
    ]
    decisions = np.array(["review", "review", "review", "approve"])
    offensive, promotion = ("profanity", "threat"), ("promotion",)
    causes = [frozenset({offensive}), frozenset({offensive, promotion})]
    causes += [frozenset({offensive}), frozenset()]
    run = LanguageRun(
        "tr", rows, {}, decisions, [], {}, {}, np.zeros(4, bool), decisions, causes, [[]] * 4
    )
    lines = [line for line in review_section([run]) if line.startswith("| tr")]
    assert lines == [
        "| tr | `profanity`, `threat` | 2 (66.7%) | 1 (33.3%) | 1 (100.0%) |",
        "| tr | `promotion` | 1 (33.3%) | 0 (0.0%) | 0 (0.0%) |",
    ]
