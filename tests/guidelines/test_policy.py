"""The policy turns scores into decisions; thresholds and switches come from the publisher."""

import pytest

from agora.guidelines.policy import REQUIRED_KEYS, Policy, Thresholds
from agora.guidelines.verdict import GUIDELINES


def hand_policy(**extra) -> Policy:
    """Round thresholds for English and Arabic, so the expected decisions are easy to
    read."""
    table = {key: Thresholds(review=0.3, reject=0.8) for key in REQUIRED_KEYS}
    return Policy(
        thresholds={"*": {"off_topic": Thresholds(0.5, None)}, "en": table, "ar": dict(table)},
        **extra,
    )


def scores(**given) -> dict:
    return {key: 0.0 for key in REQUIRED_KEYS} | {"off_topic": None} | given


def test_scores_below_review_approve():
    assert hand_policy().decide("en", scores(threat=0.29)) == "approve"


def test_review_threshold_is_inclusive():
    assert hand_policy().decide("en", scores(threat=0.3)) == "review"


def test_reject_threshold_rejects_whatever_else_scores():
    assert hand_policy().decide("en", scores(profanity=0.8, threat=0.5)) == "reject"


def test_rejecting_names_every_guideline_at_or_above_reject_in_guideline_order():
    policy = hand_policy()
    both = scores(promotion=0.9, profanity=0.8, threat=0.79, off_topic=0.99)
    assert policy.rejecting("en", both) == ["profanity", "promotion"]
    assert policy.decide("en", both) == "reject"
    assert policy.rejecting("en", scores(threat=0.79)) == []


def test_flagged_names_every_guideline_at_or_above_review_in_guideline_order():
    policy = hand_policy()
    given = scores(threat=0.3, profanity=0.9, promotion=0.29, off_topic=0.5)
    assert policy.flagged("en", given) == [
        k for k in GUIDELINES if k in {"threat", "profanity", "off_topic"}
    ]
    assert policy.flagged("en", scores()) == []


def test_off_topic_asks_for_review_but_never_rejects():
    policy = hand_policy()
    assert policy.decide("en", scores(off_topic=0.99)) == "review"
    assert policy.decide("en", scores(off_topic=0.2)) == "approve"


def test_an_unscored_required_key_blocks_approval():
    assert hand_policy().decide("en", scores(personal_attack=None)) == "review"


def test_unscored_off_topic_does_not_block_approval():
    assert hand_policy().decide("en", scores(off_topic=None)) == "approve"


def test_from_dict_changes_thresholds_for_every_language():
    policy = Policy.from_dict({"thresholds": {"threat": {"reject": 0.5}}}, base=hand_policy())
    assert policy.threshold("en", "threat") == Thresholds(review=0.3, reject=0.5)
    assert policy.decide("en", scores(threat=0.6)) == "reject"
    assert hand_policy().decide("en", scores(threat=0.6)) == "review"


def test_from_dict_per_language_override_leaves_other_languages():
    base = Policy(
        thresholds={
            "*": {"off_topic": Thresholds(0.5, None)},
            "en": {"threat": Thresholds(0.3, 0.8)},
            "tr": {"threat": Thresholds(0.3, 0.8)},
        }
    )
    policy = Policy.from_dict({"languages": {"tr": {"threat": {"review": 0.1}}}}, base=base)
    assert policy.threshold("tr", "threat").review == 0.1
    assert policy.threshold("en", "threat").review == 0.3


def test_from_dict_rejects_unknown_and_invalid_settings():
    base = hand_policy()
    with pytest.raises(ValueError, match="unknown guideline"):
        Policy.from_dict({"thresholds": {"spam": {"review": 0.1}}}, base=base)
    with pytest.raises(ValueError, match="unknown policy settings"):
        Policy.from_dict({"treshold": {}}, base=base)
    with pytest.raises(ValueError, match="above reject"):
        Policy.from_dict({"thresholds": {"threat": {"review": 0.9}}}, base=base)
    with pytest.raises(ValueError, match="from 0 to 1"):
        Policy.from_dict({"thresholds": {"threat": {"reject": 1.5}}}, base=base)
    with pytest.raises(ValueError, match="true or false"):
        Policy.from_dict({"auto_reject": {"threat": "yes"}}, base=base)


def test_nothing_is_automatic_by_default():
    policy = hand_policy()
    assert policy.automatic_action("en", scores(profanity=0.99)) is None
    assert policy.automatic_action("en", scores()) is None


def test_auto_reject_acts_only_for_switched_on_keys():
    policy = Policy.from_dict({"auto_reject": {"profanity": True}}, base=hand_policy())
    assert policy.automatic_action("en", scores(profanity=0.9)) == "reject"
    assert policy.automatic_action("en", scores(threat=0.9)) is None
    assert policy.automatic_action("en", scores(profanity=0.5)) is None


def test_auto_approve_needs_every_guideline_switched_on():
    everything = {key: True for key in GUIDELINES}
    policy = Policy.from_dict({"auto_approve": everything}, base=hand_policy())
    assert policy.automatic_action("en", scores()) == "approve"
    assert policy.automatic_action("en", scores(threat=0.4)) is None
    partial = Policy.from_dict(
        {"auto_approve": everything | {"off_topic": False}}, base=hand_policy()
    )
    assert partial.automatic_action("en", scores()) is None


def test_switches_act_only_on_the_languages_named():
    everything = {key: True for key in GUIDELINES}
    settings = {"auto_approve": everything, "auto_reject": {"profanity": True}}
    english_only = Policy.from_dict(settings | {"auto_languages": ["en"]}, base=hand_policy())
    assert english_only.automatic_action("en", scores()) == "approve"
    assert english_only.automatic_action("en", scores(profanity=0.9)) == "reject"
    assert english_only.automatic_action("ar", scores()) is None
    assert english_only.automatic_action("ar", scores(profanity=0.9)) is None
    assert english_only.decide("ar", scores(profanity=0.9)) == "reject"  # still advised
    # Left out, every language; a later override without it keeps the list.
    assert Policy.from_dict(settings, base=hand_policy()).automatic_action("ar", scores())
    assert Policy.from_dict({}, base=english_only).auto_languages == {"en"}
    for wrong in ("en", [""], [3], {"en": True}):
        with pytest.raises(ValueError, match="auto_languages"):
            Policy.from_dict({"auto_languages": wrong}, base=hand_policy())


def test_default_policy_meets_its_own_ordering():
    """The committed defaults: review at or below reject for every key of every model."""
    policy = Policy.default()
    for lang, table in policy.thresholds.items():
        for key, limits in table.items():
            assert limits.reject is None or limits.review <= limits.reject, (lang, key)
    assert policy.threshold("en", "off_topic").reject is None
