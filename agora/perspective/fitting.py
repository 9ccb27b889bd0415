"""Fitting ``TOXICITY`` and ``SEVERE_TOXICITY`` (agora/perspective/calibration.py) on
human labels the guideline engine never trained on.

The labels are Jigsaw's "toxic" and "severe toxic", given to Wikipedia talk-page comments
by the raters whose judgements defined Perspective's attributes: both Jigsaw sets in
``../shared/data`` give "toxic", the random sample alone gives "severe toxic". Only the
rows the engine's own split holds out are used (agora.guidelines.training.datasets.common): the
attribute is fitted on the calibration half and reported on the evaluation half, the
same halves the engine calibrates and reports its guidelines on.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agora.guidelines import CommentInput, Engine
from agora.guidelines.calibration import DECIMALS
from agora.guidelines.manifest import sha256_file
from agora.guidelines.training.calibrating import expected_calibration_error
from agora.guidelines.training.datasets import english
from agora.guidelines.training.datasets.common import dedup_key, split, validation_halves
from agora.guidelines.training.metrics import roc_auc
from agora.perspective import calibration

# Data set folder -> its files and the columns holding "toxic" and "severe toxic".
SETS = {
    "en/jigsaw-wiki-random5k": (("jigsaw_sample.csv",), "toxic", "severe_toxic"),
    "en/jigsaw-wiki-first20k-binary": (
        ("text_comment_1.csv", "text_comment_2.csv"),
        "labels",
        None,
    ),
}
LABELS = {"TOXICITY": "toxic", "SEVERE_TOXICITY": "severe"}
# Attributes fitted on too few positives to keep an evaluation half aside are fitted on
# both halves, and their figures say so.
MIN_POSITIVES_TO_HOLD_OUT = 30
ENGINE_BATCH = 256


@dataclass(frozen=True)
class Row:
    text: str
    toxic: int
    severe: int | None  # None where the set does not say


def held_out(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """The labelled rows of the engine's (calibration, evaluation) halves."""
    raw = _raw_labels(data_dir)
    _, validation = split(english.load(data_dir))
    halves = validation_halves(validation)
    return tuple(
        [
            raw[(example.source, dedup_key(example.text))]
            for example in half
            if (example.source, dedup_key(example.text)) in raw
        ]
        for half in halves
    )


def _raw_labels(data_dir: Path) -> dict[tuple[str, str], Row]:
    rows = {}
    for source, (files, toxic, severe) in SETS.items():
        for name in files:
            with (data_dir / source / name).open(encoding="utf-8", newline="") as handle:
                for record in csv.DictReader(handle):
                    text = record["comment_text"]
                    rows.setdefault(
                        (source, dedup_key(text)),
                        Row(text, int(record[toxic]), int(record[severe]) if severe else None),
                    )
    return rows


def engine_features(engine: Engine, rows: list[Row]) -> np.ndarray:
    """Each row's features (calibration.features) from the engine's verdict."""
    verdicts = []
    for start in range(0, len(rows), ENGINE_BATCH):
        batch = rows[start : start + ENGINE_BATCH]
        verdicts += engine.judge_many([CommentInput(text=row.text, lang="en") for row in batch])
    return np.array([calibration.features(verdict.scores) for verdict in verdicts])


def fit(calibration_rows, evaluation_rows, calibration_x, evaluation_x) -> dict:
    """The artifact: per attribute, the regression and its figures, beside those of the
    highest of the four abuse scores, which stood for both attributes before."""
    attributes = {}
    for attribute, label in LABELS.items():
        fit_x, fit_y = _labelled(calibration_rows, calibration_x, label)
        eval_x, eval_y = _labelled(evaluation_rows, evaluation_x, label)
        held_out = fit_y.sum() >= MIN_POSITIVES_TO_HOLD_OUT
        if not held_out:
            fit_x, fit_y = np.vstack([fit_x, eval_x]), np.concatenate([fit_y, eval_y])
        weights, intercept = _fit_monotone(fit_x, fit_y)
        # As served: the regression, raised to the floors (calibration.FLOORS).
        floors = [calibration.ABUSE_KEYS.index(key) for key in calibration.FLOORS[attribute]]
        predicted = _sigmoid(np.column_stack([eval_x @ weights + intercept, eval_x[:, floors]]))
        predicted = predicted.max(axis=1)
        attributes[attribute] = {
            "weights": [round(float(w), 6) for w in weights],
            "intercept": round(float(intercept), 6),
            "fitted_rows": int(len(fit_y)),
            "fitted_positives": int(fit_y.sum()),
            "evaluation": "held-out half" if held_out else "in-sample (too few positives)",
            "figures": _figures(predicted, eval_y),
            "before": _figures(_sigmoid(eval_x.max(axis=1)), eval_y),
        }
    return {"features": list(calibration.ABUSE_KEYS), "attributes": attributes}


def _fit_monotone(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression (L2 penalty, as scikit-learn's with C=1) whose weights are kept
    at or above zero, so that a higher abuse score never lowers the attribute: Wikipedia
    talk pages hold few threats, and left free the fit gave threat a negative weight."""
    from scipy.optimize import minimize

    def loss(params):
        weights, intercept = params[:-1], params[-1]
        z = x @ weights + intercept
        # log(1 + e^z) - y z, summed, with its gradient; plus half the squared weights.
        value = np.sum(np.logaddexp(0, z) - y * z) + 0.5 * weights @ weights
        residual = 1 / (1 + np.exp(-z)) - y
        gradient = np.append(x.T @ residual + weights, residual.sum())
        return value, gradient

    start = np.zeros(x.shape[1] + 1)
    bounds = [(0, None)] * x.shape[1] + [(None, None)]
    result = minimize(loss, start, jac=True, bounds=bounds, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _labelled_mask(rows: list[Row], label: str) -> np.ndarray:
    return np.array([getattr(row, label) is not None for row in rows])


def _labelled(rows: list[Row], x: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    mask = _labelled_mask(rows, label)
    y = np.array([getattr(row, label) for row in rows if getattr(row, label) is not None])
    return x[mask], y


def _figures(probabilities: np.ndarray, y: np.ndarray) -> dict:
    probabilities = np.clip(probabilities, 1e-6, 1 - 1e-6)
    log_loss = -np.mean(y * np.log(probabilities) + (1 - y) * np.log(1 - probabilities))
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "roc_auc": _rounded(roc_auc(y, probabilities)),
        "brier": _rounded(np.mean((probabilities - y) ** 2)),
        "log_loss": _rounded(log_loss),
        "ece": _rounded(expected_calibration_error(probabilities, y)),
        "mean_predicted": _rounded(probabilities.mean()),
        "positive_rate": _rounded(y.mean()),
    }


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def sources(data_dir: Path) -> dict:
    """What the fit read: each file's size and SHA-256, for the manifest."""
    return {
        source: [
            {
                "path": f"{source}/{name}",
                "bytes": (data_dir / source / name).stat().st_size,
                "sha256": sha256_file(data_dir / source / name),
            }
            for name in files
        ]
        for source, (files, _, _) in SETS.items()
    }
