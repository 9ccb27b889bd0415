"""One language's guideline model: shared features, a linear scorer and a calibrator per key.

Scoring is ``calibrate(x @ coef + intercept)`` for every key at once, so a batch of
comments costs one sparse-dense product. Because the scorer is linear, a key's raw score
splits exactly into per-word contributions (:meth:`LanguageModel.evidence`).

Saved as a single ``.npz`` of plain arrays, loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from agora.guidelines.calibration import Calibrator
from agora.guidelines.features import Featurizer
from agora.guidelines.verdict import SCORE_KEYS

#: Guidelines that an ``offensive`` model scores for a language whose data cannot tell
#: them apart (offensive = "profanity or a targeted insult" in OffensEval's definition).
STAND_IN_KEYS = ("profanity", "personal_attack")

#: A chunk is evidence when it adds at least this much to the raw score (log-odds) ...
MIN_CONTRIBUTION = 0.25
#: ... and at least this share of the strongest chunk's contribution.
RELATIVE_CONTRIBUTION = 0.4
MAX_EVIDENCE = 5


@dataclass
class LanguageModel:
    """Scores normalised text of one language for the keys its data supports."""

    lang: str
    keys: tuple[str, ...]
    featurizer: Featurizer
    coef: np.ndarray  # (n_features, n_keys) float32
    intercept: np.ndarray  # (n_keys,)
    calibrators: dict[str, Calibrator]
    #: guideline -> the model key whose probability stands in for it (see STAND_IN_KEYS)
    stand_ins: dict[str, str] = field(default_factory=dict)

    def guideline_scores(self, probabilities: np.ndarray) -> dict[str, float]:
        """One row of :meth:`predict` as verdict scores: modelled keys and stand-ins."""
        by_key = dict(zip(self.keys, probabilities.tolist()))
        scores = {key: p for key, p in by_key.items() if key in SCORE_KEYS}
        scores.update({key: by_key[source] for key, source in self.stand_ins.items()})
        return scores

    def source_key(self, key: str) -> str:
        """The model key that scores guideline ``key`` (itself, or its stand-in)."""
        return self.stand_ins.get(key, key)

    def predict(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (len(texts), len(keys))."""
        return self.predict_features(texts)[1]

    def predict_features(self, texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """The feature rows of ``texts`` (for :meth:`evidence`) and their probabilities."""
        x = self.featurizer.transform(texts)
        raw = self.raw_scores(x)
        probabilities = np.zeros(raw.shape)
        for k, key in enumerate(self.keys):
            probabilities[:, k] = self.calibrators[key](raw[:, k])
        return x, probabilities

    def raw_scores(self, x: sparse.csr_matrix) -> np.ndarray:
        """Uncalibrated log-odds of feature rows ``x``, shape (rows, len(keys))."""
        return np.asarray(x @ self.coef) + self.intercept

    def evidence(
        self, text: str, keys: list[str], x: sparse.csr_matrix | None = None
    ) -> dict[str, list[tuple[int, int]]]:
        """Per model key, the spans of ``text`` (normalised) that pushed its score up most.

        Each whitespace-separated chunk gets the sum of its features' contributions
        ``x[f] * coef[f, key]``; chunks that add a clear amount, relative to the strongest
        one, are the evidence, in reading order. One pass over the text serves every key;
        ``x`` is the text's feature row if :meth:`predict_features` already made it.
        """
        columns = [self.keys.index(key) for key in keys]
        x = self.featurizer.transform([text]) if x is None else x
        chunks, chunk_ids, features = self.featurizer.occurrences(text)
        contributions = np.zeros((len(chunks), len(columns)))
        if len(features) and x.nnz:
            # Each feature's value x[f] is shared equally among its occurrences.
            values = np.zeros(len(features))
            order = np.argsort(x.indices)
            position = np.searchsorted(x.indices, features, sorter=order)
            position = order[np.minimum(position, len(order) - 1)]
            present = x.indices[position] == features
            values[present] = x.data[position[present]]
            _, inverse, counts = np.unique(features, return_inverse=True, return_counts=True)
            terms = (values / counts[inverse])[:, None] * self.coef[np.ix_(features, columns)]
            np.add.at(contributions, chunk_ids, terms)
        found = {}
        for j, key in enumerate(keys):
            scores = contributions[:, j]
            if not len(scores):
                found[key] = []
                continue
            floor = max(MIN_CONTRIBUTION, RELATIVE_CONTRIBUTION * scores.max())
            strongest = [c for c in np.argsort(-scores, kind="stable") if scores[c] >= floor]
            found[key] = sorted(chunks[c] for c in strongest[:MAX_EVIDENCE])
        return found

    def save(self, path: Path) -> None:
        arrays = self.featurizer.to_arrays()
        # float16 halves the artifact; the rounding moves a raw score by about 1e-3.
        arrays["coef"] = self.coef.astype(np.float16)
        arrays["intercept"] = self.intercept.astype(np.float32)
        for key, calibrator in self.calibrators.items():
            arrays[f"calibration_x_{key}"] = calibrator.xs.astype(np.float32)
            arrays[f"calibration_y_{key}"] = calibrator.ys.astype(np.float32)
        meta = {
            "lang": self.lang,
            "keys": list(self.keys),
            "calibration": {key: c.method for key, c in self.calibrators.items()},
            "stand_ins": self.stand_ins,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        _write_npz(Path(path), arrays)

    @classmethod
    def load(cls, path: Path) -> LanguageModel:
        with np.load(path, allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
            keys = tuple(meta["keys"])
            calibrators = {
                key: Calibrator(
                    arrays[f"calibration_x_{key}"].astype(np.float64),
                    arrays[f"calibration_y_{key}"].astype(np.float64),
                    meta["calibration"][key],
                )
                for key in keys
            }
            return cls(
                lang=meta["lang"],
                keys=keys,
                featurizer=Featurizer.from_arrays(arrays),
                coef=arrays["coef"].astype(np.float32),
                intercept=arrays["intercept"].astype(np.float32),
                calibrators=calibrators,
                stand_ins=meta["stand_ins"],
            )


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed`` but byte-for-byte reproducible (fixed member dates)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
