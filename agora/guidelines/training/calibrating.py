"""Fitting the calibration maps (:mod:`agora.guidelines.calibration`) and checking them."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from agora.guidelines.calibration import MARGIN, Calibrator

#: Knots of the stored Platt curve.
PLATT_KNOTS = 1025


def fit_calibrator(raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Fit the map from raw scores ``raw`` to the 0/1 labels ``y`` of validation rows."""
    raw = np.asarray(raw, dtype=np.float64)
    y = np.asarray(y)
    platt = LogisticRegression(C=1e6).fit(raw.reshape(-1, 1), y)
    span = max(np.ptp(raw), 1e-6)
    xs = np.linspace(raw.min() - span, raw.max() + span, PLATT_KNOTS)
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
