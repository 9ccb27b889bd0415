"""English training data: every labelled set in ``<data>/en``, mapped to the guideline keys.

Each ``_load_*`` function reads one folder (parsing quirks are described in its SOURCE.md)
and says, per row, only what that set's annotation supports; keys a set does not annotate
stay ``None``. Choices that go beyond the raw labels:

* Rows that a set's annotators judged not toxic or not offensive at all are negatives for
  every abuse key (``clean_labels``): "not offensive" covers profanity, threats, attacks
  and identity abuse alike.
* Comment-domain sets (Wikipedia talk, news comments) are also negatives for promotion:
  spam is rare there, and without them the promotion model would learn that "comment-like"
  means "not SMS", not that a text advertises something.
* Toxic rows of sets that give no sub-type (the binary Wikipedia sets) stay unlabelled
  for every key: we cannot tell which guideline they break.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from agora.guidelines.training.datasets.common import Example, clean_labels, load_sets, make_labels

LANG = "en"
#: Sets of comments like a news site's (not tweets or SMS); training weighs them up.
COMMENT_DOMAIN = (
    "en/jigsaw-wiki-first20k-binary",
    "en/jigsaw-wiki-random5k",
    "en/wiki-context-toxicity-cat",
    "en/wiki-toxicity-identity-testset",
    "en/kaggle-insults",
    "en/fox-news-comments",
    "en/youtube-spam",
    "en/reddit-misogyny-eacl2021",
)


def _csv_rows(path: Path, **kwargs) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, **kwargs))


def _example(text: str, source: str, labels: dict[str, int | None]) -> Example:
    return Example(text=text, lang=LANG, source=source, labels=labels)


def _load_davidson(folder: Path) -> list[Example]:
    # class: 0 hate speech, 1 offensive (mostly profanity and slurs), 2 neither. Annotators
    # judged class 1 "not hate", so it is a negative for identity abuse.
    by_class = {
        "0": make_labels(identity_abuse=1),
        "1": make_labels(profanity=1, identity_abuse=0),
        "2": clean_labels(),
    }
    return [
        _example(row["tweet"], "en/davidson-hsol", by_class[row["class"]])
        for row in _csv_rows(folder / "labeled_data.csv")
    ]


def _olid_labels(a: str, b: str, c: str) -> dict[str, int | None]:
    if a == "NOT":
        return clean_labels()
    if b == "UNT":  # untargeted profanity: no one is attacked or threatened
        return make_labels(profanity=1, threat=0, personal_attack=0, identity_abuse=0)
    # Targeted insult or threat (the level does not separate the two), by target.
    if c == "IND":
        return make_labels(personal_attack=1, identity_abuse=0)
    if c == "GRP":  # groups include political ones, so identity abuse stays unknown
        return make_labels(personal_attack=0)
    return make_labels(personal_attack=0, identity_abuse=0)  # OTH: organisation, event


def _load_olid(folder: Path) -> list[Example]:
    rows = _csv_rows(folder / "olid-training-v1.0.tsv", delimiter="\t", quoting=csv.QUOTE_NONE)
    return [
        _example(
            row["tweet"],
            "en/olid",
            _olid_labels(row["subtask_a"], row["subtask_b"], row["subtask_c"]),
        )
        for row in rows
    ]


def _load_gab(folder: Path) -> list[Example]:
    # hd: assault on human dignity (identity hate), cv: call for violence, vo: vulgarity.
    examples = []
    for name in ("ghc_train.tsv", "ghc_test.tsv"):
        for row in _csv_rows(folder / name, delimiter="\t"):
            labels = make_labels(
                profanity=int(row["vo"]), threat=int(row["cv"]), identity_abuse=int(row["hd"])
            )
            examples.append(_example(row["text"], "en/gab-hate-corpus", labels))
    return examples


_MLMA_RACE_GROUPS = {"african_descent", "asians", "hispanics", "arabs", "indian/hindu", "jews"}
_MLMA_MIGRANT_GROUPS = {"immigrants", "refugees"}


def _mlma_labels(sentiment: str, target: str, group: str) -> dict[str, int | None]:
    kinds = set(sentiment.split("_"))
    if kinds == {"normal"}:
        return clean_labels()
    if "normal" in kinds or target == "other":  # annotators split, or no identity target
        return make_labels()
    subkeys = dict(
        sexism=int(target == "gender"),
        homophobia=int(target == "sexual_orientation"),
        racism=0,
        xenophobia=0,
    )
    if target == "origin":  # origin covers race and nationality: the group tells which
        subkeys["racism"] = 1 if group in _MLMA_RACE_GROUPS else None
        subkeys["xenophobia"] = 1 if group in _MLMA_MIGRANT_GROUPS else None
        if group in _MLMA_RACE_GROUPS | _MLMA_MIGRANT_GROUPS:
            subkeys = {k: v or 0 for k, v in subkeys.items()}
    return make_labels(identity_abuse=1, **subkeys)


def _load_mlma(folder: Path) -> list[Example]:
    with zipfile.ZipFile(folder / "hate_speech_mlma.zip") as archive:
        raw = archive.read("hate_speech_mlma/en_dataset_with_stop_words.csv").decode("utf-8")
    rows = csv.DictReader(io.StringIO(raw, newline=""))
    return [
        _example(
            _mlma_text(row["tweet"]),
            "en/mlma",
            _mlma_labels(row["sentiment"], row["target"], row["group"]),
        )
        for row in rows
    ]


#: Free-text targets of implicit-hate (stage 3) -> identity sub-key.
_TARGET_PATTERNS = {
    "racism": re.compile(
        r"black|white|minorit|people of colou?r|african|asian|hispanic|latin|jew|arab|indian",
        re.I,
    ),
    "xenophobia": re.compile(r"immigra|migrant|refugee|illegals?\b|alien|foreign|mexican", re.I),
    "sexism": re.compile(r"wom[ae]n|feminis|girls?\b|female", re.I),
    "homophobia": re.compile(r"\bgays?\b|lesbian|lgbt|homosex|\btrans|queer", re.I),
}


def _load_implicit_hate(folder: Path) -> list[Example]:
    # Stage 1 gives hate / not for every post; stage 2 the implicit class (threatening
    # feeds threat); stage 3 the target (feeds the identity sub-keys). Stages join on text.
    tsv = dict(delimiter="\t", quoting=csv.QUOTE_NONE)
    implicit_class = {
        r["post"]: r["implicit_class"]
        for r in _csv_rows(folder / "implicit_hate_v1_stg2_posts.tsv", **tsv)
    }
    target = {
        r["post"]: r["target"] for r in _csv_rows(folder / "implicit_hate_v1_stg3_posts.tsv", **tsv)
    }
    examples = []
    for row in _csv_rows(folder / "implicit_hate_v1_stg1_posts.tsv", **tsv):
        post = row["post"]
        text = post.strip().strip('"').replace('""', '"').strip()
        if row["class"] == "not_hate":
            labels = make_labels(identity_abuse=0, threat=0)
        else:
            given: dict[str, int | None] = {"identity_abuse": 1}
            if post in implicit_class:
                given["threat"] = int(implicit_class[post] == "threatening")
            if target.get(post):
                given |= {k: int(bool(p.search(target[post]))) for k, p in _TARGET_PATTERNS.items()}
            labels = make_labels(**given)
        examples.append(_example(text, "en/implicit-hate", labels))
    return examples


_CODE_UNIT = re.compile(r"\\u([0-9a-fA-F]{4})")


def _mlma_text(text: str) -> str:
    """Two MLMA rows in five hold escapes as literal text: characters as "\\u2019", line
    breaks as "\\n", and every double quote as a bare backslash ("\\retarded\\")."""
    text = _CODE_UNIT.sub(lambda m: chr(int(m.group(1), 16)), text)
    # An emoji was stored as two UTF-16 halves ("\\ud83d\\ude02"): join them.
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace("\\n", "\n").replace("\\", '"')


def _unescape(text: str) -> str:
    """Decode kaggle-insults' escape sequences (some doubled) and UTF-8 read as Latin-1."""
    text = text[1:-1] if text.startswith('"') and text.endswith('"') else text
    for _ in range(2):
        if "\\" not in text:
            break
        text = text.encode("ascii", "backslashreplace").decode("unicode_escape")
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _load_kaggle_insults(folder: Path) -> list[Example]:
    # Insult = aimed at a participant; insults of outsiders were labelled 0 by the task
    # definition, so 0 is a (slightly noisy) negative for personal attacks.
    return [
        _example(
            _unescape(row["Comment"]),
            "en/kaggle-insults",
            make_labels(personal_attack=int(row["Insult"]), promotion=0),
        )
        for row in _csv_rows(folder / "train.csv")
    ]


def _load_sms_spam(folder: Path) -> list[Example]:
    lines = (folder / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()[1:]
    examples = []
    for line in lines:  # the first line is a header the re-hosting repo added
        label, _, text = line.partition("\t")
        examples.append(_example(text, "en/sms-spam", make_labels(promotion=int(label == "spam"))))
    return examples


def _load_youtube_spam(folder: Path) -> list[Example]:
    return [
        _example(row["CONTENT"], "en/youtube-spam", make_labels(promotion=int(row["CLASS"])))
        for path in sorted(folder.glob("Youtube*.csv"))
        for row in _csv_rows(path)
    ]


def _wiki_labels(toxic: bool) -> dict[str, int | None]:
    return make_labels() if toxic else clean_labels(promotion=0)


def _load_jigsaw_first20k(folder: Path) -> list[Example]:
    return [
        _example(
            row["comment_text"],
            "en/jigsaw-wiki-first20k-binary",
            _wiki_labels(row["labels"] == "1"),
        )
        for name in ("text_comment_1.csv", "text_comment_2.csv")
        for row in _csv_rows(folder / name)
    ]


_JIGSAW_KINDS = {
    "obscene": "profanity",
    "threat": "threat",
    "insult": "personal_attack",
    "identity_hate": "identity_abuse",
}


def _jigsaw_labels(row: dict[str, str]) -> dict[str, int | None]:
    """One Jigsaw row's labels from its ``toxic`` flag and the four kinds that map to keys.

    A row flagged toxic (or severe_toxic) with none of the four kinds is rude in a way the
    annotators did not name (a reader told to get lost, an editor called dim in other
    words): it may break a guideline and we cannot say which, so every abuse key stays
    unknown, as for a toxic row of the other Wikipedia sets, and so is promotion: a row with
    any key known to be unbroken would count as a clean comment in the triage. Only a row
    flagged nothing at all is clean."""
    kinds = {key: int(row[column]) for column, key in _JIGSAW_KINDS.items()}
    if any(kinds.values()):
        return make_labels(**kinds, promotion=0)
    if row["toxic"] == "1" or row["severe_toxic"] == "1":
        return make_labels()
    return clean_labels(promotion=0)


def _load_jigsaw_random5k(folder: Path) -> list[Example]:
    return [
        _example(row["comment_text"], "en/jigsaw-wiki-random5k", _jigsaw_labels(row))
        for row in _csv_rows(folder / "jigsaw_sample.csv")
    ]


def _load_wiki_context(folder: Path) -> list[Example]:
    # gn was labelled without the parent comment, gc with it; cat_small both ways (we use
    # the out-of-context label). A comment toxic only in context stays unlabelled.
    source = "en/wiki-context-toxicity-cat"
    examples = [
        _example(row["text"], source, _wiki_labels(row["label"] == "1"))
        for name in ("gn.csv", "gc.csv")
        for row in _csv_rows(folder / name)
    ]
    examples += [
        _example(row["text"], source, _wiki_labels(row["label_oc"] == "1"))
        for row in _csv_rows(folder / "cat_small.csv")
    ]
    return examples


def _load_wiki_identity(folder: Path) -> list[Example]:
    # Clean comments that mention identity terms: the negatives that keep "gay" or
    # "muslim" alone from looking like abuse.
    return [
        _example(
            row["comment"],
            "en/wiki-toxicity-identity-testset",
            _wiki_labels(row["toxic"] == "True"),
        )
        for row in _csv_rows(folder / "toxicity_nonfuzzed_testset.csv")
    ]


def _load_fox_news(folder: Path) -> list[Example]:
    # "Hateful" here is mostly identity hate (immigration, Islam, transgender threads).
    examples = []
    with (folder / "fox-news-comments.json").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                labels = make_labels(identity_abuse=int(row["label"]), promotion=0)
                examples.append(_example(row["text"], "en/fox-news-comments", labels))
    return examples


# HatemojiBuild's group codes (DynaHate shorthand) -> the identity sub-key they fall under.
_HATEMOJI_SUBKEYS = {
    "sexism": re.compile(r"wom$|^wom|^trans$"),
    "homophobia": re.compile(r"^gay|^lgbtqa$|^bis$|^trans$"),
    "racism": re.compile(r"^bla|^asi|^arab|^hisp|^ethmin|^mix\.race|^african|^indig|^abo|^mex"),
    "xenophobia": re.compile(r"^immig|^ref$|^for$|^asy$|^nat\.|^europe|^trav"),
}


def _hatemoji_labels(row: dict[str, str]) -> dict[str, int | None]:
    # Not-hateful rows are often the contrast pair of a hateful one (counter-speech, a
    # neutral mention of the group, or the same words aimed at something that is not a
    # group): negatives for identity abuse, and nothing more can be said of them.
    if row["label_gold"] == "0":
        return make_labels(identity_abuse=0)
    groups = [g.strip(" '") for g in row["target"].strip("[]").split(",")]
    subkeys = {
        key: 1 if any(pattern.search(group) for group in groups) else None
        for key, pattern in _HATEMOJI_SUBKEYS.items()
    }
    # A hateful entry has exactly one type, so only the threatening ones are threats.
    return make_labels(
        identity_abuse=1, threat=int(row["type"] == "threateninglanguage"), **subkeys
    )


def _load_hatemoji(folder: Path) -> list[Example]:
    source = "en/hatemojibuild"
    examples = []
    for name in ("train.csv", "validation.csv", "test.csv"):
        for row in _csv_rows(folder / name):
            # An entry and its contrast perturbation differ by a few words: keep them on one
            # side of the split.
            pair = "-".join(sorted([row["entry_id"], row["matched_id"]]))
            examples.append(Example(row["text"], LANG, source, _hatemoji_labels(row), group=pair))
    return examples


_REDDIT_NON_TEXT = {"[removed]", "[deleted]", ""}
#: Reddit's markdown escapes a punctuation mark the reader typed ("\\_", "\\*").
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _load_reddit_misogyny(folder: Path) -> list[Example]:
    # One row per (entry, label): gather each entry's labels first.
    entries: dict[str, dict] = {}
    for row in _csv_rows(folder / "final_labels.csv"):
        body = row["body"] or ""
        if row["image"] not in ("", "Yes"):  # export shifted text after a comma into `image`
            body = f"{body},{row['image']}"
        entry = entries.setdefault(
            row["entry_id"],
            {
                "text": _MARKDOWN_ESCAPE.sub(r"\1", body).strip(),
                "thread": row["link_id"],
                "labels": set(),
            },
        )
        entry["labels"].update({row["level_1"], row["level_2"], row["level_3"]})
    examples = []
    for entry in entries.values():
        if entry["text"] in _REDDIT_NON_TEXT:
            continue
        labels = entry["labels"]
        misogynistic = int("Misogynistic" in labels)
        attack = int(any(label.endswith("personal_attack") for label in labels))
        threat = 1 if any(label.startswith("Threatening") for label in labels) else None
        examples.append(
            Example(
                entry["text"],
                LANG,
                "en/reddit-misogyny-eacl2021",
                # Only misogyny was annotated: a sexist entry is identity abuse, any other
                # entry says nothing about abuse of other groups.
                make_labels(
                    sexism=misogynistic,
                    personal_attack=attack,
                    threat=threat,
                    promotion=0,
                ),
                group=entry["thread"],
            )
        )
    return examples


LOADERS = {
    "en/davidson-hsol": _load_davidson,
    "en/olid": _load_olid,
    "en/gab-hate-corpus": _load_gab,
    "en/mlma": _load_mlma,
    "en/implicit-hate": _load_implicit_hate,
    "en/kaggle-insults": _load_kaggle_insults,
    "en/sms-spam": _load_sms_spam,
    "en/youtube-spam": _load_youtube_spam,
    "en/jigsaw-wiki-first20k-binary": _load_jigsaw_first20k,
    "en/jigsaw-wiki-random5k": _load_jigsaw_random5k,
    "en/wiki-context-toxicity-cat": _load_wiki_context,
    "en/wiki-toxicity-identity-testset": _load_wiki_identity,
    "en/fox-news-comments": _load_fox_news,
    "en/hatemojibuild": _load_hatemoji,
    "en/reddit-misogyny-eacl2021": _load_reddit_misogyny,
}


#: Formatting tags that YouTube and the insult set's web comments kept in their text; a line
#: break becomes one. Angle-bracketed words that are not HTML ("<number>", "<gasp>") stay.
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_FORMAT_TAG = re.compile(r"</?(?:a|b|i|u|p|em|div|span|strong|font|script)\b[^<>]*>", re.IGNORECASE)


def as_typed(text: str) -> str:
    """A stored row's text as a reader would have typed it into a comment box.

    Tweets, SMS and Reddit posts were stored with HTML entities ("&amp;", "&#128514;" for
    an emoji; a quarter of Davidson's rows), web comments with their formatting tags: a
    reader types the characters themselves, so that is what the models learn from.
    """
    text = _FORMAT_TAG.sub("", _LINE_BREAK_TAG.sub("\n", text))
    return html.unescape(text)


def load(data_dir: Path) -> list[Example]:
    """All English examples, set by set, in a fixed order, each :func:`as_typed`."""
    return [replace(ex, text=as_typed(ex.text)) for ex in load_sets(LOADERS, data_dir)]
