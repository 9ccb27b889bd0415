"""TOXICITY and SEVERE_TOXICITY: regressions fitted on held-out human labels."""

import itertools
import math

import numpy as np
import pytest

from agora.perspective import calibration
from agora.perspective.calibration import ABUSE_KEYS


def scores(**given) -> dict:
    return {key: given.get(key, 0.01) for key in ABUSE_KEYS}


@pytest.mark.parametrize("attribute", ["TOXICITY", "SEVERE_TOXICITY"])
def test_the_artifact_applies_as_written(attribute):
    model = calibration.fitted()["attributes"][attribute]
    given = scores(profanity=0.3, threat=0.02, personal_attack=0.6, identity_abuse=0.05)
    z = model["intercept"] + sum(
        w * math.log(given[key] / (1 - given[key]))
        for w, key in zip(model["weights"], ABUSE_KEYS, strict=True)
    )
    floors = [given[key] for key in calibration.FLOORS[attribute]]
    expected = round(max([1 / (1 + math.exp(-z)), *floors]), 4)
    assert calibration.probability(attribute, given) == expected


@pytest.mark.parametrize("attribute", ["TOXICITY", "SEVERE_TOXICITY"])
def test_a_higher_abuse_score_never_lowers_the_attribute(attribute):
    levels = [0.0, 0.05, 0.3, 0.7, 0.99, 1.0]
    for combination in itertools.product(levels, repeat=len(ABUSE_KEYS)):
        given = dict(zip(ABUSE_KEYS, combination, strict=True))
        base = calibration.probability(attribute, given)
        for key in ABUSE_KEYS:
            for higher in (level for level in levels if level > given[key]):
                raised = calibration.probability(attribute, {**given, key: higher})
                assert raised >= base, (attribute, given, key, higher)


def test_threats_and_identity_attacks_are_at_least_that_toxic():
    assert calibration.probability("TOXICITY", scores(threat=0.93)) >= 0.93
    assert calibration.probability("TOXICITY", scores(identity_abuse=0.81)) >= 0.81
    # The fit itself still rates an insult far above a clean comment.
    insult = calibration.probability("TOXICITY", scores(personal_attack=0.95, profanity=0.9))
    assert insult > 0.5 > calibration.probability("TOXICITY", scores())


def test_a_language_no_model_reads_gets_no_score_and_a_missing_key_counts_as_lowest():
    assert calibration.probability("TOXICITY", dict.fromkeys(ABUSE_KEYS)) is None
    partial = {**scores(personal_attack=0.9), "threat": None}
    assert calibration.probability("TOXICITY", partial) == calibration.probability(
        "TOXICITY", {**partial, "threat": 0.0}
    )


def test_the_fit_beats_the_highest_abuse_score_on_the_held_out_half():
    toxicity = calibration.fitted()["attributes"]["TOXICITY"]
    assert toxicity["evaluation"] == "held-out half"
    after, before = toxicity["figures"], toxicity["before"]
    assert after["rows"] == before["rows"] > 1000
    assert after["brier"] < before["brier"] and after["ece"] < before["ece"]
    assert after["roc_auc"] >= before["roc_auc"]
    for model in calibration.fitted()["attributes"].values():
        assert min(model["weights"]) >= 0
    assert set(calibration.fitted()["manifest"]["data"]) == {
        "en/jigsaw-wiki-random5k",
        "en/jigsaw-wiki-first20k-binary",
    }


def test_the_fit_keeps_weights_at_or_above_zero_and_matches_a_free_fit_otherwise():
    # Fitting belongs to the training extra (scikit-learn and the data loaders).
    LogisticRegression = pytest.importorskip("sklearn.linear_model").LogisticRegression
    from agora.perspective import fitting

    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, 4))
    y = (x @ [1.5, 0.8, 2.0, 0.4] + rng.logistic(size=3000) > 1).astype(float)
    weights, intercept = fitting._fit_monotone(x, y)
    free = LogisticRegression(C=1.0).fit(x, y)
    assert np.allclose(weights, free.coef_[0], atol=5e-3)
    assert intercept == pytest.approx(free.intercept_[0], abs=5e-3)

    y_against = (x @ [1.5, -1.0, 2.0, 0.4] + rng.logistic(size=3000) > 1).astype(float)
    weights, _ = fitting._fit_monotone(x, y_against)
    assert weights[1] == 0 and min(weights) >= 0 and weights[2] > 1
