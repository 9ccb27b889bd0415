"""``TOXICITY`` and ``SEVERE_TOXICITY`` as probabilities of their own.

Agora's guidelines have no "toxic" key: each attribute is a logistic regression over the
logits of the engine's four abuse scores (profanity, threat, personal attack, identity
abuse), fitted to human "toxic" and "severe toxic" labels on comments the engine never
trained on (``agora calibrate_perspective``, see agora/perspective/fitting.py), with every
weight at least zero. ``TOXICITY`` is never below the threat and identity abuse scores
(``FLOORS``). The coefficients and what they were fitted on are in
``artifacts/calibration.json``.
"""

import json
import math
from functools import cache
from pathlib import Path

from agora.guidelines.calibration import DECIMALS, MARGIN

ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "calibration.json"
ABUSE_KEYS = ("profanity", "threat", "personal_attack", "identity_abuse")
# Guidelines whose breach makes a comment toxic by the raters' own definition, which the
# fit cannot learn from talk pages that hold few of them (8 threats in 5,000 comments):
# the attribute is at least as likely as the engine finds them.
FLOORS = {"TOXICITY": ("threat", "identity_abuse"), "SEVERE_TOXICITY": ()}


def features(scores: dict) -> list[float] | None:
    """The logits of the abuse scores; None if the engine scored none of them (a language
    no model reads). A key a language's model does not score counts as the lowest score,
    adding nothing (every weight is at least zero)."""
    values = [scores.get(key) for key in ABUSE_KEYS]
    if all(value is None for value in values):
        return None
    # Rounded scores can be 0 or 1: kept as far from them as the engine's own probabilities.
    return [_logit(min(max(value or 0.0, MARGIN), 1 - MARGIN)) for value in values]


def probability(attribute: str, scores: dict) -> float | None:
    """The calibrated probability of ``attribute`` for a verdict's scores."""
    x = features(scores)
    if x is None:
        return None
    model = fitted()["attributes"][attribute]
    z = model["intercept"] + sum(w * v for w, v in zip(model["weights"], x, strict=True))
    floors = [scores.get(key) or 0.0 for key in FLOORS[attribute]]
    return round(max([1 / (1 + math.exp(-z)), *floors]), DECIMALS)


@cache
def fitted() -> dict:
    return json.loads(ARTIFACT.read_text(encoding="utf-8"))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))
