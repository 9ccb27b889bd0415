"""One language's guideline model: shared features, a linear scorer and a calibrator per key.

Scoring is ``calibrate(x @ coef + e @ embedding_coef + intercept)`` for every key at once:
``x`` are the text's word and character n-grams, ``e`` the sentence encoder's pooled vector
(:mod:`agora.guidelines.encoder`) for a language the encoder reads. The n-grams catch the
words (slurs, spellings, contact cues); the encoder reads what the sentence says (a threat
in plain words, a group named with or without contempt). Because the n-gram part is linear,
its share of a key's raw score splits exactly into per-word contributions
(:meth:`LanguageModel.evidence`).

A text of several sentences is also scored sentence by sentence (:meth:`LanguageModel.predict`,
:mod:`agora.guidelines.sentences`): where a sentence breaks a key more likely than not, the
text's probability for that key is at least :data:`SENTENCE_SCORE`, enough for review.
Without it, polite sentences around one abusive sentence dilute it until the comment is
approved.

Saved as a single ``.npz`` of plain arrays, loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import sparse

from agora.guidelines.calibration import Calibrator
from agora.guidelines.features import Analysis, Featurizer
from agora.guidelines.head import Head, HeadStack
from agora.guidelines.sentences import Sentences
from agora.guidelines.threat_cues import with_cue
from agora.guidelines.verdict import GUIDELINES, SCORE_KEYS

#: Guidelines that an ``offensive`` model scores for a language whose data cannot tell
#: them apart: OffensEval's "offensive" is profanity or a targeted offence, insults, threats
#: and abuse of groups included.
STAND_IN_KEYS = ("profanity", "personal_attack", "threat", "identity_abuse")

#: A sentence that breaks a key more likely than not ...
SENTENCE_FLOOR = 0.5
#: ... raises its text's probability for that key to this: above every review threshold,
#: below the lowest reject threshold training may choose (0.5), so the sentence sends the
#: comment to a moderator and never rejects it alone. Taking the sentence's own probability
#: let a long clean comment's likeliest sentence set the reject thresholds (measured:
#: Arabic violations rejected fell from 50.0% to 43.7% as the thresholds rose to keep clean
#: rejections within budget).
SENTENCE_SCORE = 0.45

#: A chunk is evidence when it adds at least this much to the raw score (log-odds) ...
MIN_CONTRIBUTION = 0.25
#: ... and at least this share of the strongest chunk's contribution.
RELATIVE_CONTRIBUTION = 0.4
MAX_EVIDENCE = 5
HEAD_ARRAYS = tuple(f.name for f in fields(Head))


@dataclass(frozen=True)
class Scored:
    """What :meth:`LanguageModel.score` finds in a batch of texts."""

    analyses: list[Analysis]
    #: Calibrated, shape (texts, keys), each text read whole.
    whole: np.ndarray
    #: The index in the batch's sentences of the likeliest sentence that reached
    #: SENTENCE_FLOOR on a key while its text read whole scored below SENTENCE_SCORE; -1
    #: where none raised it.
    raised_by: np.ndarray
    #: The sentences' analyses (their chunks are spans of their texts' normalised text).
    sentence_analyses: list[Analysis]

    @cached_property
    def probabilities(self) -> np.ndarray:
        """:attr:`whole`, raised to SENTENCE_SCORE where a sentence raised the key."""
        return np.where(self.raised_by >= 0, SENTENCE_SCORE, self.whole)


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
    #: (encoder dimensions, n_keys) weights of the encoder's pooled vector, or None for a
    #: language the encoder does not read.
    embedding_coef: np.ndarray | None = None
    #: Per key, a small neural head on the encoder's vector (:mod:`agora.guidelines.head`)
    #: whose logit enters the raw score with the weight ``head_coef[key]``.
    heads: dict[str, Head] = field(default_factory=dict)
    head_coef: np.ndarray | None = None

    @property
    def encoded(self) -> bool:
        """Whether scoring needs the sentence encoder's vectors."""
        return self.embedding_coef is not None

    def guideline_scores(
        self, probabilities: np.ndarray, threat_cued: bool = False
    ) -> dict[str, float]:
        """One row of :meth:`predict` as verdict scores: modelled keys and stand-ins, the
        threat score raised when the text says a threat in so many words
        (:mod:`agora.guidelines.threat_cues`)."""
        by_key = dict(zip(self.keys, probabilities.tolist(), strict=True))
        scores = {key: p for key, p in by_key.items() if key in SCORE_KEYS}
        scores.update({key: by_key[source] for key, source in self.stand_ins.items()})
        if threat_cued and "threat" in scores:
            scores["threat"] = with_cue(scores["threat"])
        return scores

    def source_key(self, key: str) -> str:
        """The model key that scores guideline ``key`` (itself, or its stand-in)."""
        return self.stand_ins.get(key, key)

    def raised_guidelines(self, raised_by: np.ndarray) -> dict[str, int]:
        """Of one text's :attr:`Scored.raised_by` row, the guidelines a sentence raised
        (directly or through their stand-in), each with that sentence's index."""
        return {
            key: int(j)
            for key in GUIDELINES
            if (key in self.keys or key in self.stand_ins)
            and (j := raised_by[self.keys.index(self.source_key(key))]) >= 0
        }

    def predict(
        self,
        texts: list[str],
        embeddings: np.ndarray | None = None,
        sentences: Sentences | None = None,
    ) -> np.ndarray:
        """Calibrated probabilities of normalised ``texts``, shape (len(texts), len(keys)),
        raised where one of their ``sentences`` reaches :data:`SENTENCE_FLOOR`;
        ``embeddings`` are the texts' pooled encoder vectors when :attr:`encoded`."""
        return self.score(texts, embeddings, sentences).probabilities

    def score(
        self,
        texts: list[str],
        embeddings: np.ndarray | None = None,
        sentences: Sentences | None = None,
    ) -> Scored:
        """Like :meth:`predict`, with each text's analysis for :meth:`evidence` and which
        sentence raised which key. Texts and sentences are scored in one pass: the heads'
        weights are read once, not twice."""
        analyses = [self.featurizer.analyze(text) for text in texts]
        x = self.featurizer.transform_analyses(analyses)
        rows, keys = len(texts), len(self.keys)
        if sentences is None or not sentences.texts:
            whole = self.probabilities(x, embeddings)
            return Scored(analyses, whole, np.full((rows, keys), -1), [])
        if self.encoded and (sentences.vectors is None or embeddings is None):
            raise ValueError(f"the {self.lang} model reads each sentence's encoder vector")
        parts = [
            self._sentence_analysis(texts[owner], analyses[owner], text, span)
            for owner, text, span in zip(
                sentences.owners.tolist(), sentences.texts, sentences.spans, strict=True
            )
        ]
        x = sparse.vstack([x, self.featurizer.transform_analyses(parts)], format="csr")
        if self.encoded:
            assert embeddings is not None and sentences.vectors is not None
            embeddings = np.vstack([embeddings, sentences.vectors])
        both = self.probabilities(x, embeddings)
        own, by_sentence = both[:rows], both[rows:]
        raised_by = np.full((rows, keys), -1)
        reached = np.argwhere(by_sentence >= SENTENCE_FLOOR)
        # In rising probability, so that of a text's sentences the likeliest is kept.
        reached = reached[np.argsort(by_sentence[reached[:, 0], reached[:, 1]], kind="stable")]
        for j, k in reached.tolist():
            if own[sentences.owners[j], k] < SENTENCE_SCORE:
                raised_by[sentences.owners[j], k] = j
        return Scored(analyses, own, raised_by, parts)

    def _sentence_analysis(
        self, text: str, analysis: Analysis, sentence: str, span: tuple[int, int]
    ) -> Analysis:
        """A sentence's analysis, its chunks spans of ``text``: cut from the text's (the same
        features, without going over its words again) unless the sentence is not where
        ``span`` says or cuts a word."""
        part = None
        if text[span[0] : span[1]] == sentence:
            part = analysis.part(*span)
        if part is None:
            part = self.featurizer.analyze(sentence)
            part.chunks = [(start + span[0], end + span[0]) for start, end in part.chunks]
        return part

    def probabilities(
        self, x: sparse.csr_matrix, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        raw = self.raw_scores(x, embeddings)
        probabilities = np.zeros(raw.shape)
        for k, key in enumerate(self.keys):
            probabilities[:, k] = self.calibrators[key](raw[:, k])
        return probabilities

    def raw_scores(self, x: sparse.csr_matrix, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Uncalibrated log-odds of feature rows ``x`` (and their encoder vectors),
        shape (rows, len(keys))."""
        raw: np.ndarray = np.asarray(x @ self.coef) + self.intercept
        if self.embedding_coef is None:
            return raw
        if embeddings is None or len(embeddings) != x.shape[0]:
            raise ValueError(f"the {self.lang} model needs one encoder vector per text")
        raw += embeddings @ self.embedding_coef
        if self.heads and self.head_coef is not None:
            columns, stack = self._head_stack
            raw[:, columns] += self.head_coef[columns] * stack.logits(embeddings)
        return raw

    @cached_property
    def _head_stack(self) -> tuple[list[int], HeadStack]:
        """The columns of the keys with a head, and their heads run as one."""
        columns = [k for k, key in enumerate(self.keys) if key in self.heads]
        return columns, HeadStack.of([self.heads[self.keys[k]] for k in columns])

    def evidence(self, analysis: Analysis, keys: list[str]) -> dict[str, list[tuple[int, int]]]:
        """Per model key, the chunks of an analysed text that pushed its score up most.

        A linear score is a sum over features of ``x[f] * coef[f, key]``; each feature's
        share goes to the chunks (words) it occurs in, in proportion to its occurrences.
        Chunks that add a clear amount, relative to the strongest one, are the evidence, in
        reading order, as spans of the normalised text. One pass serves every key.
        """
        columns = [self.keys.index(key) for key in keys]
        contributions = np.zeros((len(analysis.chunks), len(columns)))
        if len(analysis.features):
            indices, values = self.featurizer.row(analysis)
            where = np.searchsorted(indices, analysis.features)
            counts = np.bincount(where, weights=analysis.weights, minlength=len(indices))
            per_occurrence = analysis.weights * values[where] / counts[where]
            coef = self.coef[np.ix_(analysis.features, np.array(columns, dtype=np.intp))]
            for j in range(len(columns)):
                contributions[:, j] = np.bincount(
                    analysis.chunk_ids,
                    weights=per_occurrence * coef[:, j],
                    minlength=len(analysis.chunks),
                )
        found: dict[str, list[tuple[int, int]]] = {}
        for j, key in enumerate(keys):
            scores = contributions[:, j]
            if not len(scores):
                found[key] = []
                continue
            floor = max(MIN_CONTRIBUTION, RELATIVE_CONTRIBUTION * scores.max())
            strongest = [c for c in np.argsort(-scores, kind="stable") if scores[c] >= floor]
            found[key] = sorted(analysis.chunks[c] for c in strongest[:MAX_EVIDENCE])
        return found

    def save(self, path: Path) -> None:
        arrays = self.featurizer.to_arrays()
        # float16 halves the artifact; the rounding moves a raw score by about 1e-3.
        arrays["coef"] = self.coef.astype(np.float16)
        arrays["intercept"] = self.intercept.astype(np.float32)
        if self.embedding_coef is not None:
            arrays["embedding_coef"] = self.embedding_coef.astype(np.float32)
        if self.heads and self.head_coef is not None:
            arrays["head_coef"] = self.head_coef.astype(np.float32)
        for key, head in self.heads.items():
            for name, values in asdict(head).items():
                arrays[f"head_{name}_{key}"] = values.astype(np.float32)
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
                embedding_coef=(
                    arrays["embedding_coef"] if "embedding_coef" in arrays.files else None
                ),
                heads={
                    key: Head(**{name: arrays[f"head_{name}_{key}"] for name in HEAD_ARRAYS})
                    for key in keys
                    if f"head_w1_{key}" in arrays.files
                },
                head_coef=arrays["head_coef"] if "head_coef" in arrays.files else None,
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
