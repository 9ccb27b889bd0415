"""Word and character n-gram features of normalised text, and where each came from.

One :class:`Featurizer` per language is shared by all of that language's guideline models,
so a comment is vectorised once however many keys are scored. Word 1-2-grams carry
meaning ("kill you"); character 2-5-grams inside word boundaries carry spelling variants
and morphology that normalisation leaves ("idiots", "stupidd"). Both are TF-IDF weighted
with sublinear term frequency and each block is L2-normalised.

The fitted vocabulary and IDF weights round-trip through plain numpy arrays
(:meth:`Featurizer.to_arrays`), so artifacts load without pickle.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

#: Word tokens: any run of letters or digits, single letters included ("u", "f").
TOKEN_PATTERN = r"(?u)\b\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_CHUNK = re.compile(r"\S+")

# Case is folded by normalisation, which keeps offsets exact; the vectorizers must not
# change the text's length, so they do not lowercase again.
WORD_PARAMS = dict(
    analyzer="word",
    ngram_range=(1, 2),
    token_pattern=TOKEN_PATTERN,
    min_df=2,
    max_features=100_000,
    sublinear_tf=True,
    lowercase=False,
    dtype=np.float32,
)
CHAR_PARAMS = dict(
    analyzer="char_wb",
    ngram_range=(2, 5),
    min_df=3,
    max_features=200_000,
    sublinear_tf=True,
    lowercase=False,
    dtype=np.float32,
)


class Featurizer:
    """TF-IDF word 1-2-grams followed by char_wb 2-5-grams, as one sparse matrix."""

    def __init__(self, word: TfidfVectorizer | None = None, char: TfidfVectorizer | None = None):
        self.word = word or TfidfVectorizer(**WORD_PARAMS)
        self.char = char or TfidfVectorizer(**CHAR_PARAMS)
        self._char_ngrams = None  # the char analyzer, built on first use

    @property
    def n_features(self) -> int:
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.word.fit_transform(texts), self.char.fit_transform(texts)], format="csr"
        )

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.word.transform(texts), self.char.transform(texts)], format="csr"
        )

    def occurrences(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
        """Split ``text`` at whitespace; say which chunk each feature occurrence falls in.

        Returns the chunk spans, and per occurrence of a known feature its chunk index and
        feature index (a word bigram counts as half an occurrence in each of its two words:
        both arrays list it twice and :func:`chunk_shares` weighs it by half). Dividing a
        feature's value ``x[f] * w[f]`` among its occurrences splits a linear model's score
        exactly into per-chunk contributions: that is the evidence.
        """
        word_index, char_index = self.word.vocabulary_, self.char.vocabulary_
        offset = len(word_index)
        if self._char_ngrams is None:
            self._char_ngrams = self.char.build_analyzer()
        char_ngrams = self._char_ngrams
        chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text)]
        tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text)]
        token_chunk = [_chunk_of(start, chunks) for start, _ in tokens]

        chunk_ids: list[int] = []
        features: list[int] = []
        for i, (_, token) in enumerate(tokens):
            unigram = word_index.get(token)
            if unigram is not None:
                chunk_ids.append(token_chunk[i])
                features.append(unigram)
            if i + 1 < len(tokens):
                bigram = word_index.get(f"{token} {tokens[i + 1][1]}")
                if bigram is not None:
                    chunk_ids += [token_chunk[i], token_chunk[i + 1]]
                    features += [bigram, bigram]
        for c, (start, end) in enumerate(chunks):
            found = [char_index.get(gram) for gram in char_ngrams(text[start:end])]
            known = [index + offset for index in found if index is not None]
            chunk_ids += [c] * len(known)
            features += known
        return chunks, np.array(chunk_ids, dtype=np.int64), np.array(features, dtype=np.int64)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Vocabularies (newline-joined UTF-8, in feature order) and IDF weights."""
        arrays = {}
        for name, vectorizer in (("word", self.word), ("char", self.char)):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            joined = "\n".join(terms).encode("utf-8")
            arrays[f"{name}_vocab"] = np.frombuffer(joined, dtype=np.uint8)
            arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> Featurizer:
        vectorizers = []
        for name, params in (("word", WORD_PARAMS), ("char", CHAR_PARAMS)):
            terms = arrays[f"{name}_vocab"].tobytes().decode("utf-8").split("\n")
            vectorizer = TfidfVectorizer(**params, vocabulary=dict(zip(terms, range(len(terms)))))
            vectorizer.idf_ = arrays[f"{name}_idf"].astype(np.float64)
            vectorizers.append(vectorizer)
        return cls(*vectorizers)


def _chunk_of(position: int, chunks: list[tuple[int, int]]) -> int:
    """Index of the whitespace chunk containing ``position`` (chunks are sorted)."""
    low, high = 0, len(chunks) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if chunks[middle][0] <= position:
            low = middle
        else:
            high = middle - 1
    return low
