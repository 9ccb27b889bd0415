"""Thresholds fitted to one newsroom's own decisions (agora.guidelines.training.site_policy)."""

import random
import subprocess
import sys

import pytest

from agora.guidelines.policy import REQUIRED_KEYS, Policy
from agora.guidelines.training import site_policy
from agora.guidelines.training.site_policy import OTHER, Decided


@pytest.fixture(scope="module")
def policy():
    return Policy.default()


def newsroom(line: float, n: int = 1200, top: float = 0.6, lang: str = "en") -> list[Decided]:
    """Decisions of moderators who reject a comment for profanity when its profanity score
    (spread evenly up to ``top``; other keys score low) is at least ``line``, oldest
    first."""
    rng = random.Random(3)
    decided = []
    for _ in range(n):
        scores = {key: rng.uniform(0.0, 0.01) for key in REQUIRED_KEYS}
        scores["profanity"] = rng.uniform(0.0, top)
        decided.append(Decided(lang, scores, "profanity" if scores["profanity"] >= line else None))
    return decided


def test_a_lenient_newsroom_gets_more_of_its_clean_comments_approved(policy):
    # These moderators let profanity scores up to 0.3 through; the default reviews from
    # about 0.06.
    fit = site_policy.fit_language("en", newsroom(line=0.3), policy)

    assert fit.thresholds is not None and fit.before and fit.after
    assert fit.before.clean_approved < 0.3
    assert fit.after.clean_approved > 0.85
    assert fit.after.violating_approved <= 0.02
    # At the line, give or take the few violations the approval budget lets through.
    assert 0.25 < fit.thresholds["profanity"]["review"] < 0.32


def test_a_strict_newsroom_gets_fewer_of_its_violations_approved(policy):
    default_review = policy.threshold("en", "profanity").review
    fit = site_policy.fit_language("en", newsroom(line=default_review / 2, top=0.1), policy)

    assert fit.before and fit.after and fit.thresholds
    assert fit.before.violating_approved > 0.03
    assert fit.after.violating_approved <= 0.02
    assert fit.thresholds["profanity"]["review"] < default_review


def test_fitted_thresholds_written_as_settings_give_the_checked_decisions(policy):
    decided = newsroom(line=0.3)
    fits = site_policy.fit(decided, policy)
    fitted = Policy.from_dict(site_policy.policy_settings(fits), base=policy)

    newer = decided[len(decided) // 2 :]
    approved = [c for c in newer if c.rejected_for is None]
    share = sum(fitted.decide("en", c.scores) == "approve" for c in approved) / len(approved)
    assert share == pytest.approx(fits[0].after.clean_approved)


def test_guidelines_nobody_broke_keep_the_thresholds_in_force(policy):
    # Only profanity was ever rejected: a threat threshold chosen on these decisions would
    # be the highest there is, and no threat would reach a moderator.
    fit = site_policy.fit_language("en", newsroom(line=0.3), policy)
    fitted = Policy.from_dict(site_policy.policy_settings([fit]), base=policy)

    assert set(fit.thresholds) == {"profanity"}
    for key in ("threat", "personal_attack", "identity_abuse", "promotion"):
        assert fitted.threshold("en", key) == policy.threshold("en", key)
    threat = {key: 0.0 for key in REQUIRED_KEYS} | {"threat": 0.5}
    assert fitted.decide("en", threat) != "approve"


def test_a_guideline_with_too_few_rejections_is_not_fitted(policy):
    decided = newsroom(line=0.3)
    # 20 threats among the older half's decisions: too few to fit threat on.
    older = len(decided) // 2
    for i in range(20):
        c = decided[i * 10]
        decided[i * 10] = Decided(c.lang, c.scores | {"threat": 0.9}, "threat")
    assert sum(c.rejected_for == "threat" for c in decided[:older]) == 20

    fit = site_policy.fit_language("en", decided, policy)

    assert set(fit.thresholds) == {"profanity"}


def test_too_few_decisions_leave_a_language_alone(policy):
    fit = site_policy.fit_language("en", newsroom(line=0.3, n=150), policy)

    assert fit.thresholds is None and fit.before is None and fit.after is None
    assert "fitting needs at least" in fit.why_not
    assert site_policy.policy_settings([fit], {"auto_reject": {"threat": True}}) == {
        "auto_reject": {"threat": True}
    }


def test_rejections_for_no_guideline_are_checked_but_not_fitted(policy):
    decided = newsroom(line=0.3)
    # A tenth of the comments were rejected for "other" whatever they scored.
    marked = [Decided(c.lang, c.scores, OTHER) if i % 10 == 0 else c for i, c in enumerate(decided)]
    plain = site_policy.fit_language("en", [c for c in marked if c.rejected_for != OTHER], policy)
    fit = site_policy.fit_language("en", marked, policy)

    assert fit.thresholds is not None
    # The newer half counts them among its violations.
    newer = marked[len(marked) // 2 :]
    assert fit.after.violating == sum(c.rejected_for is not None for c in newer)
    assert fit.after.violating > plain.after.violating


def test_off_topic_rejections_and_unscored_languages_are_left_out(policy):
    decided = newsroom(line=0.3)
    extra = [Decided("en", decided[0].scores, "off_topic")] * 50
    extra += [Decided("ckb", {key: None for key in REQUIRED_KEYS}, None)] * 50
    fits = site_policy.fit(decided + extra, policy)

    by_lang = {fit.lang: fit for fit in fits}
    assert by_lang["en"].fitted_on + by_lang["en"].checked_on == len(decided)
    assert by_lang["ckb"].thresholds is None
    assert by_lang["ckb"].fitted_on == 0


def test_settings_keep_what_the_publisher_set_elsewhere(policy):
    current = {
        "auto_approve": {"profanity": True},
        "languages": {
            "en": {"off_topic": {"review": 0.9}},
            "ar": {"threat": {"review": 0.2}},
        },
    }
    fits = site_policy.fit(newsroom(line=0.3), policy)
    settings = site_policy.policy_settings(fits, current)

    assert settings["auto_approve"] == {"profanity": True}
    assert settings["languages"]["ar"] == {"threat": {"review": 0.2}}
    assert settings["languages"]["en"]["off_topic"] == {"review": 0.9}
    assert set(settings["languages"]["en"]) == {"off_topic", "profanity"}
    assert current["languages"]["en"] == {"off_topic": {"review": 0.9}}  # not changed
    Policy.from_dict(settings, base=policy)  # valid as AGORA_POLICY


def test_reject_thresholds_need_enough_approvals_to_be_fitted(policy):
    # 1,200 decisions: about 300 approvals in the older half, too few for a reject budget
    # of 0.6%; 4,000: about 1,000.
    small = site_policy.fit_language("en", newsroom(line=0.3), policy)
    large = site_policy.fit_language("en", newsroom(line=0.3, n=4000), policy)

    assert small.thresholds["profanity"]["reject"] == policy.threshold("en", "profanity").reject
    assert large.thresholds["profanity"]["reject"] != policy.threshold("en", "profanity").reject
    for fit in (small, large):
        limits = fit.thresholds["profanity"]
        assert limits["review"] <= limits["reject"]


def test_a_kept_reject_threshold_that_rejects_approved_comments_is_raised(policy):
    # These moderators let swearing through and never reject for profanity: a fifth of
    # what they approve scores up to 0.9 on it, above the default reject threshold.
    rng = random.Random(7)
    decided = []
    for i in range(2400):
        scores = {key: rng.uniform(0.0, 0.01) for key in REQUIRED_KEYS}
        if i % 5 == 0:
            scores["profanity"] = rng.uniform(0.5, 0.9)
        decided.append(Decided("en", scores, None))
    default = policy.threshold("en", "profanity").reject
    assert default < 0.9

    fit = site_policy.fit_language("en", decided, policy)

    assert fit.raised == ("profanity",) and set(fit.thresholds) == {"profanity"}
    assert fit.thresholds["profanity"]["reject"] > default
    assert fit.before.clean_rejected > 0.05
    assert fit.after.clean_rejected < 0.02  # 0.6% of the older half, give or take
    # Too few approvals to measure a share of them rejected: the threshold stays.
    small = site_policy.fit_language("en", decided[:600], policy)
    assert small.thresholds is None and small.raised == ()


def test_above_approvals_leaves_at_most_the_allowed_approvals_at_or_above_it():
    scores = [0.95, 0.9, 0.9, 0.8, 0.3]
    assert site_policy.above_approvals(0.5, scores, allowed=1) == 0.9001
    assert site_policy.above_approvals(0.5, scores, allowed=3) == 0.8001
    assert site_policy.above_approvals(0.85, scores, allowed=3) == 0.85  # already above
    assert site_policy.above_approvals(0.5, [1.0, 1.0], allowed=0) == 1.0


@pytest.fixture(scope="module")
def engine():
    from agora.guidelines import Engine

    return Engine.load()


def test_decisions_from_another_tool_are_read_and_judged(engine):
    lines = [
        '{"text": "The bridge vote was the right call.", "decision": "approved"}',
        "",
        '{"text": "Fuck off, you utter idiot.", "decision": "rejected", "reason": "profanity"}',
        '{"text": "Visit my shop for cheap watches.", "decision": "rejected"}',
        '{"text": "Pont dengê rast bû.", "decision": "approved", "lang": "kmr"}',
    ]

    decided = site_policy.read_decisions(lines, engine)

    assert [c.rejected_for for c in decided] == [None, "profanity", OTHER, None]
    assert decided[1].scores["profanity"] > 0.5 > decided[0].scores["profanity"]
    assert "off_topic" not in decided[0].scores
    assert decided[3].lang == "kmr" and not site_policy.usable(decided[3])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not JSON"),
        ('["text"]', 'line 1: needs an object with a "text" string'),
        ('{"text": 3, "decision": "approved"}', 'needs an object with a "text" string'),
        ('{"text": "Hi", "decision": "maybe"}', '"decision" must be "approved" or "rejected"'),
        ('{"text": "Hi", "decision": "rejected", "reason": "rude"}', "unknown reason 'rude'"),
    ],
)
def test_a_decisions_file_line_that_cannot_be_read_says_which_and_why(engine, line, message):
    with pytest.raises(site_policy.DecisionsError, match=message):
        site_policy.read_decisions([line], engine)


def test_fitting_loads_no_statistics_package():
    """The moderators' page imports fitting in every server process: SciPy's statistics
    would cost each half a second and about 50 MB, scikit-learn is not installed there."""
    code = (
        "import sys, agora.guidelines.training.site_policy; "
        "print(sorted(m for m in ('scipy.stats', 'sklearn') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
