"""Fitting the guideline heads (:mod:`agora.guidelines.head`): two fits per key, on two
halves of the training rows split by group, and each row's out-of-fold logit."""

from __future__ import annotations

import numpy as np

from agora.guidelines.head import FOLDS, HIDDEN, INPUT_SCALE, Head
from agora.guidelines.training.datasets.common import Example, bucket, unit_of

#: Passes over the training rows, L2 penalty and batch size of the fit.
EPOCHS = 8
ALPHA = 1e-4
BATCH = 256


def fold_of(rows: list[Example], seed: int) -> np.ndarray:
    """Each row's fold, by its group (or its text): related rows share a fold."""
    return np.array([int(bucket(unit_of(row), seed + 7) * FOLDS) for row in rows])


def fit_head(
    embeddings: np.ndarray, y: np.ndarray, folds: np.ndarray, seed: int
) -> tuple[Head, np.ndarray]:
    """Fit one key's head on rows ``embeddings`` with labels ``y``; returns it and each
    row's out-of-fold logit."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    fits, out_of_fold = [], np.zeros(len(y))
    for fold in range(FOLDS):
        seen = folds != fold
        classifier = MLPClassifier(
            hidden_layer_sizes=(HIDDEN,),
            alpha=ALPHA,
            batch_size=BATCH,
            max_iter=EPOCHS,
            random_state=seed + fold,
        )
        with warnings.catch_warnings():
            # A fixed number of passes is the point: the fit stops before it memorises.
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(INPUT_SCALE * embeddings[seen], y[seen])
        fits.append(classifier)
    head = Head(
        w1=np.stack([c.coefs_[0] for c in fits]).astype(np.float32),
        b1=np.stack([c.intercepts_[0] for c in fits]).astype(np.float32),
        w2=np.stack([c.coefs_[1][:, 0] for c in fits]).astype(np.float32),
        b2=np.array([c.intercepts_[1][0] for c in fits], dtype=np.float32),
    )
    for fold in range(FOLDS):
        unseen = folds == fold
        out_of_fold[unseen] = head.fold_logits(embeddings[unseen], fold)
    return head, out_of_fold
