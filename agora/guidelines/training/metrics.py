"""Small scoring helpers shared by training (manifest figures) and ``agora evaluate``."""

from __future__ import annotations

import numpy as np


def roc_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC-AUC, or ``None`` when the rows hold only one class: the chance that a positive
    outscores a negative, ties counting half (the Mann-Whitney statistic, which the area
    under the curve is). NumPy alone: ``agora fit_policy`` and the moderators' page on the
    engine run on a server, which installs no training extra and should not load SciPy's
    statistics (half a second and 50 MB a process) for a rarely opened page."""
    y = np.asarray(y).astype(bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    # Each score's rank, ties sharing the mean of the ranks they span.
    _, inverse, counts = np.unique(
        np.asarray(scores, dtype=float), return_inverse=True, return_counts=True
    )
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def precision_recall_f1(y: np.ndarray, flagged: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of a 0/1 decision (0.0 where undefined)."""
    y, flagged = np.asarray(y).astype(bool), np.asarray(flagged).astype(bool)
    hits = float((y & flagged).sum())
    precision = hits / flagged.sum() if flagged.any() else 0.0
    recall = hits / y.sum() if y.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def share(mask: np.ndarray) -> float | None:
    """Fraction of true values, or ``None`` for no rows."""
    mask = np.asarray(mask)
    return float(mask.mean()) if mask.size else None


def macro_f1(y: np.ndarray, flagged: np.ndarray) -> float:
    """Mean of the F1 on positives and the F1 on negatives of a 0/1 decision."""
    y, flagged = np.asarray(y).astype(bool), np.asarray(flagged).astype(bool)
    return (precision_recall_f1(y, flagged)[2] + precision_recall_f1(~y, ~flagged)[2]) / 2


def percent(value: float | None) -> str:
    """A share as a table cell: one decimal and a percent sign, "-" for no rows."""
    return "-" if value is None else f"{100 * value:.1f}%"


def count_and_percent(count: int, total: int) -> str:
    """A count with its share of ``total`` (``"12 (3.4%)"``; "-" for the share of none)."""
    return f"{count} ({percent(count / total if total else None)})"
