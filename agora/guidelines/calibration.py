"""Turn a model's raw scores into probabilities that mean what they say.

A classifier trained with balanced class weights on a mix of data sets ranks comments
well but its probabilities are not frequencies. We refit the mapping on held-out
validation rows: of comments calibrated to about 0.8, about 80% break the guideline.

Platt's sigmoid of the raw log-odds, for every key: a smooth, strictly increasing map, so
two comments with different raw scores get different probabilities and no threshold sits on
a plateau (isotonic regression, fitted on a few hundred positives, gave each key only 40-90
distinct values, and a reject threshold could sit a hair above the biggest step). The map is
stored as a fine monotone piecewise-linear curve (knots ``xs`` -> ``ys``), one small pair
of arrays per key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Calibrated probabilities stay this far from 0 and 1: a finite calibration set cannot
#: justify certainty, and a threshold of 1.0 must remain out of reach.
MARGIN = 1e-4
#: Scores are given to this many decimals everywhere (verdicts, thresholds, evaluation), so
#: a decision taken on a stored score is the decision the engine took.
DECIMALS = 4
_PLATT_KNOTS = 1025


@dataclass(frozen=True)
class Calibrator:
    """Monotone piecewise-linear map from raw score to probability."""

    xs: np.ndarray
    ys: np.ndarray
    method: str

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return np.round(np.interp(raw, self.xs, self.ys), DECIMALS)


def fit_calibrator(raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Fit the map from raw scores ``raw`` to the 0/1 labels ``y`` of validation rows."""
    from sklearn.linear_model import LogisticRegression

    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y)
    platt = LogisticRegression(C=1e6).fit(raw.reshape(-1, 1), y)
    span = max(np.ptp(raw), 1e-6)
    xs = np.linspace(raw.min() - span, raw.max() + span, _PLATT_KNOTS)
    ys = np.clip(platt.predict_proba(xs.reshape(-1, 1))[:, 1], MARGIN, 1 - MARGIN)
    return Calibrator(xs, ys, "platt")


def reliability(probabilities: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict]:
    """Predicted vs observed frequency per probability bin (the reliability check)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append(
                {
                    "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    "n": int(mask.sum()),
                    "predicted": float(probabilities[mask].mean()),
                    "observed": float(np.asarray(y)[mask].mean()),
                }
            )
    return table


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Row-weighted mean gap between predicted and observed frequency over the bins."""
    table = reliability(probabilities, y)
    total = sum(row["n"] for row in table)
    return sum(row["n"] * abs(row["predicted"] - row["observed"]) for row in table) / total
