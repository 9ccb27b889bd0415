"""Arabic training data: OSACT 2020, OSACT 2022, L-HSAB and three Vanetik-taxonomy files.

Each ``_load_*`` function reads one folder of ``<data>/ar`` (the parsing quirks are those its
SOURCE.md describes) and says, per row, only what that set's annotation supports; keys a set
does not annotate stay ``None``. docs/multilingual-data.md gives the mapping table and the
reasons. Besides the guideline keys every row carries ``offensive`` (0/1, or ``None`` where
the set cannot tell): the generic decision these sets share, which the engine scores for
ar, tr and fa and compares with the peers.

Choices that go beyond the raw labels:

* A row its annotators found not offensive (OSACT "NOT", L-HSAB "normal") is a negative for
  every abuse key (:func:`offensive_labels`): "not offensive" rules out profanity, threats,
  attacks and identity abuse alike. An offensive row says nothing about which key it breaks
  unless the set has a finer label.
* Text is tidied (:func:`tidy_text`): escaped newlines decoded, HTML entities of the tweet
  APIs decoded, and the @handles, e-mail addresses and links that some sets did not
  anonymise replaced by the placeholders the others use ("@USER", "URL"), so no model
  learns a person's handle.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

from openpyxl import load_workbook

from agora.guidelines.promotion_cues import mask_contacts
from agora.guidelines.training.datasets.common import (
    Example,
    clean_labels,
    load_sets,
    make_labels,
    not_promotion,
)

LANG = "ar"
_OSACT2020_FILES = ("offenseval-ar-training-v1.tsv", "offenseval-ar-dev-v1.tsv")
_OSACT2022_FILES = ("train_data2022.csv", "dev_data2022.csv")
_VANETIK_FILES = {
    file_id: f"arabic_off_lang_dataset_{file_id}.xlsx" for file_id in ("ID2", "ID4", "ID14")
}
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def tidy_text(text: str) -> str:
    """Decode a data file's escapes and mask contacts; the wording itself is untouched.

    ``<LF>`` is OffensEval's newline, ``_x000D_`` is how the spreadsheets store a carriage
    return, and tweet APIs escape "&" as "&amp;".
    """
    text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("<LF>", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return mask_contacts(html.unescape(text)).strip()


def offensive_labels(offensive: int | None, **given: int | None) -> dict[str, int | None]:
    """Labels of a row whose set decides "offensive or not", plus any finer ``given`` keys.

    A non-offensive row is a negative for every abuse key; an offensive one breaks some key
    but, without finer labels, we cannot say which. Promotion and relevance stay ``None``.
    """
    labels = clean_labels(**given) if offensive == 0 else make_labels(**given)
    return labels | {"offensive": offensive}


def _example(text: str, source: str, labels: dict[str, int | None]) -> Example:
    return Example(text=tidy_text(text), lang=LANG, source=source, labels=labels)


def _tsv_rows(path: Path) -> list[dict[str, str]]:
    # OffensEval files are unquoted: a '"' is part of the tweet.
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


# --- OSACT 2020 (OffensEval Arabic, sub-task A) --------------------------------------------


def read_osact2020(folder: Path) -> list[dict[str, str]]:
    """Rows of the training and dev files: ``id``, ``tweet``, ``subtask_a`` (OFF / NOT)."""
    return [row for name in _OSACT2020_FILES for row in _tsv_rows(folder / name)]


def _load_osact2020(folder: Path) -> list[Example]:
    # OFF is profanity or a targeted offence: the two are not separated.
    return [
        _example(row["tweet"], "ar/osact2020", offensive_labels(int(row["subtask_a"] == "OFF")))
        for row in read_osact2020(folder)
    ]


# --- OSACT 2022 (fine-grained offensive and hate speech) ------------------------------------

#: One row per line; the separator is "," or a TAB, and the tweet holds unquoted commas.
_OSACT2022_LINE = re.compile(
    r"^(\d+)[,\t](.*)[,\t](OFF|NOT_OFF)[,\t](NOT_HS|HS\d)[,\t](VLG|NOT_VLG)[,\t](VIO|NOT_VIO)$"
)
_OSACT2022_FIELDS = ("id", "tweet", "offensive", "hate", "vulgar", "violence")


def _unquote_csv_field(text: str) -> str:
    """A field the writer wrapped in quotes (inner quotes doubled) back to its text."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def read_osact2022(folder: Path) -> list[dict[str, str]]:
    """Rows of the train and dev files; a line that does not parse is an error."""
    rows = []
    for name in _OSACT2022_FILES:
        lines = (folder / name).read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            match = _OSACT2022_LINE.match(line)
            if match is None:
                raise ValueError(f"{folder / name}:{number}: not an OSACT 2022 row")
            row = dict(zip(_OSACT2022_FIELDS, match.groups(), strict=True))
            row["tweet"] = _unquote_csv_field(row["tweet"])
            rows.append(row)
    return rows


#: Hate type -> identity sub-keys. HS1 is race, ethnicity or nationality, so it is racism but
#: may or may not be xenophobia; HS6 (gender) is sexism and may include homophobia. Religion,
#: ideology, disability and social class are identity abuse outside the four sub-keys.
_OSACT2022_HATE = {
    "HS1": dict(racism=1, xenophobia=None, sexism=0, homophobia=0),
    "HS6": dict(sexism=1, homophobia=None, racism=0, xenophobia=0),
    **{f"HS{n}": dict(racism=0, xenophobia=0, sexism=0, homophobia=0) for n in (2, 3, 4, 5)},
}


def _osact2022_labels(row: dict[str, str]) -> dict[str, int | None]:
    if row["offensive"] == "NOT_OFF":
        return offensive_labels(0)
    # Vulgar is sexual or obscene language; an offensive tweet that is not vulgar may still
    # curse, which our "profanity" covers, so only VLG is a label for it.
    profanity = 1 if row["vulgar"] == "VLG" else None
    if row["hate"] == "NOT_HS":
        identity: dict[str, int | None] = {"identity_abuse": 0}
    else:
        identity = {"identity_abuse": 1, **_OSACT2022_HATE[row["hate"]]}
    return offensive_labels(
        1, profanity=profanity, threat=int(row["violence"] == "VIO"), **identity
    )


def _load_osact2022(folder: Path) -> list[Example]:
    return [
        _example(row["tweet"], "ar/osact2022", _osact2022_labels(row))
        for row in read_osact2022(folder)
    ]


# --- L-HSAB (Levantine political tweets: normal / abusive / hate) --------------------------


def read_lhsab(folder: Path) -> list[dict[str, str]]:
    """Rows ``Tweet``, ``Class``. Three tweets are quoted and span several lines."""
    with (folder / "L-HSAB").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["Class"]]


_LHSAB = {
    "normal": offensive_labels(0),
    # Abusive: insulting or profane but not aimed at an identity, so not identity abuse.
    "abusive": offensive_labels(1, identity_abuse=0),
    # Hate: abuse that demeans a person or group for their identity; the kind is not given.
    "hate": offensive_labels(1, identity_abuse=1),
}


def _load_lhsab(folder: Path) -> list[Example]:
    return [_example(row["Tweet"], "ar/lhsab", _LHSAB[row["Class"]]) for row in read_lhsab(folder)]


# --- Vanetik taxonomy: ID2 (MLMA Arabic), ID4 (Alakrot YouTube), ID14 (Let-Mi) ------------


def read_sheet(path: Path) -> list[dict]:
    """Rows of a spreadsheet's first sheet as dicts; 'null' cells become ``None``.

    Header names carry stray spaces in some files ("text ID ", "target presense "); they are
    stripped.
    """
    workbook = load_workbook(path, read_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(name).strip() if name is not None else "" for name in next(rows)]
        return [
            {
                name: (None if value == "null" else value)
                for name, value in zip(header, values, strict=False)
                if name
            }
            for values in rows
        ]
    finally:
        workbook.close()


def read_vanetik(folder: Path, file_id: str) -> list[dict]:
    """Rows of one Vanetik spreadsheet; rows without text go."""
    rows = read_sheet(folder / _VANETIK_FILES[file_id])
    return [row for row in rows if row.get("text") is not None]


_MLMA_IDENTITY = ("racism", "xenophobia", "homophobia", "sexism")


def _mlma_labels(row: dict) -> dict[str, int | None] | None:
    """ID2 (MLMA Arabic). ``None`` for a row with no usable label.

    Nearly every tweet is hostile by design, and "offensive" = 0 does not mean clean: 89 such
    rows are marked hate speech. So only hostile rows (offensive, or hate speech) are used.
    Their identity columns say which identity the hostility targets; the target column says
    whether it is aimed at one person (a personal attack) or at a group.
    """
    hate = row["offense strength"] == "hate speech"
    if row["offensive"] != 1 and not hate:
        return None
    flags = {key: int(row[key]) for key in _MLMA_IDENTITY}
    targets_identity = any(flags.values()) or row["religion"] == 1
    # Hate speech is aimed at an identity by definition; an offensive row without an identity
    # column may target one the columns do not cover (disability, politics), so it stays None.
    identity_abuse = 1 if hate or targets_identity else None
    personal_attack = {"individual": 1, "individual wrt group": 1, "group": 0}.get(row["target"])
    return offensive_labels(
        1, identity_abuse=identity_abuse, personal_attack=personal_attack, **flags
    )


def _alakrot_labels(row: dict) -> dict[str, int | None]:
    """ID4 (YouTube comments): offensive or not, nothing finer."""
    return offensive_labels(int(row["offensive"]))


def _letmi_labels(row: dict) -> dict[str, int | None]:
    """ID14 (Let-Mi, misogyny in Levantine tweets aimed at women in the media).

    The "sexism" column marks 2,197 of the 2,586 offensive rows (offense strength discredit,
    insult or hate); the other 389 have no strength, and a sample of them reads as threats
    and contempt aimed at the same women. So sexism 0 on an offensive row is unknown.
    """
    if row["offensive"] == 0:
        return offensive_labels(0)
    return offensive_labels(1, sexism=1 if row["sexism"] == 1 else None)


_VANETIK = {"ID2": _mlma_labels, "ID4": _alakrot_labels, "ID14": _letmi_labels}


def _load_vanetik(folder: Path) -> list[Example]:
    examples = []
    for file_id, labeller in _VANETIK.items():
        for row in read_vanetik(folder, file_id):
            labels = labeller(row)
            if labels is not None:
                examples.append(_example(str(row["text"]), "ar/vanetik-taxonomy", labels))
    return examples


# --- Arabic spam and ham tweets (Kaddoura & Henno): the real-tweet subset ------------------

#: The news desks' hashtags that close two ham headlines in three (their "#" and "_" gone):
#: Emarat Al Youm, Al Arabiya, Al Hadath, and Sky News Arabia's many ("سكايأخبار",
#: "شاهدسكاي" ...). No spam row ends with one.
_OUTLET_TAG = re.compile(r"(?:\s+(?:\S*ال[إا]ماراتاليوم|العربية|الحدث|\S*سكاي\S*))+$")


def without_outlet_tag(text: str) -> str:
    """``text`` without the desk's hashtags at its end: a reader's comment is not signed by
    a news desk, and a model would learn the signature, not the headline, as "clean"."""
    return _OUTLET_TAG.sub("", text)


def _load_spam(folder: Path) -> list[Example]:
    # Only the real tweets: the augmented file's spam rows are word-swapped copies of these.
    # The ham rows are news headlines (a label leak the SOURCE.md warns of); the other sets'
    # ordinary tweets are negatives for promotion too (:func:`load`), so "not news" does not
    # read as spam. Every ham row is a headline four news desks wrote and published: it
    # breaks no abuse guideline, whatever violence or group it reports, so it is a negative
    # for them all. Spam says nothing of abuse (some of it is sexual).
    examples = []
    for row in read_sheet(folder / "Dataset_of_Arabic_Spam_and_Ham_Tweets.xlsx"):
        if not row.get("Tweet Text"):
            continue
        spam = row["Label"] == "Spam"
        labels = offensive_labels(None if spam else 0, promotion=int(spam))
        text = without_outlet_tag(str(row["Tweet Text"]))
        examples.append(_example(text, "ar/arabic-spam-ham-tweets", labels))
    return examples


LOADERS = {
    "ar/osact2020": _load_osact2020,
    "ar/osact2022": _load_osact2022,
    "ar/lhsab": _load_lhsab,
    "ar/vanetik-taxonomy": _load_vanetik,
    "ar/arabic-spam-ham-tweets": _load_spam,
}


def load(data_dir: Path) -> list[Example]:
    """All Arabic examples, set by set, in a fixed order."""
    return not_promotion(load_sets(LOADERS, data_dir))
