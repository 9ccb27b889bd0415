"""Other people's offensive-language detectors, run beside ours in ``agora evaluate``.

They are comparison points only (installed as dev dependencies), never part of a verdict.
Each :class:`Peer` gives a score per text (higher = more offensive; used for ROC-AUC) and
its own yes/no decision (used for precision, recall and F1). Peers read the original
text: normalising it for them would credit our normalisation to them.

English: ``alt-profanity-check`` (a linear SVM over word n-grams, trained on
Wikipedia and tweets) and ``better-profanity`` (a word list with variant spellings; its
score is its decision, 0 or 1). Other languages' peers live in
``agora.guidelines.training.peers_multilingual`` (functions ``(texts, lang) -> scores`` whose own
decision is a score of 0.5 or more), wrapped here as :class:`Peer` objects.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Peer:
    name: str
    languages: tuple[str, ...]
    score: Callable[[list[str]], np.ndarray]
    decide: Callable[[list[str]], np.ndarray]


def _alt_profanity_check_score(texts: list[str]) -> np.ndarray:
    from profanity_check import predict_prob

    return np.asarray(predict_prob(texts), dtype=float)


def _alt_profanity_check_decide(texts: list[str]) -> np.ndarray:
    return (_alt_profanity_check_score(texts) >= 0.5).astype(int)


def _better_profanity_decide(texts: list[str]) -> np.ndarray:
    from better_profanity import profanity

    profanity.load_censor_words()
    return np.array([int(profanity.contains_profanity(text)) for text in texts])


PEERS = [
    Peer(
        "alt-profanity-check",
        ("en",),
        _alt_profanity_check_score,
        _alt_profanity_check_decide,
    ),
    Peer("better-profanity", ("en",), _better_profanity_decide, _better_profanity_decide),
]


def _multilingual_peer(name: str, function, languages: tuple[str, ...], lang: str) -> Peer:
    def score(texts: list[str]) -> np.ndarray:
        return np.asarray(function(texts, lang), dtype=float)

    return Peer(name, languages, score, lambda texts: (score(texts) >= 0.5).astype(int))


def peers_for(lang: str) -> list[Peer]:
    """Every peer that covers ``lang``."""
    found = [peer for peer in PEERS if lang in peer.languages]
    module_name = "agora.guidelines.training.peers_multilingual"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return found
    for name, function in module.PEERS.items():
        languages = tuple(module.PEER_LANGUAGES[name])
        if lang in languages:
            found.append(_multilingual_peer(name, function, languages, lang))
    return found
