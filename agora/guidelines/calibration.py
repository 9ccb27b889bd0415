"""Turn a model's raw scores into probabilities that mean what they say.

A classifier trained with balanced class weights on a mix of data sets ranks comments
well but its probabilities are not frequencies. We refit the mapping on held-out
validation rows: of comments calibrated to about 0.8, about 80% break the guideline.

Platt's sigmoid of the raw log-odds, for every key: a smooth, strictly increasing map, so
two comments with different raw scores get different probabilities and no threshold sits on
a plateau (isotonic regression, fitted on a few hundred positives, gave each key only 40-90
distinct values, and a reject threshold could sit a hair above the biggest step). The map is
stored as a fine monotone piecewise-linear curve (knots ``xs`` -> ``ys``), one small pair
of arrays per key. Fitting it, and the reliability check, are in
:mod:`agora.guidelines.training.calibrating`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: Calibrated probabilities stay this far from 0 and 1: a finite calibration set cannot
#: justify certainty, and a threshold of 1.0 must remain out of reach.
MARGIN = 1e-4
#: Scores are given to this many decimals everywhere (verdicts, thresholds, evaluation), so
#: a decision taken on a stored score is the decision the engine took.
DECIMALS = 4


@dataclass(frozen=True)
class Calibrator:
    """Monotone piecewise-linear map from raw score to probability."""

    xs: np.ndarray
    ys: np.ndarray
    method: str

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        probabilities: np.ndarray = np.round(np.interp(raw, self.xs, self.ys), DECIMALS)
        return probabilities


def noisy_or(chances: Iterable[float]) -> float:
    """The chance that at least one of independent signals is right, each right with its
    chance: how a cue, a listed term or an unknown language's prior adds to a score. On the
    score grid (``DECIMALS``)."""
    missed = 1.0
    for chance in chances:
        missed *= 1.0 - chance
    return round(1.0 - missed, DECIMALS)
