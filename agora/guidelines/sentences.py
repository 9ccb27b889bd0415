"""A comment's sentences, read one at a time as well as together.

Unit-length n-gram rows and a mean vector dilute one abusive sentence among polite ones:
"Fuck you, Daniel." between a sentence about the council's budget and one about its
meeting scored 0.005 profanity as a whole and was approved. The models therefore also score
each sentence of a comment that has several (:meth:`LanguageModel.predict`), each with its
own n-grams and, where the language's model reads the encoder, its own vector: the mean of
its word pieces' states from the comment's one encoder pass (``Relevance.reads`` with the
sentences' spans as its parts).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agora.guidelines.normalize import Normalized
from agora.guidelines.relevance import DIM, Reading

#: Where a sentence ends: after . ! ? … or the Arabic question mark and a space, or a line.
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u2026])\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text``'s sentences, blank ones left out."""
    spans, start = [], 0
    for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        part = text[start:end]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            spans.append((start + lead, start + len(part.rstrip())))
        start = end
        match = _SENTENCE_END.match(text, end)
        if match:
            start = match.end()
    return spans


@dataclass(frozen=True)
class Sentences:
    """The sentences of a batch's comments that have more than one: the row of the comment
    each belongs to, its normalised text, where that text lies in the comment's normalised
    text and, for a model that reads the encoder, its vector (None otherwise)."""

    owners: np.ndarray
    texts: list[str]
    spans: list[tuple[int, int]]
    vectors: np.ndarray | None

    @classmethod
    def of(
        cls, comments: Sequence[Normalized], readings: Sequence[Reading | None] | None = None
    ) -> Sentences:
        """The sentences of ``comments`` (each normalised, its ``source`` as written),
        found in the text as written and cut from the normalised one; ``readings``, the
        encoder's reading of each comment of several sentences, gives them vectors."""
        owners: list[int] = []
        texts: list[str] = []
        cuts: list[tuple[int, int]] = []
        vectors: list[np.ndarray] = []
        for row, comment in enumerate(comments):
            spans = sentence_spans(comment.source)
            if len(spans) < 2:
                continue
            owners += [row] * len(spans)
            for start, end in spans:
                cut = bisect_left(comment.offsets, start), bisect_left(comment.offsets, end)
                cuts.append(cut)
                texts.append(comment.text[cut[0] : cut[1]])
            if readings is not None:
                reading = readings[row]
                if reading is None or len(reading.parts) != len(spans):
                    raise ValueError("a comment of several sentences needs its sentences read")
                vectors.append(reading.parts)
        stacked = None
        if readings is not None:
            stacked = np.concatenate(vectors) if vectors else np.zeros((0, DIM), np.float32)
        return cls(np.array(owners, dtype=np.intp), texts, cuts, stacked)
