"""Persian training data: Pars-OFF level A (offensive or not), train and test files.

Only level A and the keyword list are in this copy (levels B and C, targeted/untargeted and
the target, are not), so Persian has the ``offensive`` decision and no finer key: profanity
and personal attacks stay ``None`` on offensive rows. Both official files are loaded and the
engine's own split decides validation, as for every other set.

The keyword list (:func:`read_keywords`, 1,416 offensive words and phrases) is data too, so
it never goes into the repository or an artifact as text. docs/multilingual-data.md says how
the engine can still use it as evidence.
"""

from __future__ import annotations

import csv
from pathlib import Path

from agora.guidelines.datasets.arabic import offensive_labels, tidy_text
from agora.guidelines.datasets.common import Example

LANG = "fa"
_FILES = ("Pars-OFF_levela_train.csv", "Pars-OFF_levela_test.csv")
_KEYWORDS = "Pars-OFF_KEY.txt"
#: Folder, files and licence note, as stated in SOURCE.md (for the manifest).
SOURCES = (
    {
        "folder": "fa/pars-off",
        "files": (*_FILES, _KEYWORDS),
        "licence": "none stated; the README asks users to cite the paper (probably Ataei et "
        "al. 2022, not verified)",
    },
)


def read_pars_off(folder: Path) -> list[dict[str, str]]:
    """Rows ``tweet``, ``label`` (OFF / NOT) of both level-A files (UTF-8 with BOM, CRLF)."""
    rows = []
    for name in _FILES:
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def read_keywords(data_dir: Path) -> list[str]:
    """Pars-OFF's offensive keyword list, one entry per line, in file order."""
    path = Path(data_dir) / SOURCES[0]["folder"] / _KEYWORDS
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip()]


def load(data_dir: Path) -> list[Example]:
    """All Persian examples, train file then test file."""
    source = SOURCES[0]["folder"]
    return [
        Example(
            # Pars-OFF writes a link as "@URL"; the other sets write "URL".
            text=tidy_text(row["tweet"].replace("@URL", "URL")),
            lang=LANG,
            source=source,
            labels=offensive_labels(int(row["label"] == "OFF")),
        )
        for row in read_pars_off(Path(data_dir) / source)
    ]
