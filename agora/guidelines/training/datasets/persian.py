"""Persian training data: Pars-OFF level A, Persian_HS Instagram comments and the Sharif
spam corpus.

* Pars-OFF: offensive or not (train and test files; the engine's own split decides
  validation, as for every other set). Levels B and C are not in this copy, so profanity
  and personal attacks stay ``None`` on offensive rows.
* Persian_HS: Instagram comments (the comment domain) labelled hate or not. Its "hate" is
  mostly insults and abuse aimed at the page owner or other commenters, so it is read as
  offensive or not, not as identity abuse.
* Sharif spam corpus: commercial e-mail (spam) and forum-like messages (ham), for
  promotion. E-mail spam is long and full of boilerplate: only the start of each message
  is kept, about the length of a long comment.

The Pars-OFF keyword list (:func:`read_keywords`, 1,416 offensive words and phrases) is data
too, so it never goes into the repository or an artifact as text. docs/multilingual-data.md
says how the engine can still use it as evidence.
"""

from __future__ import annotations

import csv
from pathlib import Path

from agora.guidelines.training.datasets.arabic import offensive_labels, tidy_text
from agora.guidelines.training.datasets.common import Example, load_sets, not_promotion

LANG = "fa"
_FILES = ("Pars-OFF_levela_train.csv", "Pars-OFF_levela_test.csv")
_KEYWORDS = "Pars-OFF_KEY.txt"
#: Sets of comments like a news site's (not tweets or e-mail); training weighs them up.
COMMENT_DOMAIN = ("fa/persian-hs-instagram",)
#: Characters of an e-mail kept as a training text.
EMAIL_CHARACTERS = 1000
_HATE = '"تنفر"'
_NO_HATE = '"غیرتنفر"'


def read_pars_off(folder: Path) -> list[dict[str, str]]:
    """Rows ``tweet``, ``label`` (OFF / NOT) of both level-A files (UTF-8 with BOM, CRLF)."""
    rows = []
    for name in _FILES:
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def read_keywords(data_dir: Path) -> list[str]:
    """Pars-OFF's offensive keyword list, one entry per line, in file order."""
    path = Path(data_dir) / "fa/pars-off" / _KEYWORDS
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip()]


def _example(text: str, source: str, labels: dict[str, int | None]) -> Example:
    return Example(text=tidy_text(text), lang=LANG, source=source, labels=labels)


def _load_pars_off(folder: Path) -> list[Example]:
    return [
        # Pars-OFF writes a link as "@URL"; the other sets write "URL".
        _example(
            row["tweet"].replace("@URL", "URL"),
            "fa/pars-off",
            offensive_labels(int(row["label"] == "OFF")),
        )
        for row in read_pars_off(folder)
    ]


def _load_instagram(folder: Path) -> list[Example]:
    with (folder / "persian_HS.csv").open(encoding="utf-8", newline="") as handle:
        return [
            _example(
                row["sentence"],
                "fa/persian-hs-instagram",
                offensive_labels(int(row["label"] == _HATE)),
            )
            for row in csv.DictReader(handle)
            if (row["sentence"] or "").strip() and row["label"] in (_HATE, _NO_HATE)
        ]


def _load_spam(folder: Path) -> list[Example]:
    examples = []
    for path in sorted((folder / "emails").glob("*/*.txt")):
        text = tidy_text(path.read_text(encoding="utf-8-sig")[:EMAIL_CHARACTERS])
        if text:
            spam = int(path.parent.name.startswith("spam"))
            examples.append(
                Example(text, LANG, "fa/sharif-spam-corpus", offensive_labels(None, promotion=spam))
            )
    return examples


LOADERS = {
    "fa/pars-off": _load_pars_off,
    "fa/persian-hs-instagram": _load_instagram,
    "fa/sharif-spam-corpus": _load_spam,
}


def load(data_dir: Path) -> list[Example]:
    """All Persian examples, set by set, in a fixed order."""
    return not_promotion(load_sets(LOADERS, data_dir))
