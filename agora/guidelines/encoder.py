"""The sentence encoder's reading of a comment, shared by the guideline models and relevance.

The relevance model's transformer (:class:`agora.guidelines.relevance.Relevance`) embeds
every comment it judges. The guideline models of the languages it reads use the same
embedding as features, so a comment goes through the transformer once: the engine embeds
it before scoring (``Relevance.text_vectors``) and hands the same chunk vectors to
relevance.

A comment longer than one chunk is read chunk by chunk; the guideline models see the mean
of its chunk vectors (:func:`pooled`), relevance sees every chunk.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

#: Texts embedded per call while embedding training data (a progress step).
TRAINING_BATCH = 256


def pooled(per_text: Sequence[np.ndarray], dim: int) -> np.ndarray:
    """One unit vector per text: the mean of its chunk vectors (zeros for no chunks)."""
    out = np.zeros((len(per_text), dim), dtype=np.float32)
    for row, vectors in enumerate(per_text):
        if len(vectors):
            mean = vectors.mean(axis=0)
            out[row] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return out


def embed_for_training(encoder, texts: Sequence[str]) -> np.ndarray:
    """:func:`pooled` vectors of many texts, cached on disk by encoder version and texts.

    Embedding a language's training data takes minutes; a rerun of training with the same
    encoder and data reads the numbers back. The cache holds vectors only, under
    ``$XDG_CACHE_HOME/agora`` (default ``~/.cache/agora``), never in the repo.
    """
    from tqdm import tqdm

    digest = hashlib.sha256("\x00".join([encoder.version, *texts]).encode()).hexdigest()[:20]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agora"
    path = cache / f"embeddings-{digest}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    from agora.guidelines.relevance import DIM

    out = np.zeros((len(texts), DIM), dtype=np.float32)
    with tqdm(total=len(texts), desc="embed", unit="text", file=sys.stderr) as bar:
        for start in range(0, len(texts), TRAINING_BATCH):
            batch = texts[start : start + TRAINING_BATCH]
            out[start : start + len(batch)] = pooled(encoder.text_vectors(batch), DIM)
            bar.update(len(batch))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out, allow_pickle=False)
    return out
