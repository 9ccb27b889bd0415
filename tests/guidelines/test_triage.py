"""The triage table: what decisions do to a moderator's work."""

import numpy as np

from agora.guidelines.training.datasets.common import Example, make_labels
from agora.guidelines.training.triage import TARGETS, is_clean, is_violating, triage, triage_rows


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
    lines = triage_rows(rows, decisions)
    assert set(lines) == {"all", "threat", "identity_abuse"}
    assert lines["threat"].violating == 1 and lines["threat"].violating_rejected == 1.0
    assert lines["identity_abuse"].violating_approved == 1.0
    assert lines["all"].violating == 3 and lines["all"].clean == 1
