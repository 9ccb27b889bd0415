"""Promotion cues in every language: links, contacts and the words that sell or recruit.

:func:`find_cues` returns every cue as a span of the ORIGINAL comment and a score-like
signal for ranking. The engine uses them for comments in a language no model reads (Kurdish):
they are the promotion reason's evidence and raise the comment's place in the queue. The
training data loaders use :func:`mask_contacts`. Where a model reads the language, the
promotion score is that model's own, which was measured to do better without these cues
raising it (docs/multilingual-data.md, "Promotion cues").

Two kinds of cue, matched two ways:

* Contacts (links, e-mail addresses, phone numbers, @handles) are matched in the text as
  written, because normalisation would spoil them (it reads "@ali" as leetspeak for "aali").
  Digits of every script count: Python's ``\\d`` matches ASCII, Arabic-Indic and Persian
  digits alike.
* Cue phrases (calls to action, platform names, commercial words) are matched in the
  normalised text (:func:`agora.guidelines.normalize.normalize`), so spelling variants, case,
  ZWNJ, tatweel, harakat and letters split by dots do not hide them. Each phrase is written
  here in its ordinary spelling and normalised the same way before matching. Phrases of every
  language are tried on every comment: readers mix languages, and platform names are Latin.

The score is a noisy-OR of hand-set weights per kind of cue (:data:`KIND_WEIGHTS`): the
chance that at least one cue means promotion if each did so independently. It is a prior, not
a calibrated probability: a link alone scores 0.5 (a reader citing a source also posts
links), a reply's @handle alone 0.15, while a call to action next to a phone number scores
0.8. Calibrate it on labelled data before reading it as a probability.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from agora.guidelines.normalize import EMAIL, HANDLE, PERSON_PLACEHOLDER, Normalized, normalize
from agora.guidelines.verdict import Evidence

__all__ = [
    "KIND_WEIGHTS",
    "Cue",
    "PromotionCues",
    "find_cues",
    "find_cues_normalized",
    "mask_contacts",
]

#: Weight of each kind of cue in the score (the chance it alone means promotion).
KIND_WEIGHTS = {
    "link": 0.5,
    "invite_link": 0.7,  # a link that opens a chat, channel or shortened target
    "email": 0.5,
    "phone": 0.6,
    "handle": 0.15,  # replies to other readers use @names too
    "call_to_action": 0.5,  # follow me, subscribe to my channel, DM me, order now ...
    "platform": 0.2,  # WhatsApp, Telegram, Instagram ... also named in the news
    "commerce": 0.25,  # discount, free shipping, earn money ...
}

# --- Contacts, matched in the original text ----------------------------------------------

#: Top-level domains. A bare "word.tld" is a link with a TLD that is rarely anything else;
#: TLDs that are also words or abbreviations ("you.me", "U.S.news") need a path after them.
_TLDS = "com|net|org|io|ly|xyz|krd|ir|tr|iq|sy|lb|jo|sa|ae|kw|qa|om|ye|eg|af|ru"
_WORDLIKE_TLDS = (
    "info|biz|co|me|tv|app|shop|store|site|online|link|club|top|live|news|blog|pro|cc|ws"
    "|gl|gg|to|uk|de|fr|nl|us"
)
#: Hosts whose links open a chat or a channel, or hide where they lead.
_INVITE_HOSTS = (
    r"t\.me|telegram\.me|wa\.me|chat\.whatsapp\.com|api\.whatsapp\.com|bit\.ly|tinyurl\.com"
    r"|goo\.gl|cutt\.ly|rebrand\.ly|linktr\.ee|discord\.gg|instagram\.com|youtube\.com"
    r"|youtu\.be|tiktok\.com|snapchat\.com|rubika\.ir|eitaa\.com"
)
#: The rest of a link after its host; it does not end on punctuation that ends the sentence.
_PATH = r"(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]}،؛])?"
_INVITE_LINK = re.compile(
    rf"(?<![\w.@-])(?:https?://)?(?:www\.)?(?:{_INVITE_HOSTS})(?![\w-]){_PATH}", re.IGNORECASE
)
_DOMAIN = r"(?<![\w.@-])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*"
_LINK = re.compile(
    r"(?<![\w@])(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}،؛]"
    rf"|{_DOMAIN}\.(?:{_TLDS})(?![\w-]){_PATH}"
    rf"|{_DOMAIN}\.(?:{_WORDLIKE_TLDS})/[^\s<>\"']*[^\s<>\"'.,;:!?)\]}}،؛]",
    re.IGNORECASE,
)
#: A link written out to dodge filters: "shop dot com", "shop[.]com", "shop نقطة com",
#: "دات کام" (fa "dot com"), "nokta com" (tr). A spaced dot ("shop . com") counts only before
#: a TLD that is not also a word: "... arıyorlar . Biz" is a sentence, not "arıyorlar.biz".
_SPELLED_LINK = re.compile(
    r"(?<![\w.-])[A-Za-z0-9][A-Za-z0-9-]*\s*"
    r"(?:(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\s(?:dot|nokta|نقطة|نقطه|دوت|دات)\s)"
    rf"\s*(?:(?:{_TLDS}|{_WORDLIKE_TLDS})(?![\w-])|كوم|کوم|کام)"
    rf"|\s\.\s(?:{_TLDS})(?![\w-]))",
    re.IGNORECASE,
)
#: A run of digits with the separators phone numbers are written with; checked by _is_phone.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{6,22}\d(?!\w)")


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def _is_phone(candidate: str) -> bool:
    """International (+ or 00) with 8-15 digits, or national (one leading 0) with 9-12 digits.

    Big amounts ("500000000 ریال"), years ("2019 2020") and dates ("01.02.2020") do not start
    that way or are too short, so they are not phone numbers.
    """
    digits = _digits(candidate)
    if "\n" in candidate or "  " in candidate:
        return False
    if candidate.startswith("+") or digits.startswith("00"):
        return 8 <= len(digits.removeprefix("00")) <= 15
    return digits.startswith("0") and not digits.startswith("00") and 9 <= len(digits) <= 12


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _PHONE_CANDIDATE.finditer(text):
        # Trailing separators belong to the sentence, not the number.
        candidate = match.group().rstrip(" .-()")
        if _is_phone(candidate):
            yield match.start(), match.start() + len(candidate)


def _spans(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text):
        yield match.span()


def mask_contacts(text: str) -> str:
    """Replace e-mail addresses and @handles by "@USER" and links (spelled-out ones too:
    "shop[dot]com") by "URL".

    The tweet data sets come with mentions and links already replaced by these placeholders;
    the Arabic, Turkish and Persian loaders mask the few they missed. :func:`normalize`
    masks e-mail addresses and handles in every text it reads, training rows and comments
    alike, so no model learns a person's handle; links are left to the models.
    """
    text = EMAIL.sub(PERSON_PLACEHOLDER, text)
    text = _LINK.sub("URL", _INVITE_LINK.sub("URL", text))
    return HANDLE.sub(PERSON_PLACEHOLDER, _SPELLED_LINK.sub("URL", text))


# --- Cue phrases, matched in the normalised text ------------------------------------------
# A phrase is plain words; a space matches any run of spaces (or none, between two words of
# a non-Latin script, because "واتس اب" and "واتساب" are both common); "*" at the end lets a
# suffix follow (Turkish and Kurdish attach them); "~" at the start lets an Arabic proclitic
# (و ف ب ل ع, optionally with ال) come first.

# fmt: off
_CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "call_to_action": (
            "follow me", "follow us", "follow my", "follow our", "follow for follow", "f4f",
            "subscribe to my", "subscribe to our", "subscribe now", "please subscribe",
            "check out my", "check out our", "visit my", "visit our", "dm me", "dm us", "pm me",
            "message me", "inbox me", "text me", "contact me", "contact us", "join my", "join our",
            "link in bio", "link in my bio", "click the link", "click here", "click my",
            "order now", "buy now", "shop now", "use my code", "promo code", "discount code",
            "hit me up", "my channel", "our channel", "my page", "my blog", "my website", "my shop",
            "my store", "watch my", "my videos", "my video", "subscribe to me", "subscribe my",
            "sub my", "sub to me", "subscribe back", "sub4sub", "check my channel",
            "check out this video", "check out this playlist", "like this comment",
        ),
        "platform": (
            "whatsapp", "whats app", "telegram", "instagram", "insta", "tiktok", "snapchat",
            "onlyfans", "youtube", "vatsap",
        ),
        "commerce": (
            "discount", "free shipping", "best price", "for sale", "earn money", "make money",
            "work from home", "passive income", "investment opportunity", "crypto", "bitcoin",
            "forex", "casino", "giveaway", "limited offer", "wholesale", "buy followers",
            "free followers",
        ),
    },
    "ar": {
        "call_to_action": (
            "تابعني", "~تابعوني", "~تابعونا", "تابع حسابي", "تابعوا حسابي", "تابع قناتي",
            "~اشترك في قناتي", "~اشتركوا في قناتي", "~اشترك بالقناة", "~اشتركوا بالقناة", "راسلني",
            "راسلوني", "راسلنا", "تواصل معي", "تواصل معنا", "تواصلوا معنا", "للتواصل", "للاستفسار",
            "للطلب", "اطلب الآن", "اطلبي الآن", "على الخاص", "ع الخاص", "كلمني خاص",
            "الرابط في البايو", "الرابط في البروفايل", "اضغط على الرابط", "ادخل على الرابط",
            "زوروا صفحتي", "زوروا موقعنا", "~قناتي", "~صفحتي", "~متجري", "رابط القناة",
        ),
        "platform": (
            "~واتساب", "~واتس اب", "~واتس", "~وتساب", "~تلغرام", "~تيليجرام", "~تلجرام", "~تليجرام",
            "~تيلجرام", "~انستغرام", "~انستقرام", "~انستجرام", "~انستا", "~سناب", "~سناب شات",
            "~تيك توك", "~يوتيوب",
        ),
        "commerce": (
            "تخفيضات", "عرض خاص", "للبيع", "توصيل مجاني", "شحن مجاني", "اربح", "ربح يومي",
            "الربح من الانترنت", "كسب المال", "دخل يومي", "زيادة متابعين", "فوركس", "بيتكوين",
            "عملات رقمية",
        ),
    },
    "fa": {
        "call_to_action": (
            "فالو کنید", "فالوم کنید", "فالو کن", "فالو بدید", "فالو بک", "فالوبک", "عضو شوید",
            "عضو بشید", "عضو کانال", "کانال ما", "کانالم", "کانال من", "پیج ما", "پیجم", "پیج من",
            "ما را دنبال کنید", "ما رو دنبال کنید", "من را دنبال کنید", "منو دنبال کنید",
            "دایرکت بدید", "دایرکت بده", "پیام در دایرکت", "به دایرکت", "پیام بدید", "پیام دهید",
            "پیوی", "پی وی", "تماس بگیرید", "جهت سفارش", "برای سفارش", "جهت خرید", "لینک در بیو",
            "لینک در بایو", "کلیک کنید", "سابسکرایب", "ارتباط با ادمین", "پیام به ادمین",
            "جهت اطلاعات بیشتر",
        ),
        "platform": (
            "واتساپ", "واتس اپ", "تلگرام", "اینستاگرام", "اینستا", "یوتیوب", "روبیکا", "تیک تاک",
        ),
        "commerce": (
            "تخفیف*", "ارسال رایگان", "کسب درآمد", "درآمد دلاری", "درآمد روزانه", "فروش ویژه",
            "قیمت استثنایی", "خرید فالوور", "افزایش فالوور", "ارز دیجیتال", "بیت کوین",
        ),
    },
    "tr": {
        "call_to_action": (
            "beni takip et", "beni takip edin", "bizi takip et", "bizi takip edin", "takip edin",
            "takipleş*", "takip edene takip", "abone ol", "abone olun", "abone olmayı unutmayın",
            "kanalıma*", "kanalımı*", "kanalımız*", "sayfamı*", "sayfama*", "sayfamız*", "dm at",
            "dm atın", "dm atabilirsiniz", "dm'den yazın", "dmden yazın", "özelden yazın",
            "özelden ulaşın", "mesaj at", "mesaj atın", "mesaj atabilirsiniz", "bize ulaşın",
            "iletişim için", "linke tıkla*", "linki tıkla*", "biyografimdeki", "biyodaki",
            "bio'daki", "sipariş için", "sipariş ver*", "hemen sipariş",
        ),
        "platform": (
            "instegram", "whatsap", "telgram",
        ),
        "commerce": (
            # "indirimi" alone is also a rate or tax cut ("faiz indirimi"), "bahis" also
            # "matter" ("bahis konusu"): only their commercial forms count.
            "indirim", "indirimli", "indirimde", "indirim kodu", "ücretsiz kargo", "kargo bedava",
            "para kazan*", "evden çalış*", "yatırım fırsatı", "bahis sitesi", "bahis siteleri",
            "canlı bahis", "deneme bonusu", "hoşgeldin bonusu", "takipçi satın", "takipçi kazan*",
        ),
    },
    "ckb": {
        "call_to_action": (
            "فۆڵۆ بکەن", "فۆڵۆم بکەن", "فۆڵۆی بکەن", "سەبسکرایب*", "کەناڵەکەم*", "کەناڵەکەمان*",
            "پەیجەکەم*", "پەیجەکەمان*", "پەیوەندیمان پێوە بکەن", "پەیوەندی بکەن", "نامەم بۆ بنێرن",
            "بۆ داواکردن", "کلیک بکە*", "لینکەکە*",
        ),
        "platform": (
            "واتسئاپ", "تێلیگرام", "تیلیگرام", "ئینستاگرام", "ئینستا", "تیکتۆک",
        ),
        "commerce": (
            "داشکاندن*", "بێبەرامبەر", "پارە پەیدا بکە*", "قازانج بکە*",
        ),
    },
    "kmr": {
        "call_to_action": (
            "min bişopîn*", "me bişopîn*", "bişopînin", "abone bibin", "abone be", "kanala min",
            "kanala me", "rûpela min", "rûpela me", "bi me re têkilî*", "peyamê bişîn*",
            "peyam bişîn*", "ji bo siparîş*", "lînkê bitikîn*", "li ser lînkê bitikîn*",
        ),
        "platform": (),
        "commerce": (
            "belaş", "pere qezenc*", "kargo belaş",
        ),
    },
}

#: Latin letters that readers of tr and kmr often type without their marks.
_LOOSE_LATIN = {
    "i": "[iıîì]", "ı": "[iıîì]", "î": "[iıîì]", "s": "[sş]", "ş": "[sş]", "e": "[eê]", "ê": "[eê]",
    "u": "[uûü]", "û": "[uûü]", "ü": "[uûü]", "c": "[cç]", "ç": "[cç]", "g": "[gğ]", "ğ": "[gğ]",
    "o": "[oö]", "ö": "[oö]",
}
# fmt: on
_PROCLITIC = r"(?:[وفبلع]?(?:ال)?)"


def _is_latin(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "")


def _phrase_atoms(phrase: str, lang: str) -> tuple[str, ...]:
    """One cue phrase as a sequence of regex atoms, in the normalised form of comments."""
    words = normalize(phrase.strip("~*"), lang).text.split(" ")
    latin = any(_is_latin(ch) for ch in "".join(words))
    atoms = [_PROCLITIC] if phrase.startswith("~") else []
    for index, word in enumerate(words):
        if index:
            atoms.append(r"\s+" if latin else r"\s*")
        atoms += [_LOOSE_LATIN.get(ch, re.escape(ch)) for ch in word]
    atoms.append(r"\w*(?!\w)" if phrase.endswith("*") else r"(?!\w)")
    return tuple(atoms)


#: A prefix tree of regex atoms: each atom leads to the atoms that may follow it.
Trie: TypeAlias = "dict[str, Trie]"


def _trie_regex(sequences: set[tuple[str, ...]]) -> str:
    """One regex for many atom sequences, sharing their common prefixes.

    A flat alternation of a few hundred phrases tries every phrase at every position (3 ms a
    comment); the trie tries only the branch of the letter at hand. Ends of phrases sort
    last among siblings, so a longer phrase ("سناب شات") wins over its prefix ("سناب").
    """
    trie: Trie = {}
    for atoms in sequences:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})

    def emit(node: Trie) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items(), key=_branch_order)]
        if len(branches) == 1:
            return str(branches[0])
        return "(?:" + "|".join(branches) + ")"

    return r"(?<!\w)" + emit(trie)


def _branch_order(item: tuple[str, Trie]) -> tuple[bool, str]:
    return (not item[1], item[0])  # phrase ends (no children) after continuations


def _compile_cues() -> dict[str, re.Pattern[str]]:
    return {
        kind: re.compile(
            _trie_regex(
                {_phrase_atoms(p, lang) for lang, kinds in _CUES.items() for p in kinds[kind]}
            )
        )
        for kind in ("call_to_action", "platform", "commerce")
    }


_CUE_PATTERNS = _compile_cues()
#: "50% off", "%50 indirim" (Turkish puts the sign first), "٪۵۰ تخفیف".
_PERCENT_OFF = re.compile(
    r"(?<!\w)(?:\d{1,2}\s?[%٪]|[%٪]\s?\d{1,2})\s?(?:off|indirim\w*|تخفیف|خصم)"
)


# --- Results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One cue: ``text == comment[start:end]`` of the original comment, and its kind."""

    start: int
    end: int
    text: str
    kind: str

    def evidence(self) -> Evidence:
        return Evidence(self.start, self.end, self.text)


@dataclass(frozen=True)
class PromotionCues:
    """Every cue found in one comment, in reading order, and the noisy-OR score."""

    cues: tuple[Cue, ...]
    score: float

    def kinds(self) -> set[str]:
        return {cue.kind for cue in self.cues}

    def evidence(self) -> list[Evidence]:
        return [cue.evidence() for cue in self.cues]


def _score(cues: tuple[Cue, ...]) -> float:
    """Noisy-OR of the cues' kind weights, counting at most two cues of a kind.

    A second link or call to action adds evidence; a tenth only repeats it.
    """
    counts: dict[str, int] = {}
    for cue in cues:
        counts[cue.kind] = min(counts.get(cue.kind, 0) + 1, 2)
    miss = 1.0
    for kind, count in counts.items():
        miss *= (1.0 - KIND_WEIGHTS[kind]) ** count
    return round(1.0 - miss, 6)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def find_cues_normalized(norm: Normalized) -> PromotionCues:
    """Cues of a comment the caller has already normalised (``norm.source`` is the comment)."""
    text = norm.source
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int], kind: str) -> None:
        if span[0] < span[1] and not _overlaps(span, taken):
            taken.append(span)
            found.append((span[0], span[1], kind))

    # Most specific first: an e-mail contains a domain, an invite link is also a link.
    for span in _spans(EMAIL, text):
        add(span, "email")
    for span in _spans(_INVITE_LINK, text):
        add(span, "invite_link")
    for pattern in (_LINK, _SPELLED_LINK):
        for span in _spans(pattern, text):
            add(span, "link")
    for span in _phones(text):
        add(span, "phone")
    for span in _spans(HANDLE, text):
        add(span, "handle")
    matched = [(m.span(), "commerce") for m in _PERCENT_OFF.finditer(norm.text)]
    for kind, pattern in _CUE_PATTERNS.items():
        matched += [(m.span(), kind) for m in pattern.finditer(norm.text)]
    for (start, end), kind in matched:
        add(norm.source_span(start, end), kind)

    cues = tuple(Cue(start, end, text[start:end], kind) for start, end, kind in sorted(found))
    return PromotionCues(cues, _score(cues))


def find_cues(text: str, lang: str | None = None) -> PromotionCues:
    """Every promotion cue in ``text`` (a comment as written) and their combined score.

    ``lang`` is passed to :func:`normalize` (Turkish and Kurmanji lose their letters'
    marks); the cues of every language are looked for whatever ``lang`` is.
    """
    return find_cues_normalized(normalize(text, lang))
