"""Ready-made Arabic, Turkish and Persian detectors to compare our models with.

``agora evaluate`` scores the same validation rows with our engine and with each peer, and
reports the offensive decision of both. A peer is a function ``(texts, lang) -> scores`` with
scores in [0, 1] where 0.5 and above is the peer's own "offensive" decision, so F1 at 0.5 is
the peer as its authors ship it and ROC-AUC uses its ranking where it has one.

* ``arabic-toxic`` (PyPI, MIT): a TF-IDF + linear multi-label model for Arabic shipped
  inside the package (no download). Its decision is "toxic" when any toxic label
  (Appearance, Cussing, Hatred, Racial, Sexual, Violence) passes its tuned threshold.
* ``glin-profanity`` (PyPI, MIT): word lists; a text is profane when a listed word occurs.
  Its lists for Arabic (153 entries), Turkish (1,034) and Persian (45) are used, one
  language at a time. It gives no ranking: scores are 0 or 1.

Both are development dependencies, imported on first use, so the engine never needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

__all__ = ["PEERS", "PEER_LANGUAGES"]

#: Languages each peer covers; a peer called with another language raises ValueError.
PEER_LANGUAGES: dict[str, tuple[str, ...]] = {
    "arabic-toxic": ("ar",),
    "glin-profanity": ("ar", "tr", "fa"),
}

_GLIN_LANGUAGE_NAMES = {"ar": "arabic", "tr": "turkish", "fa": "persian"}


def _check_language(peer: str, lang: str) -> None:
    if lang not in PEER_LANGUAGES[peer]:
        covered = ", ".join(PEER_LANGUAGES[peer])
        raise ValueError(f"{peer} covers {covered}, not {lang!r}")


def arabic_toxic_scores(texts: list[str], lang: str) -> list[float]:
    """Score in [0.5, 1] for texts arabic-toxic calls toxic, [0, 0.5) for the others.

    Within each half the order is the highest toxic label's probability, so the score ranks
    texts as the model does while 0.5 reproduces its own tuned decision exactly.
    """
    _check_language("arabic-toxic", lang)
    # classify() runs the pipeline once per text (about 10 ms each); the same pipeline,
    # normalisation and thresholds in one batch give the same decisions, which the tests
    # check against classify() itself.
    from arabic_toxic.classifier import _load_bundle, normalize_arabic

    bundle = _load_bundle()
    toxic = [i for i, label in enumerate(bundle["labels"]) if label != "NOT"]
    probabilities = bundle["pipeline"].predict_proba([normalize_arabic(t) for t in texts])
    probabilities = probabilities[:, toxic]
    thresholds = np.asarray(bundle["thresholds"], dtype=float)[toxic]
    is_toxic = (probabilities >= thresholds).any(axis=1)
    strongest = probabilities.max(axis=1)
    return np.where(is_toxic, 0.5 * (1.0 + strongest), 0.5 * strongest).tolist()


@cache
def _glin_filter(lang: str):
    from glin_profanity import Filter

    return Filter({"languages": [_GLIN_LANGUAGE_NAMES[lang]]})


def glin_profanity_scores(texts: list[str], lang: str) -> list[float]:
    """1.0 for texts that contain a word of glin-profanity's list for ``lang``, else 0.0."""
    _check_language("glin-profanity", lang)
    profanity_filter = _glin_filter(lang)
    return [1.0 if profanity_filter.is_profane(text) else 0.0 for text in texts]


#: Peer name -> function(texts, lang) -> scores; see :data:`PEER_LANGUAGES`.
PEERS: dict[str, Callable[[list[str], str], list[float]]] = {
    "arabic-toxic": arabic_toxic_scores,
    "glin-profanity": glin_profanity_scores,
}
