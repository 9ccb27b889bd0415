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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agora.guidelines.calibration import Calibrator
from agora.guidelines.features import Featurizer

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

    def raw_scores(self, texts: list[str]) -> np.ndarray:
        """Uncalibrated log-odds, shape (len(texts), len(keys))."""
        x = self.featurizer.transform(texts)
        return np.asarray(x @ self.coef) + self.intercept

    def predict(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (len(texts), len(keys))."""
        raw = self.raw_scores(texts)
        return np.column_stack(
            [self.calibrators[key](raw[:, k]) for k, key in enumerate(self.keys)]
        ) if len(texts) else np.zeros((0, len(self.keys)))

    def evidence(self, text: str, key: str) -> list[tuple[int, int]]:
        """Spans of ``text`` (normalised) that pushed ``key``'s score up the most.

        Each whitespace-separated chunk gets the sum of its features' contributions
        ``x[f] * coef[f, key]``; chunks that add a clear amount, relative to the strongest
        one, are the evidence, in reading order.
        """
        k = self.keys.index(key)
        x = self.featurizer.transform([text])
        values = dict(zip(x.indices.tolist(), x.data.tolist()))
        weights = self.coef[:, k]
        scored = []
        for start, end, shares in self.featurizer.chunk_features(text):
            contribution = sum(
                share * values.get(f, 0.0) * float(weights[f]) for f, share in shares.items()
            )
            scored.append((contribution, start, end))
        if not scored:
            return []
        best = max(c for c, _, _ in scored)
        floor = max(MIN_CONTRIBUTION, RELATIVE_CONTRIBUTION * best)
        strongest = sorted((s for s in scored if s[0] >= floor), reverse=True)[:MAX_EVIDENCE]
        return sorted((start, end) for _, start, end in strongest)

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
