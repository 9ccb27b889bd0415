"""Encoder vectors of training data, embedded once and kept on disk between runs."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from agora.guidelines.encoder import pooled
from agora.guidelines.relevance import DIM

#: Texts embedded per call (a progress step).
TRAINING_BATCH = 256


def embed_for_training(encoder, texts: Sequence[str]) -> np.ndarray:
    """:func:`pooled` vectors of many texts, cached on disk by encoder version and texts.

    Embedding a language's training data takes minutes; a rerun of training with the same
    encoder and data reads the numbers back. The cache holds vectors only, under
    ``$XDG_CACHE_HOME/agora`` (default ``~/.cache/agora``), never in the repo.
    """
    digest = hashlib.sha256("\x00".join([encoder.version, *texts]).encode()).hexdigest()[:20]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agora"
    path = cache / f"embeddings-{digest}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    with tqdm(total=len(texts), desc="embed", unit="text", file=sys.stderr) as bar:
        for start in range(0, len(texts), TRAINING_BATCH):
            batch = texts[start : start + TRAINING_BATCH]
            out[start : start + len(batch)] = pooled(encoder.text_vectors(batch), DIM)
            bar.update(len(batch))
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out, allow_pickle=False)
    return out
