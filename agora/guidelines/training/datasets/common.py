"""Shared record type and helpers for every data set loader.

Each loader (``datasets/english.py``, ``datasets/arabic.py`` ...) turns the raw files of
``../shared/data`` into a list of :class:`Example`. Labels a data set does not annotate are
``None`` rather than ``0``: training uses a key only on rows that say something about it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from agora.guidelines.verdict import IDENTITY_SUBKEYS, SCORE_KEYS

_SPACE = re.compile(r"\s+")
#: Seed of the train/validation split (and of training).
SEED = 13
#: Keys that say a comment is abusive in some way (everything but promotion and relevance).
ABUSE_KEYS = ("profanity", "threat", "personal_attack", "identity_abuse") + IDENTITY_SUBKEYS


@dataclass(frozen=True)
class Example:
    """One labelled comment.

    ``source`` is the data set's folder relative to the data directory (e.g. ``"en/olid"``):
    the manifest lists that folder's files, hashes and licence note, and evaluation reports
    scores per source. ``lang`` is the model the row trains (``"en"``, ``"ar"``, ...).
    ``labels`` maps guideline keys (and identity sub-keys) to 1 (breaks it), 0 (does not)
    or ``None`` (this data set says nothing about that key). ``group`` keeps related rows
    (e.g. comments of one thread) on the same side of the train/validation split.
    """

    text: str
    lang: str
    source: str
    labels: dict[str, int | None] = field(hash=False)
    group: str = ""


def dedup_key(text: str) -> str:
    """Whitespace-normalised, lower-cased text: two rows with the same key are duplicates."""
    return _SPACE.sub(" ", text).strip().lower()


def dedup(examples: list[Example]) -> list[Example]:
    """Drop repeated texts within one (source, lang), keeping the first occurrence.

    Rows of different sources are kept even when the text repeats, because each source
    labels different keys; :func:`split` still puts all copies on the same side.
    """
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for ex in examples:
        key = (ex.source, ex.lang, dedup_key(ex.text))
        if key in seen or not key[2]:
            continue
        seen.add(key)
        kept.append(ex)
    return kept


def bucket(value: str, seed: int) -> float:
    """Stable pseudo-random number in [0, 1) from a string, independent of Python's hash seed."""
    digest = hashlib.sha256(f"{seed}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def unit_of(ex: Example) -> str:
    """What keeps related rows together: the row's group, else its normalised text."""
    return f"{ex.source}|group|{ex.group}" if ex.group else dedup_key(ex.text)


def split(
    examples: list[Example], seed: int = SEED, validation: float = 0.2
) -> tuple[list[Example], list[Example]]:
    """Deduplicate, then split into (train, validation) deterministically.

    The side is chosen from a hash of the row's group (or of its normalised text when it has
    no group), so rows of one group stay together; a text that occurs again (in another
    source) follows its first copy, so identical texts never straddle the split.
    """
    train, valid = [], []
    side_of_text: dict[str, bool] = {}
    for ex in dedup(examples):
        text = dedup_key(ex.text)
        # A text seen before follows its first copy, even across sources and groups.
        is_valid = side_of_text.setdefault(text, bucket(unit_of(ex), seed) < validation)
        (valid if is_valid else train).append(ex)
    return train, valid


def make_labels(**given: int | None) -> dict[str, int | None]:
    """A complete label dict from the labels a data set gives; the rest are ``None``.

    Two implications that hold by definition are filled in: an identity sub-key of 1 means
    identity abuse, and a row that is not identity abuse is none of its sub-kinds.
    """
    unknown = set(given) - set(SCORE_KEYS)
    if unknown:
        raise ValueError(f"unknown label keys: {sorted(unknown)}")
    labels: dict[str, int | None] = {key: given.get(key) for key in SCORE_KEYS}
    if any(labels[sub] == 1 for sub in IDENTITY_SUBKEYS):
        labels["identity_abuse"] = 1
    if labels["identity_abuse"] == 0:
        for sub in IDENTITY_SUBKEYS:
            labels[sub] = 0
    return labels


def clean_labels(**given: int | None) -> dict[str, int | None]:
    """Labels of a row its annotators found not abusive at all: every abuse key is 0."""
    return make_labels(**({key: 0 for key in ABUSE_KEYS} | given))


def validation_halves(
    validation_rows: list[Example], seed: int = SEED
) -> tuple[list[Example], list[Example]]:
    """Split a validation split into (calibration, evaluation) halves, deterministically.

    Probabilities are calibrated and policy thresholds chosen on the first half; every
    reported figure comes from the second, which played no part in fitting anything.
    """
    return split(validation_rows, seed=seed + 1, validation=0.5)


def not_promotion(examples: list[Example]) -> list[Example]:
    """``examples`` with promotion 0 where their set said nothing about it.

    The abuse sets were collected from ordinary posts and comments, not from advertising;
    as negatives for promotion they keep a spam set's own negatives (news headlines, private
    SMS) from becoming what "not promotion" means.
    """
    return [
        replace(ex, labels=ex.labels | {"promotion": 0})
        if ex.labels.get("promotion") is None
        else ex
        for ex in examples
    ]


def load_sets(loaders: dict[str, Callable[[Path], list[Example]]], data_dir: Path) -> list[Example]:
    """Every set's examples, in the order of ``loaders`` (folder -> its loader)."""
    examples = []
    for source, loader in loaders.items():
        examples += loader(Path(data_dir) / source)
    return examples
