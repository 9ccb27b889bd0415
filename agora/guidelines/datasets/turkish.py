"""Turkish training data: OffensEval 2020 Turkish (Çöltekin 2020), training file only.

Only the top-level label is in this copy: OFF (profanity or a targeted offence) or NOT. The
corpus annotates targeted/untargeted and the target's type too, but the shared task kept
level A only, so profanity and personal attacks cannot be told apart in Turkish: both stay
``None`` on offensive rows and the row's ``offensive`` label carries the decision.
"""

from __future__ import annotations

import csv
from pathlib import Path

from agora.guidelines.datasets.arabic import offensive_labels, tidy_text
from agora.guidelines.datasets.common import Example

LANG = "tr"
_FILES = ("offenseval-tr-training-v1.tsv",)
#: Folder, files and licence note, as stated in SOURCE.md (for the manifest).
SOURCES = (
    {
        "folder": "tr/offenseval2020",
        "files": _FILES,
        "licence": "none stated in the repository or the official readme; the Hugging Face "
        "card coltekin/offenseval2020_tr says CC-BY-2.0",
    },
)


def read_offenseval_tr(folder: Path) -> list[dict[str, str]]:
    """Rows ``id``, ``tweet``, ``subtask_a``. The file is unquoted: '"' belongs to the tweet."""
    with (folder / _FILES[0]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load(data_dir: Path) -> list[Example]:
    """All Turkish examples, in file order."""
    source = SOURCES[0]["folder"]
    return [
        Example(
            text=tidy_text(row["tweet"]),
            lang=LANG,
            source=source,
            labels=offensive_labels(int(row["subtask_a"] == "OFF")),
        )
        for row in read_offenseval_tr(Path(data_dir) / source)
    ]
