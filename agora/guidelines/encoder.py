"""The sentence encoder's reading of a comment, shared by the guideline models and relevance.

The relevance model's transformer (:class:`agora.guidelines.relevance.Relevance`) embeds
every comment it judges. The guideline models of the languages it reads use the same
embedding as features, so a comment goes through the transformer once: the engine embeds
it before scoring (``Relevance.text_vectors``) and hands the same chunk vectors to
relevance.

A comment longer than one chunk is read chunk by chunk; the guideline models see the mean
of its chunk vectors (:func:`pooled`), relevance sees every chunk. A part of a comment (one of
its sentences) gets the mean of its own word pieces' states from the same pass
(:func:`span_vectors`), the way the whole comment's vector is the mean of all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pooled(per_text: Sequence[np.ndarray], dim: int) -> np.ndarray:
    """One unit vector per text: the mean of its chunk vectors (zeros for no chunks)."""
    out = np.zeros((len(per_text), dim), dtype=np.float32)
    for row, vectors in enumerate(per_text):
        if len(vectors):
            mean = vectors.mean(axis=0)
            out[row] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return out


def span_vectors(
    pieces: np.ndarray, states: np.ndarray, spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """One unit vector per character span of a text: the mean of the ``states`` of the word
    pieces (whose character spans are ``pieces``, one row each) inside it; zeros where none
    is."""
    out = np.zeros((len(spans), states.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(spans):
        inside = (pieces[:, 0] >= start) & (pieces[:, 1] <= end)
        if inside.any():
            mean = states[inside].mean(axis=0)
            out[row] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return out
