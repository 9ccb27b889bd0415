"""Word and character n-gram features of normalised text, and where each came from.

One :class:`Featurizer` per language is shared by all of that language's guideline models,
so a comment is vectorised once however many keys are scored. Word 1-2-grams carry
meaning ("kill you"); character 2-5-grams inside word boundaries carry spelling variants
and morphology that normalisation leaves ("idiots", "stupidd"). Both blocks are TF-IDF
weighted with sublinear term frequency and L2-normalised separately.

The vocabulary and IDF weights are fitted with scikit-learn (training only). Scoring uses
the same analyzers (:func:`word_grams`, :func:`char_grams`) and computes TF-IDF itself,
keeping for every feature occurrence the whitespace-separated chunk it came from: that is
what splits a linear score into per-word evidence, and it spares scoring a second pass
over the text and the import of scikit-learn. The fitted state round-trips through plain
numpy arrays (:meth:`Featurizer.to_arrays`), so artifacts load without pickle; in memory
each vocabulary is a :class:`Vocabulary` (a compact trie, not a dict).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import marisa_trie
import numpy as np
from scipy import sparse

#: Word tokens: any run of letters or digits, single letters included ("u", "f").
_TOKEN = re.compile(r"\b\w+\b")
_CHUNK = re.compile(r"\S+")
CHAR_NGRAMS = (2, 5)
#: A word bigram's weight in each of the two chunks its words come from.
BIGRAM_WEIGHT = 0.5
#: Distinct words whose features each language remembers (see Featurizer._chunk_features).
CHUNK_CACHE_SIZE = 50_000
#: Parameters of the scikit-learn vectorizers that fit each block.
WORD_PARAMS = dict(min_df=2, max_features=100_000, sublinear_tf=True, lowercase=False)
CHAR_PARAMS = dict(min_df=3, max_features=200_000, sublinear_tf=True, lowercase=False)


def word_grams(text: str) -> list[str]:
    """Word unigrams, then bigrams (joined by a space), of normalised ``text``."""
    tokens = _TOKEN.findall(text)
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_grams(chunk: str) -> list[str]:
    """Character 2-5-grams of one whitespace-free chunk padded with a space each side.

    The same n-grams, in the same order, as scikit-learn's ``char_wb`` analyzer gives for
    that word (a word shorter than n gives one padded n-gram, once).
    """
    padded = f" {chunk} "
    grams = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        grams += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
        if len(padded) <= n:
            break
    return grams


def all_char_grams(text: str) -> list[str]:
    return [gram for chunk in text.split() for gram in char_grams(chunk)]


class Vocabulary:
    """Terms (word or character n-grams) to feature indices, like a dict but in a trie.

    A language's 300,000 terms take about 40 MB as a dict of strings, in every server
    worker; as a MARISA trie with an index array they take about 2 MB, stored as they are
    in the artifact, so loading them costs no parsing. A lookup costs more than a dict's,
    which the featurizer's word cache absorbs (docs/guidelines.md, "Speed"). The trie
    numbers the terms in its own order, so an array maps its ids to the feature indices
    the model was trained with.
    """

    def __init__(self, trie: marisa_trie.Trie, positions: np.ndarray, first: int = 0):
        """``positions[i]`` is the place of the trie's term ``i`` in feature order: its
        feature index is ``first + positions[i]`` (the char block's follow the word
        block's)."""
        if len(trie) != len(positions):
            raise ValueError("a vocabulary needs one position per term of its trie")
        self._trie = trie
        # array, not numpy: indexing it gives plain ints, fast, one at a time.
        self._index = array("i", (np.asarray(positions) + first).astype(np.int32).tobytes())
        self.first = first

    @classmethod
    def from_terms(cls, terms: list[str], first: int = 0) -> Vocabulary:
        """The vocabulary of ``terms`` in feature order: ``terms[i]`` is feature
        ``first + i``."""
        trie = marisa_trie.Trie(terms)
        if len(trie) != len(terms):
            raise ValueError("a vocabulary's terms must be distinct")
        positions = np.empty(len(terms), dtype=np.int32)
        ids = np.fromiter(map(trie.key_id, terms), dtype=np.int64, count=len(terms))
        positions[ids] = np.arange(len(terms), dtype=np.int32)
        return cls(trie, positions, first)

    @classmethod
    def from_arrays(
        cls, trie_bytes: np.ndarray, positions: np.ndarray, first: int = 0
    ) -> Vocabulary:
        """The vocabulary :meth:`to_arrays` stored."""
        return cls(marisa_trie.Trie().frombytes(trie_bytes.tobytes()), positions, first)

    def to_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The trie's bytes and the positions, as plain arrays for an ``.npz``."""
        positions = np.frombuffer(self._index, dtype=np.int32) - np.int32(self.first)
        return np.frombuffer(self._trie.tobytes(), dtype=np.uint8), positions

    def __len__(self) -> int:
        return len(self._index)

    def get(self, term: str) -> int | None:
        """The feature index of ``term``, or None if it is not in the vocabulary."""
        found = self._trie.get(term)
        return None if found is None else self._index[found]

    def indices(self, terms: Iterable[str]) -> list[int]:
        """The feature indices of the known ``terms``, in order; unknown ones are skipped."""
        get, index = self._trie.get, self._index
        return [index[found] for found in map(get, terms) if found is not None]

    def terms(self) -> list[str]:
        """Every term, in feature order."""
        ordered = [""] * len(self)
        for term, found in self._trie.iteritems():
            ordered[self._index[found] - self.first] = term
        return ordered


@dataclass
class Analysis:
    """A text's known feature occurrences, each with the chunk (word) it came from.

    A word bigram is listed twice, once in each of its words' chunks, with weight 0.5.
    """

    chunks: list[tuple[int, int]]
    chunk_ids: np.ndarray
    features: np.ndarray
    weights: np.ndarray
    #: The TF-IDF row (sorted feature indices, values), once :meth:`Featurizer.row` made it.
    tfidf: tuple[np.ndarray, np.ndarray] | None = None

    def part(self, start: int, end: int) -> Analysis | None:
        """The analysis of the text's span ``[start, end)`` alone, taken from this one: its
        chunks with their features, and the bigrams both of whose words lie inside. None
        when a chunk straddles either end (the span alone would cut that word)."""
        first = bisect_left(self.chunks, (start,))
        stop = bisect_left(self.chunks, (end,), lo=first)
        if (first and self.chunks[first - 1][1] > start) or (
            stop > first and self.chunks[stop - 1][1] > end
        ):
            return None
        inside = (self.chunk_ids >= first) & (self.chunk_ids < stop)
        # The bigrams are the tail of the arrays, each as two neighbouring entries.
        tail = len(self.weights) - int(np.count_nonzero(self.weights == BIGRAM_WEIGHT))
        pairs = inside[tail:].reshape(-1, 2).all(axis=1)
        inside[tail:] = np.repeat(pairs, 2)
        return Analysis(
            self.chunks[first:stop],
            self.chunk_ids[inside] - first,
            self.features[inside],
            self.weights[inside],
        )


class Featurizer:
    """TF-IDF word 1-2-grams followed by char_wb 2-5-grams, as one sparse row per text."""

    def __init__(self, word_vocab: Vocabulary, char_vocab: Vocabulary, idf: np.ndarray):
        if char_vocab.first != len(word_vocab):
            raise ValueError("the char block's features must follow the word block's")
        self.word_vocab = word_vocab
        self.char_vocab = char_vocab
        # Word block, then char block; float32 is what the artifact stores.
        self.idf = np.asarray(idf, dtype=np.float32).astype(np.float64)
        # Words repeat across comments, so their n-gram lookups are worth remembering.
        # (a per-instance cache: the mypy ignore is for replacing the method on the instance)
        self._chunk_features = lru_cache(maxsize=CHUNK_CACHE_SIZE)(  # type: ignore[method-assign]
            self._chunk_features
        )

    @property
    def n_features(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    def analyze(self, text: str) -> Analysis:
        """Known feature occurrences of normalised ``text``, by chunk."""
        word_vocab = self.word_vocab
        chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text)]
        # The chunks' features are copied array to array, never as one int object each.
        features = array("i")
        per_chunk: list[int] = []
        tokens: list[str] = []
        token_chunk: list[int] = []
        for c, (start, end) in enumerate(chunks):
            known, words = self._chunk_features(text[start:end])
            features.extend(known)
            per_chunk.append(len(known))
            tokens += words
            token_chunk += [c] * len(words)
        # Bigrams may join two chunks ("you idiot"): half an occurrence in each.
        bigrams: list[int] = []
        bigram_chunks: list[int] = []
        for i, (first, second) in enumerate(pairwise(tokens)):
            bigram = word_vocab.get(f"{first} {second}")
            if bigram is not None:
                bigrams += [bigram, bigram]
                bigram_chunks += [token_chunk[i], token_chunk[i + 1]]
        features.extend(bigrams)
        return Analysis(
            chunks,
            np.concatenate(
                [
                    np.repeat(np.arange(len(chunks), dtype=np.int64), per_chunk),
                    np.array(bigram_chunks, dtype=np.int64),
                ]
            ),
            np.frombuffer(features, dtype=np.int32).astype(np.int64),
            np.concatenate(
                [np.ones(len(features) - len(bigrams)), np.full(len(bigrams), BIGRAM_WEIGHT)]
            ),
        )

    def _chunk_features(self, chunk: str) -> tuple[array[int], tuple[str, ...]]:
        """One chunk's known word-unigram and char n-gram features, and its word tokens.

        A chunk's features do not depend on its neighbours (only bigrams do), so this is
        cached per distinct chunk. An ``array`` holds the indices in a quarter of the
        memory a tuple of ints takes: the cache is the featurizer's largest memory once a
        server has seen many distinct words.
        """
        tokens = tuple(_TOKEN.findall(chunk))
        found = self.word_vocab.indices(tokens) + self.char_vocab.indices(char_grams(chunk))
        return array("i", found), tokens

    def row(self, analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
        """The TF-IDF row of an analysed text: (sorted feature indices, values)."""
        if analysis.tfidf is None:
            _, indices, values = self._tfidf([analysis])
            analysis.tfidf = indices.astype(np.int64), values.astype(np.float64)
        return analysis.tfidf

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF rows of normalised ``texts``."""
        return self.transform_analyses([self.analyze(text) for text in texts])

    def transform_analyses(self, analyses: list[Analysis]) -> sparse.csr_matrix:
        """TF-IDF rows of analysed texts (:meth:`analyze`)."""
        indptr, indices, values = self._tfidf(analyses)
        return sparse.csr_matrix((values, indices, indptr), shape=(len(analyses), self.n_features))

    def _tfidf(self, analyses: list[Analysis]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The TF-IDF rows of analysed texts as CSR arrays (row pointers, feature indices,
        float32 values), every row in one pass of array operations: a comment and its
        sentences, or a whole batch, cost little more than one row. int32 indices, as
        SciPy keeps them: given int64 ones, it scans them to narrow them."""
        n, width = len(analyses), self.n_features
        indptr = np.zeros(n + 1, dtype=np.int32)
        lengths = [len(analysis.features) for analysis in analyses]
        if not sum(lengths):
            return indptr, np.zeros(0, np.int32), np.zeros(0, np.float32)
        owners = np.repeat(np.arange(n, dtype=np.int64), lengths)
        features = np.concatenate([analysis.features for analysis in analyses])
        weights = np.concatenate([analysis.weights for analysis in analyses])
        # One id per (row, feature): sorted, they are the matrix's entries in CSR order.
        cells, inverse = np.unique(owners * width + features, return_inverse=True)
        rows, indices = np.divmod(cells, width)
        values = (1.0 + np.log(np.bincount(inverse, weights=weights))) * self.idf[indices]
        # The word block and the char block of each row are L2-normalised apart.
        blocks = 2 * rows + (indices >= len(self.word_vocab))
        norms = np.sqrt(np.bincount(blocks, weights=np.square(values), minlength=2 * n))
        values /= np.where(norms > 0, norms, 1.0)[blocks]
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return indptr, indices.astype(np.int32), values.astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Vocabularies (each a trie's bytes and its terms' positions) and IDF weights."""
        arrays = {"idf": self.idf.astype(np.float32)}
        for name, vocab in (("word", self.word_vocab), ("char", self.char_vocab)):
            arrays[f"{name}_trie"], arrays[f"{name}_positions"] = vocab.to_arrays()
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Featurizer:
        words = Vocabulary.from_arrays(arrays["word_trie"], arrays["word_positions"])
        chars = Vocabulary.from_arrays(
            arrays["char_trie"], arrays["char_positions"], first=len(words)
        )
        return cls(words, chars, arrays["idf"])
