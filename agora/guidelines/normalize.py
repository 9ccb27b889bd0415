"""Text normalisation that runs before scoring and before any word matching.

Readers dodge word lists and models by writing "ＦＵＣＫ", "fuuuuck", "f4ck", "f.u.c.k",
"f\u200buck" or "fυck" (a Greek upsilon). :func:`normalize` maps all of these, and the
Arabic-script spelling variants of ar, fa and ckb, to one canonical form, and keeps for every
character of the result the index of the original character it came from, so evidence found
in the normalised text can be highlighted in the comment exactly as it was written.

Steps, in order (each documented where it is defined):

0. e-mail addresses and @handles to "@USER", the placeholder the tweet data sets write for
   them, so that no model learns a person's handle and a comment's reply to "@someone"
   reads as the replies it was trained on (not ``as_written``, see below);
1. canonical composition (NFC) of base letters with combining marks;
2. one character table: NFKC compatibility forms, case folding, removal of combining marks
   (Arabic harakat included), zero-width and other invisible characters (ZWNJ included),
   control characters and tatweel; every kind of whitespace to a space; every decimal digit
   (Arabic-Indic, Persian ...) to ASCII; Arabic-script letter variants unified;
   look-alike Cyrillic and Greek letters inside Latin words are first mapped to Latin;
3. letters with marks to plain ones in Turkish and Kurmanji (see below), and the dotless
   "ı", which only Turkish and Azerbaijani use, to "i" in any other known language
   ("bıtch"); with no language given it is kept;
4. runs of whitespace to one space;
5. single letters split by one separator joined ("f.u.c.k" -> "fuck");
6. leetspeak inside Latin words ("f4ck" -> "fack", "$h1t" -> "shit");
7. runs of three or more identical letters to one letter ("fuuuuck" -> "fuck").

Turkish and Kurmanji comments (``lang`` "tr" or "kmr") lose the marks of their letters:
ç ğ ı ö ş ü ê î û become c g i o s u e i u ("IŞIK" and "ışık" both become "isik"). Readers
of both often type on keyboards without them ("serefsiz", "oldurecegim"), so without this
one word is two to the models and the threat cues, and the spelling without marks, rarer
in the labelled data, is the one they know less: "Haber icin tesekkurler" went to review
where "Haber için teşekkürler" was approved.

``as_written=True`` keeps what only the models need taken out, the letters' marks and the
contacts, for what compares a comment with what people wrote: the word lists (a moderator
who lists the vulgar "sik" does not mean the common "sık", often, or "şık", smart, so the
lists match the marks themselves, ``agora.wordlists.matching``; Turkish's dotted and dotless
I then keep their own case folding, "I" -> "ı", "İ" -> "i") and the duplicate check ("@Ana
thanks!" and "@Ben thanks!" are two replies, ``agora.protection.flood``).

Links and e-mail addresses are left alone by steps 5 to 7, so promotion cues survive.

ZWNJ (Persian and Sorani write it inside words: "می‌خواهم", "کتاب‌ها") is removed like
every other invisible character, so the spelling with ZWNJ and the common one typed without
any separator ("میخواهم") become the same word; the spelling with a plain space stays two
words, as it is written.

There is no tokenizer here: callers find words or spans in ``text`` with their own
patterns and map each span back with :meth:`Normalized.source_span`.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EMAIL",
    "HANDLE",
    "PERSON_PLACEHOLDER",
    "PLAIN_LETTERS",
    "UNMARKED_LANGUAGES",
    "Normalized",
    "normalize",
]


@dataclass(frozen=True)
class Normalized:
    """Normalised text with, for each of its characters, its index in ``source``.

    ``offsets`` is as long as ``text``, never decreases and stays inside ``source``.
    """

    text: str
    offsets: list[int]
    source: str

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` that produced ``text[start:end]`` (``start < end``).

        The end reaches up to the origin of the next normalised character, so a span ending
        on a collapsed run ("fu" of "fuuuu") covers the whole run, and a span ending inside
        an expansion ("f" of the ligature "ﬀ") still covers the character it came from.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is not inside a text of {len(self.text)}")
        origin_end = self.offsets[end] if end < len(self.text) else len(self.source)
        return self.offsets[start], max(origin_end, self.offsets[end - 1] + 1)


# --- Step 3: the character table ----------------------------------------------------------

#: Arabic-script letters written in several ways by ar, fa and ckb keyboards and writers.
#: Teh marbuta and the heh forms become plain heh, because informal writing swaps them freely
#: (and Sorani "ە" is typed as "ه" on Arabic and Persian keyboards). Hamza seats (ئ ؤ) stay:
#: "ئ" is how every Sorani word that starts with a vowel is written.
_ARABIC_VARIANTS = {
    "ى": "ي",  # alef maksura
    "ی": "ي",  # Farsi yeh
    "ک": "ك",  # keheh (Persian, Sorani kaf)
    "ڪ": "ك",  # swash kaf
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",  # alef wasla
    "ٲ": "ا",
    "ٳ": "ا",
    "ة": "ه",  # teh marbuta
    "ۃ": "ه",
    "ۀ": "ه",  # heh with yeh above (Persian ezafe)
    "ھ": "ه",  # heh doachashmee (Sorani h)
    "ہ": "ه",
    "ە": "ه",  # Sorani ae
    "ـ": "",  # tatweel only stretches a word
}

#: Characters that show nothing but are not format characters in Unicode's categories.
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0"}  # Hangul fillers
#: Blank-looking characters outside the space categories.
_BLANK = {"\u2800"}  # braille blank

#: Code points beyond the BMP whose mapping is not the identity and matters here:
#: mathematical and enclosed letters and digits, segmented digits, tag characters and
#: variation selectors (both invisible).
_ASTRAL_RANGES = (
    (0x1D400, 0x1D800),
    (0x1F100, 0x1F200),
    (0x1FBF0, 0x1FBFA),
    (0xE0000, 0xE0080),
    (0xE0100, 0xE01F0),
)

_DROPPED_CATEGORIES = {"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn"}


def _clean(text: str) -> str:
    """Drop marks and invisible characters; blank to space; digits to ASCII; unify letters."""
    out = []
    for ch in text:
        if ch in _BLANK or ch.isspace():
            out.append(" ")
        elif ch in _INVISIBLE or unicodedata.category(ch) in _DROPPED_CATEGORIES:
            continue
        elif (digit := unicodedata.decimal(ch, None)) is not None:
            out.append(str(digit))
        else:
            out.append(_ARABIC_VARIANTS.get(ch, ch))
    return "".join(out)


def _map_char(ch: str, fold_case: bool) -> str:
    text = unicodedata.normalize("NFKC", ch)
    if fold_case:
        # Case folding can leave a combining mark ("İ" -> "i̇") or an uncomposed form.
        text = unicodedata.normalize("NFKC", text.casefold())
    return _clean(text)


#: Marks, in ``_Table.codes``, a character that is deleted or becomes several.
_IRREGULAR = 0xFFFFFFFF


@dataclass(frozen=True)
class _Table:
    """What each character becomes: a dict, and a lookup array over all code points.

    ``str.translate`` is fast on ASCII only; other text goes through numpy: ``codes`` maps
    each code point to the one it becomes, or to ``_IRREGULAR`` when it is deleted or
    becomes several characters ("ﬀ"); those few are then looked up in ``mapping``.
    """

    mapping: dict[str, str]
    ascii: dict[int, str]
    codes: np.ndarray


def _build_table(fold_case: bool) -> _Table:
    mapping: dict[str, str] = {}
    for low, high in ((0, 0x10000), *_ASTRAL_RANGES):
        for code in range(low, high):
            ch = chr(code)
            mapped = _map_char(ch, fold_case)
            if mapped != ch:
                mapping[ch] = mapped
    codes = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    for ch, mapped in mapping.items():
        codes[ord(ch)] = ord(mapped) if len(mapped) == 1 else _IRREGULAR
    ascii_table = {ord(ch): mapped for ch, mapped in mapping.items() if ch.isascii()}
    return _Table(mapping, ascii_table, codes)


_tables_lock = threading.Lock()
_tables: dict[bool, _Table] = {}


def _table(fold_case: bool) -> _Table:
    """The table, built on first use (about 0.2 s, 4.5 MB), then shared by every thread."""
    table = _tables.get(fold_case)
    if table is None:
        with _tables_lock:
            table = _tables.get(fold_case)
            if table is None:
                table = _tables[fold_case] = _build_table(fold_case)
    return table


def build_tables() -> None:
    """Build both tables now rather than on the first comment that needs each: a server
    that forks its workers calls this first (``agora/wsgi.py``), as do the processes that
    judge batches (``agora/guidelines/processes.py``), so the workers share the tables'
    memory and none of them spends the time while a reader waits."""
    for fold_case in (False, True):
        _table(fold_case)


def _translate(text: str, offsets: list[int], table: _Table) -> tuple[str, list[int]]:
    """Apply a table; offsets change only where a character was deleted or expanded."""
    if text.isascii():
        # ASCII characters are never expanded, so an unchanged length means no deletion.
        out = text.translate(table.ascii)
        if len(out) == len(text):
            return out, offsets
    # surrogatepass: a lone surrogate (from broken input) must not crash; it is deleted.
    codes = table.codes[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)]
    irregular = np.flatnonzero(codes == _IRREGULAR).tolist()
    if not irregular:
        return codes.tobytes().decode("utf-32-le"), offsets
    codes[irregular] = ord(" ")  # a placeholder, replaced below
    out = codes.tobytes().decode("utf-32-le")
    pieces: list[str] = []
    new_offsets: list[int] = []
    pos = 0
    for index in irregular:
        mapped = table.mapping[text[index]]
        pieces += (out[pos:index], mapped)
        new_offsets += offsets[pos:index]
        new_offsets += [offsets[index]] * len(mapped)
        pos = index + 1
    pieces.append(out[pos:])
    new_offsets += offsets[pos:]
    return "".join(pieces), new_offsets


# --- Step 3, first half: look-alike letters -----------------------------------------------

#: Cyrillic and Greek letters that readers pass off as Latin ones, by case.
_HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТХУЅІЈԚԜҮӀаеорсухѕіјԁԛԝһӏкΑΒΕΖΗΙΚΜΝΟΡΤΥΧαειϳκνορτυχω",
    "ABEKMHOPCTXYSIJQWYIaeopcyxsijdqwhlkABEZHIKMNOPTYXaeijkvoptuxw",
)
_HOMOGLYPH_CHARS = frozenset(chr(code) for code in _HOMOGLYPHS)
_CYRILLIC_GREEK = "\u0370-\u03ff\u0400-\u052f"
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_CYRILLIC_GREEK_LETTER = re.compile(f"[{_CYRILLIC_GREEK}]")
_LATIN_LETTER = re.compile(f"[{_LATIN}]")
_WORD = re.compile(r"[^\W\d_]+")


def _latinize_lookalikes(text: str) -> str:
    """Map Cyrillic/Greek look-alikes to Latin in words that are meant to be Latin.

    A word mixing Latin with Cyrillic or Greek letters is Latin in disguise. A word made only
    of look-alikes ("ѕех") counts as Latin when Latin letters outnumber Cyrillic and Greek
    ones in the whole text; genuine Russian or Greek words, in a Russian or Greek text or
    with letters that have no Latin twin, are left as they are. One letter for one letter,
    so offsets do not change.
    """

    def mixed(match: re.Match[str]) -> str:
        word = match.group()
        if _LATIN_LETTER.search(word) and _CYRILLIC_GREEK_LETTER.search(word):
            return word.translate(_HOMOGLYPHS)
        return word

    def only_lookalikes(match: re.Match[str]) -> str:
        word = match.group()
        return word.translate(_HOMOGLYPHS) if set(word) <= _HOMOGLYPH_CHARS else word

    text = _WORD.sub(mixed, text)
    if len(_LATIN_LETTER.findall(text)) > len(_CYRILLIC_GREEK_LETTER.findall(text)):
        text = _WORD.sub(only_lookalikes, text)
    return text


# --- Steps 4 to 7: rewrites that change the shape of words --------------------------------

#: A link or an e-mail address, searched for in the words around a match: the rewrites
#: below leave those alone, so promotion cues survive.
_LINK = re.compile(
    r"://|^www\.|\w@[\w-]+\.\w|\w\.(?:com|net|org|info|biz|io|co|me|tv|ly|app|shop|store"
    r"|site|online|xyz|uk|de|fr|ru|tr|ir|iq|sy|ae|sa|eg)\b"
)


_NON_SPACE_RUN = re.compile(r"[^ \n]+")


def _link_words(text: str) -> list[tuple[int, int]]:
    """Spans of the space-separated words of ``text`` that hold a link or an e-mail address.

    Found once per rewrite, so checking each match is a bisection, not a new search of
    its surroundings (which made long unspaced runs quadratic).
    """
    return [m.span() for m in _NON_SPACE_RUN.finditer(text) if _LINK.search(m.group())]


#: A person's contacts: e-mail addresses, and platform handles (Latin letters, digits, "_"
#: and inner dots). "@USER" and "@URL" are the data sets' placeholders, never a handle, and
#: "@ss", "@sshole" ... are "ass" written to dodge a filter (step 6 reads them).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
HANDLE = re.compile(
    r"(?<![\w@])@(?!(?:USER|URL|(?i:ss|sses|sshole|ssholes|sswipe|sshat))(?![A-Za-z0-9_]))"
    r"[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"
)
PERSON_PLACEHOLDER = "@USER"


def _contacts(text: str) -> Iterator[re.Match[str]]:
    """E-mail addresses and handles, in order; a handle inside an address is the address's."""
    emails = list(EMAIL.finditer(text))
    handles = (h for h in HANDLE.finditer(text) if not any(_inside(h, e) for e in emails))
    yield from sorted((*emails, *handles), key=lambda match: match.start())


def _inside(inner: re.Match[str], outer: re.Match[str]) -> bool:
    return outer.start() <= inner.start() and inner.end() <= outer.end()


def _as_placeholder(match: re.Match[str]) -> tuple[str, list[int]]:
    # Its first characters come from the contact's first, its last from the contact's last,
    # so evidence on the placeholder marks the whole contact as written.
    last = len(match.group()) - 1
    origins = [min(i, last) for i in range(len(PERSON_PLACEHOLDER) - 1)] + [last]
    return PERSON_PLACEHOLDER, origins


def _touches(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of the sorted, disjoint ``spans``."""
    i = bisect_right(starts, end - 1) - 1
    return i >= 0 and spans[i][1] > start


def _rewrite(
    text: str,
    offsets: list[int],
    matches: Iterator[re.Match[str]],
    replace: Callable[[re.Match[str]], tuple[str, list[int]]],
    protect: bool = True,
) -> tuple[str, list[int]]:
    """Replace each of ``matches`` (in order, not overlapping) by ``replace(match)``.

    ``replace`` returns the new string and, for each of its characters, the index (relative
    to the match) of the character it comes from. With ``protect``, matches that touch a link
    or an e-mail address are skipped.
    """
    pieces: list[str] = []
    new_offsets: list[int] = []
    pos = 0
    links = _link_words(text) if protect else []
    link_starts = [span[0] for span in links]
    for match in matches:
        start, end = match.span()
        if links and _touches(links, link_starts, start, end):
            continue
        new, origins = replace(match)
        pieces.append(text[pos:start])
        new_offsets += offsets[pos:start]
        pieces.append(new)
        new_offsets += [offsets[start + i] for i in origins]
        pos = end
    if not pieces:
        return text, offsets
    pieces.append(text[pos:])
    new_offsets += offsets[pos:]
    return "".join(pieces), new_offsets


_SPACES = re.compile(" {2,}")

#: Three or more single letters split by one and the same separator: "f.u.c.k", "f u c k",
#: "s-h-i-t". Two letters ("e.g") and wider gaps ("J. R. R.") are left alone, and a letter
#: followed by another separator and letter starts the next run ("f u c k s-h-i-t").
_SEPARATOR = "[ .\\-_*·•]"
_NEXT_LETTER = r"(?P=sep)[^\W\d_](?!(?!(?P=sep))[.\-_*·•][^\W\d_])"
_SPLIT_LETTERS = re.compile(
    rf"(?<![^\W_])[^\W\d_](?P<sep>{_SEPARATOR})[^\W\d_](?:{_NEXT_LETTER})+(?![^\W_])"
)
#: Where a run may be: a letter between two separators; cheaper to search than a run.
_SPLIT_HINT = re.compile(rf"{_SEPARATOR}[^\W\d_]{_SEPARATOR}")


def _split_letter_runs(text: str) -> Iterator[re.Match[str]]:
    """Non-overlapping runs of split letters, found from their hints."""
    pos = last_end = 0
    while (hint := _SPLIT_HINT.search(text, pos)) is not None:
        begin = hint.start() - 1  # the letter before the first separator
        run = _SPLIT_LETTERS.match(text, begin) if begin >= last_end else None
        pos = hint.start() + 1
        if run:
            yield run
            pos = last_end = run.end()


#: Digits and symbols read as letters, only between Latin letters ("f4ck", "sh1t", "b!tch",
#: "a$$hole") or, for "@" and "$" alone, at the start of a word before a letter ("@ss",
#: "$hit"; so an "@name" handle reads "aname").
#: So "2024", "$5", "mp3", "4x4" and "hello!" stay as they are.
_LEET = str.maketrans("013457!@$", "oieastias")
_LEET_RUN = re.compile("[013457!@$]+")
_LATIN_LETTERS = frozenset(
    ch for ch in map(chr, range(0x250)) if ch.isalpha() and (ch.isascii() or ord(ch) >= 0xC0)
)


def _leet_runs(text: str) -> Iterator[re.Match[str]]:
    """Runs of digits and symbols that stand for letters (see above)."""
    for run in _LEET_RUN.finditer(text):
        start, end = run.span()
        before = text[start - 1] if start else " "
        if end == len(text) or text[end] not in _LATIN_LETTERS:
            continue
        if before in _LATIN_LETTERS:
            yield run
        elif not (before.isalnum() or before == "_") and set(run.group()) <= {"@", "$"}:
            yield run  # "@ss", "$hit", "@$$hole"


#: Three or more of the same letter. They collapse to one: on the English tweet sets a word
#: collapsed to one letter is a known word about ten times as often as one collapsed to two
#: ("fuuuck", "shiiit", "byeee" against "reallly", "freeee"), and Arabic elongation
#: ("حلووووو") also collapses to one. Pairs are never touched, so "good" and "too" stay.
_REPEATS = re.compile(r"(.)\1\1+")  # only runs of letters are collapsed; see _letter_repeats


def _letter_repeats(text: str) -> Iterator[re.Match[str]]:
    return (run for run in _REPEATS.finditer(text) if run.group(1).isalpha())


def _collapse_spaces(match: re.Match[str]) -> tuple[str, list[int]]:
    return " ", [0]


def _join_letters(match: re.Match[str]) -> tuple[str, list[int]]:
    positions = range(0, len(match.group()), 2)
    return "".join(match.group()[i] for i in positions), list(positions)


def _unleet(match: re.Match[str]) -> tuple[str, list[int]]:
    return match.group().translate(_LEET), list(range(len(match.group())))


def _nfc(match: re.Match[str]) -> tuple[str, list[int]]:
    composed = unicodedata.normalize("NFC", match.group())
    return composed, [0] * len(composed)


def _collapse_run(match: re.Match[str]) -> tuple[str, list[int]]:
    return match.group()[0], [0]


# --- The whole pipeline -------------------------------------------------------------------

#: A letter followed by combining marks (Latin, Hebrew and Arabic blocks, generic marks).
_MARKED_RUN = re.compile(
    r"[^\W\d_]?[\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    r"\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def _compose(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Compose letter + combining mark sequences (NFC) so "e" + U+0301 equals "é"."""
    if unicodedata.is_normalized("NFC", text):
        return text, offsets
    return _rewrite(text, offsets, _MARKED_RUN.finditer(text), _nfc, protect=False)


#: Turkish and Kurmanji letters with marks, to the plain letter readers type for each (one
#: character for one, so the offsets stand).
PLAIN_LETTERS = dict(zip("çğıöşüêîû", "cgiosueiu", strict=True))
#: The languages whose comments lose those marks unless ``as_written``.
UNMARKED_LANGUAGES = frozenset({"tr", "kmr"})
_TO_PLAIN = str.maketrans(PLAIN_LETTERS)


def normalize(text: str, lang: str | None = None, *, as_written: bool = False) -> Normalized:
    """Normalise a comment for scoring and word matching; see the module docstring.

    ``lang`` is the comment's language if known (step 3 depends on it); ``as_written``
    keeps the contacts and the marks of Turkish and Kurmanji letters.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs a str, not {type(text).__name__}")
    offsets = list(range(len(text)))
    source = text
    if "@" in text and not as_written:
        text, offsets = _rewrite(text, offsets, _contacts(text), _as_placeholder, protect=False)
    text, offsets = _compose(text, offsets)
    unmarked = lang in UNMARKED_LANGUAGES and not as_written
    if lang == "tr" and not unmarked:
        text = text.replace("I", "ı").replace("İ", "i")
    if not text.isascii() and _CYRILLIC_GREEK_LETTER.search(text):
        # Look-alikes are judged with case intact ("Н" is H, "н" is h), so case is folded
        # after them; without Cyrillic or Greek one pass does it all.
        text, offsets = _translate(text, offsets, _table(fold_case=False))
        text = _latinize_lookalikes(text)
    text, offsets = _translate(text, offsets, _table(fold_case=True))
    if unmarked:
        text = text.translate(_TO_PLAIN)
    elif lang is not None and lang != "tr":
        text = text.replace("ı", "i")
    if "  " in text:
        text, offsets = _rewrite(text, offsets, _SPACES.finditer(text), _collapse_spaces, False)
    text, offsets = _rewrite(text, offsets, _split_letter_runs(text), _join_letters)
    text, offsets = _rewrite(text, offsets, _leet_runs(text), _unleet)
    text, offsets = _rewrite(text, offsets, _letter_repeats(text), _collapse_run)
    return Normalized(text, offsets, source)
