"""Fitting the n-gram featurizer (:class:`agora.guidelines.features.Featurizer`)."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from agora.guidelines.features import (
    CHAR_PARAMS,
    WORD_PARAMS,
    Featurizer,
    Vocabulary,
    all_char_grams,
    word_grams,
)


def fit_featurizer(texts: list[str]) -> tuple[Featurizer, sparse.csr_matrix]:
    """Fit vocabularies and IDF on training texts; return the featurizer and their rows.

    The rows come from :meth:`Featurizer.transform`, the code that scores comments later,
    so training sees exactly the features scoring will.
    """
    word = TfidfVectorizer(analyzer=word_grams, **WORD_PARAMS)
    char = TfidfVectorizer(analyzer=all_char_grams, **CHAR_PARAMS)
    word.fit(texts)
    char.fit(texts)
    words = Vocabulary.from_terms(list(word.get_feature_names_out()))
    chars = Vocabulary.from_terms(list(char.get_feature_names_out()), first=len(words))
    featurizer = Featurizer(words, chars, np.concatenate([word.idf_, char.idf_]))
    return featurizer, featurizer.transform(texts)
