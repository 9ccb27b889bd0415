"""Turkish training data: OffensEval 2020 Turkish, Jigsaw's Turkish talk-page comments and
the Turkish SMS spam collection.

* OffensEval 2020 (Çöltekin 2020), training file only. Only the top-level label is in this
  copy: OFF (profanity or a targeted offence, threats included) or NOT. Which guideline an
  offensive row breaks is unknown, so its ``offensive`` label carries the decision.
* Jigsaw Multilingual's validation file, Turkish rows: Wikipedia talk-page comments (the
  comment domain) labelled toxic or not, read as offensive or not.
* TurkishSMSCollection: spam (mostly betting, loans and retail offers) or normal SMS, for
  promotion. The comment sets are negatives for promotion too
  (:func:`~agora.guidelines.training.datasets.common.not_promotion`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from agora.guidelines.training.datasets.arabic import offensive_labels, tidy_text
from agora.guidelines.training.datasets.common import Example, load_sets, not_promotion

LANG = "tr"
_FILES = ("offenseval-tr-training-v1.tsv",)
#: Sets of comments like a news site's (not tweets or SMS); training weighs them up.
COMMENT_DOMAIN = ("tr/jigsaw-multilingual-validation",)


def read_offenseval_tr(folder: Path) -> list[dict[str, str]]:
    """Rows ``id``, ``tweet``, ``subtask_a``. The file is unquoted: '"' belongs to the tweet."""
    with (folder / _FILES[0]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _example(text: str, source: str, labels: dict[str, int | None]) -> Example:
    return Example(text=tidy_text(text), lang=LANG, source=source, labels=labels)


def _load_offenseval(folder: Path) -> list[Example]:
    return [
        _example(
            row["tweet"], "tr/offenseval2020", offensive_labels(int(row["subtask_a"] == "OFF"))
        )
        for row in read_offenseval_tr(folder)
    ]


def _load_jigsaw(folder: Path) -> list[Example]:
    with (folder / "validation.csv").open(encoding="utf-8", newline="") as handle:
        return [
            _example(
                row["comment_text"],
                "tr/jigsaw-multilingual-validation",
                offensive_labels(int(row["toxic"])),
            )
            for row in csv.DictReader(handle)
            if row["lang"] == "tr"
        ]


def _load_sms_spam(folder: Path) -> list[Example]:
    with (folder / "TurkishSMSCollection.csv").open(encoding="utf-8", newline="") as handle:
        return [
            _example(
                row["Message"],
                "tr/turkish-sms-spam",
                offensive_labels(None, promotion=int(row["Group"] == "1")),
            )
            for row in csv.DictReader(handle, delimiter=";")
            if row["Message"] and row["Group"] in ("1", "2")
        ]


LOADERS = {
    "tr/offenseval2020": _load_offenseval,
    "tr/jigsaw-multilingual-validation": _load_jigsaw,
    "tr/turkish-sms-spam": _load_sms_spam,
}


def load(data_dir: Path) -> list[Example]:
    """All Turkish examples, set by set, in a fixed order."""
    return not_promotion(load_sets(LOADERS, data_dir))
