"""Distil the relevance model into a table of word-piece vectors: the fast screen.

    python scripts/distill_screen.py          # about 4 minutes on 2 cores

The screen embeds a text as the mean of one vector per word piece: a table lookup instead
of running the transformer. It settles the comments that are clearly on topic; the
transformer still scores every other one (see docs/relevance.md).
The table is fitted so that the mean of a text's vectors comes close to the transformer's
embedding of that text:

1. Start vectors: the int8 transformer (``artifacts/minilm/model.onnx``) run on each word
   piece alone (``[CLS] piece [SEP]``). They stand for the pieces no training text uses.
2. Targets: the transformer's embeddings of ``TEXTS`` English comments and posts from
   ``../shared/data`` (every English set the guideline models read, except
   ``en/fox-news-comments``, which calibrates and evaluates relevance and must stay unseen),
   with @-mentions taken out so that no username is learnt.
3. Fit: ridge regression of the targets on each text's word-piece shares, as corrections to
   the start vectors (``RIDGE``), solved exactly over the pieces the texts use.

Writes ``artifacts/minilm/screen.npy`` (float16, one row per word piece of the tokenizer)
and ``screen.json``: the command, the data files with sha256 and licence notes, and the fit.
The screen's calibration and cut-off come after, from ``agora train --relevance``.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.sparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agora.guidelines.manifest import read_manifest, sha256_file  # noqa: E402
from agora.guidelines.relevance import (  # noqa: E402
    ARTIFACT_DIR,
    DIM,
    SCREEN_FILE,
    SCREEN_MANIFEST_FILE,
    Relevance,
)
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR, english  # noqa: E402
from agora.guidelines.training.datasets.common import dedup  # noqa: E402

COMMAND = "python scripts/distill_screen.py"
#: Training texts drawn (fixed seed) from the distinct English texts.
TEXTS = 90_000
SEED = 7
#: Ridge penalty on the corrections to the start vectors.
RIDGE = 1e-3
#: Distinct texts the fit never sees (the next ones after the training texts), on which
#: the manifest reports how close the screen comes to the transformer.
UNSEEN = 2000
#: Kept out: the relevance calibration and evaluation read it.
HELD_OUT_SOURCE = "en/fox-news-comments"
_MENTION = re.compile(r"@\w+")


def training_texts(data_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """The training texts, ``UNSEEN`` texts kept out of the fit, and the sources they come
    from."""
    examples = [e for e in dedup(english.load(data_dir)) if e.source != HELD_OUT_SOURCE]
    texts = sorted({_MENTION.sub("", e.text).strip() for e in examples} - {""})
    texts = [t for t in texts if len(t) > 10]
    random.Random(SEED).shuffle(texts)
    unseen = texts[TEXTS : TEXTS + UNSEEN]
    return texts[:TEXTS], unseen, sorted({e.source for e in examples})


def start_vectors(rel: Relevance) -> np.ndarray:
    """The transformer's embedding of each word piece alone."""
    size = rel._tokenizer.get_vocab_size()
    vectors = np.zeros((size, DIM), dtype=np.float32)
    for piece in range(size):
        ids = np.array([[rel.cls_id, piece, rel.sep_id]], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        feeds["token_type_ids"] = np.zeros_like(ids)
        vectors[piece] = rel.session.run(["sentence_embedding"], feeds)[0][0]
    return vectors


def _embed_part(texts: list[str]) -> np.ndarray:
    # Batches of similar length: the targets only need to be close, and this halves the time.
    return Relevance(calibrated=False, screened=False, batch_size=16).embed(texts)


def targets(texts: list[str], processes: int = 2) -> np.ndarray:
    with Pool(processes) as pool:
        parts = pool.map(_embed_part, [texts[i::processes] for i in range(processes)])
    out = np.zeros((len(texts), parts[0].shape[1]), dtype=np.float32)
    for i, part in enumerate(parts):
        out[i::processes] = part
    return out


def fit(rel: Relevance, texts: list[str], goal: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Start vectors plus the ridge corrections that bring each text's mean to its goal."""
    rows, cols = [], []
    for i, encoding in enumerate(rel.pieces(texts)):
        rows += [i] * len(encoding)
        cols += encoding
    # float32 throughout: the Gram matrix of ~26,000 pieces takes 2.7 GB so, twice that in
    # float64 (where this machine's OpenBLAS crashed).
    ones = np.ones(len(rows), dtype=np.float32)
    shares = scipy.sparse.csr_matrix((ones, (rows, cols)), shape=(len(texts), len(start)))
    shares = scipy.sparse.diags(1 / np.maximum(shares.sum(axis=1).A1, 1)) @ shares
    used = np.flatnonzero(shares.getnnz(axis=0))
    x = shares[:, used].tocsc()
    gram = (x.T @ x).toarray()
    gram[np.diag_indices_from(gram)] += RIDGE
    correction = scipy.linalg.solve(gram, x.T @ (goal - shares @ start), assume_a="pos")
    table = start.copy()
    table[used] += correction.astype(np.float32)
    return table


def main() -> None:
    began = time.time()
    rel = Relevance(calibrated=False, screened=False)
    texts, unseen, sources = training_texts(DEFAULT_DATA_DIR)
    start = start_vectors(rel)
    goal = targets(texts)
    table = fit(rel, texts, goal, start)
    np.save(ARTIFACT_DIR / SCREEN_FILE, table.astype(np.float16))

    screen = Relevance(calibrated=False)
    seen = np.sum(screen.screen_embed(texts[:UNSEEN]) * goal[:UNSEEN], axis=1)
    held_out = np.sum(screen.screen_embed(unseen) * targets(unseen), axis=1)
    data = read_manifest()["data"]
    manifest = {
        "what": "word-piece vectors whose mean approximates the relevance model's embedding",
        "command": COMMAND,
        "seconds": round(time.time() - began),
        "texts": len(texts),
        "seed": SEED,
        "ridge": RIDGE,
        "held_out": f"{HELD_OUT_SOURCE} (relevance calibration and evaluation)",
        "data": {source: data[source] for source in sources},
        "training_cosine_with_transformer": summary(seen),
        "unseen_cosine_with_transformer": summary(held_out),
        "file": {
            "name": SCREEN_FILE,
            "sha256": sha256_file(ARTIFACT_DIR / SCREEN_FILE),
            "bytes": (ARTIFACT_DIR / SCREEN_FILE).stat().st_size,
        },
    }
    path = ARTIFACT_DIR / SCREEN_MANIFEST_FILE
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: manifest[key] for key in manifest if "cosine" in key}))


def summary(cosines: np.ndarray) -> dict:
    return {
        "texts": len(cosines),
        "median": round(float(np.median(cosines)), 4),
        "p10": round(float(np.percentile(cosines, 10)), 4),
    }


if __name__ == "__main__":
    main()
