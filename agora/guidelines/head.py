"""A small neural head per key on the sentence encoder's vector.

A linear weight per embedding dimension can only say "closer to this direction is worse".
Whether a sentence abuses a group or speaks well of it is an interaction (the group, and
what is said of it), which one hidden layer can represent: on the English evaluation half,
a logistic regression on the vector alone reached ROC-AUC 0.891 for identity abuse, one
hidden layer of 256 units 0.922.

Each key's head is fitted twice, on two halves of the training rows (folds by group, so a
contrast pair or a thread stays in one fold); a row's *out-of-fold* logit, from the head
that did not see it, is one more feature of the key's logistic regression, which therefore
learns how far to trust the head from logits that are not flattered by memory. At scoring
time the head's logit is the mean of its two fits.

Plain arrays, so the artifact stays an ``.npz`` loaded without pickle; the forward pass is
two small matrix products, the first of all heads at once in onnxruntime
(:class:`HeadStack`). The fit is in :mod:`agora.guidelines.training.heads`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agora.guidelines.dense_layer import DenseLayer

#: Hidden units of every head.
HIDDEN = 128
#: The encoder's unit vectors have small components; scaled up they suit the optimiser.
INPUT_SCALE = 4.0
FOLDS = 2
#: Rows whose hidden layers :meth:`HeadStack.logits` computes at once.
BLOCK = 256


@dataclass(frozen=True)
class Head:
    """One key's head: ``FOLDS`` fits of ``logit = relu(e W1 + b1) w2 + b2``."""

    w1: np.ndarray  # (FOLDS, dim, HIDDEN)
    b1: np.ndarray  # (FOLDS, HIDDEN)
    w2: np.ndarray  # (FOLDS, HIDDEN)
    b2: np.ndarray  # (FOLDS,)

    def fold_logits(self, embeddings: np.ndarray, fold: int) -> np.ndarray:
        hidden = np.maximum(INPUT_SCALE * embeddings @ self.w1[fold] + self.b1[fold], 0.0)
        logits: np.ndarray = hidden @ self.w2[fold] + self.b2[fold]
        return logits

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        """The head's log-odds for unit vectors ``embeddings`` (rows): the folds' mean."""
        logits: np.ndarray = np.mean(
            [self.fold_logits(embeddings, f) for f in range(FOLDS)], axis=0
        )
        return logits


@dataclass(frozen=True)
class HeadStack:
    """Several keys' heads run as one: a single matrix product computes every hidden layer
    of every key and fold, where one product per key and fold cost a verdict about 0.5 ms
    of the engine's 3 ms. The product runs in onnxruntime (:class:`DenseLayer`), which packs
    the matrix once rather than for every comment."""

    first_layer: DenseLayer  # (dim -> keys * FOLDS * HIDDEN), INPUT_SCALE folded in
    w2: np.ndarray  # (keys, FOLDS, HIDDEN)
    b2: np.ndarray  # (keys, FOLDS)

    @classmethod
    def of(cls, heads: list[Head]) -> HeadStack:
        w1 = np.concatenate([fold for head in heads for fold in head.w1], axis=1)
        b1 = np.concatenate([head.b1.reshape(-1) for head in heads])
        return cls(
            # Scaling the weights by a power of two instead of the inputs is exact.
            first_layer=DenseLayer(INPUT_SCALE * w1, b1),
            w2=np.stack([head.w2 for head in heads]),
            b2=np.stack([head.b2 for head in heads]),
        )

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        """Each head's :meth:`Head.logits` for ``embeddings``, shape (rows, keys), computed
        :data:`BLOCK` rows at a time: the hidden layers of a whole batch (a comment's every
        sentence included) would take about 18 kB a row at once."""
        keys, folds, hidden = self.w2.shape
        out = np.empty((len(embeddings), keys))
        for start in range(0, len(embeddings), BLOCK):
            rows = embeddings[start : start + BLOCK]
            layer = self.first_layer(rows).reshape(len(rows), keys, folds, hidden)
            out[start : start + BLOCK] = ((layer * self.w2).sum(axis=3) + self.b2).mean(axis=2)
        return out
