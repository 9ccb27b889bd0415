"""Threat cues: the wordings of a direct threat or a call for violence, in every model language.

The threat models learn from labelled data in which direct threats are rare: the English
sets label calls for violence against groups ("deport them all", "they should be hanged"),
and hardly ever "I will find you and hurt you", so the models gave such a sentence a threat
probability of 0.002. A newsroom cannot let that through. This module finds the plain
wordings of a threat and the engine raises the comment's threat score with them
(:func:`with_cue`), so a comment that says one is never approved without a moderator.

What counts as a cue, in English:

* the speaker's intent: "I'll", "we are going to", "let's", "gonna" ... followed (a few
  adverbs apart) by a verb of killing or maiming and a person ("I will kill you", "we're
  going to hang that judge"); verbs of hurting ("hurt", "beat", "burn") count only against
  a person named by a pronoun, so "I will beat the deadline" is not a threat;
* "find you and kill you", wishes of death or harm aimed at someone ("I hope you die"),
  "deserves to be shot", "should die", "shoot them all", "put a bullet in his head",
  "watch your back", "we know where you live", "you're a dead man", "death to ...";
* the threats that never name the act: "you're dead when I catch you", "it would be a
  shame if something happened to them", "you'd better hope we never meet", "your days are
  numbered", "deal with you permanently", a call on anyone to kill a person or put
  them "in the ground" ("someone should ..."), "I will find you." or "I'll get you for
  this" with the person as the whole object ("I'll find you a source" is not a cue), and
  "I'll make you pay for it".

Reports of a threat ("he said he would kill her"), denials ("I would never hurt you") and
figures of speech ("this commute is killing me", "I'd kill for a holiday") are not cues,
because the speaker is not "I" or "we", a negation stands between, or no person is the
target. Arabic, Turkish, Persian and Kurdish cues are fixed phrases: the first-person future
forms of "kill" and "slaughter" with a "you" object, plural imperatives ("kill them"), "we
know where you live" (or "where your house is", "your address"), "I will make you regret
it" and, in Turkish and Persian, "I will find you", and, in Persian and Sorani, "death to",
written in their usual spellings and normalised the same way as comments. A plain "you will
regret it" is not one: in the labelled rows it is a warning about a choice more often than a
threat.
Kurdish has no model to raise: there the cues order the moderators' queue.

A cue is evidence, not proof: a quoted threat in a news comment is one too. The cue's
probability, :data:`CUE_PROBABILITY`, is what the English training rows say about it:
of the training rows labelled for threat that carry a cue, 27 of 126 are labelled threats,
and most of the rest are violent speech their data set labels under another name. That is
enough to send a comment to review under the default thresholds and not, alone, to reject
it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agora.guidelines.calibration import noisy_or
from agora.guidelines.normalize import normalize

__all__ = ["CUE_PROBABILITY", "ThreatCue", "find_threat_cues", "with_cue"]

#: P(threat) of a comment with a cue, whatever the model says (see the module's docstring).
CUE_PROBABILITY = 0.2

_STRONG_VERBS = (
    "kill murder shoot stab strangle hang lynch behead decapitate execute slaughter butcher"
    " rape torture slit shank gas exterminate"
)
_WEAK_VERBS = "hurt beat punch slap kick smash smack burn bomb choke drown bury skin break cut hunt"
_STRONG = "(?:" + "|".join(_STRONG_VERBS.split()) + ")"
_WEAK = r"(?:beat\s+up|fuck\s+up|mess\s+up|hunt\s+down|" + "|".join(_WEAK_VERBS.split()) + ")"
_PERSON = (
    r"(?:you|u|ya|yall|y'all|yourself|your\s+\w+|him|her|them|em|'em"
    r"|all\s+of\s+(?:you|them|u)|each\s+of\s+(?:you|them))"
)
_ANYONE = (
    rf"(?:{_PERSON}|the\s+\w+|that\s+\w+|this\s+\w+|these\s+\w+|those\s+\w+"
    r"|every\s+(?:one|last|single)\b\s*\w*|his\s+\w+|their\s+\w+)"
)
#: The speaker's intent: "I/we" with a future or a wish, "let's", "ima".
_INTENT = (
    r"(?:\b(?:i|we)\s*(?:'ll|ll|will|shall|would|'d|(?:am|'m|m|are|'re|re)\s+"
    r"(?:going\s+to|gonna|about\s+to)|gonna|wanna|want\s+to|can'?t\s+wait\s+to)"
    r"|\blet'?s|\bimm?a|\bi'ma)"
)
#: Words that may stand between the intent and the verb ("I will personally ...").
_BETWEEN = (
    r"(?:\s+(?:fucking|personally|really|just|gladly|happily|literally|definitely|actually"
    r"|go|come|then|also|will|gonna|to|f\w*ing|make\s+sure\s+to|find\s+and|track\s+down\s+and))"
    r"{0,3}"
)
#: Each English pattern with the words one of which it cannot match without: a comment
#: without any of them skips the pattern (most comments skip them all, and the patterns
#: cost about half a microsecond per character each).
_ENGLISH = [
    (_STRONG_VERBS, rf"{_INTENT}{_BETWEEN}\s+{_STRONG}\s+{_ANYONE}\b"),
    (
        _WEAK_VERBS + " fuck mess",
        rf"{_INTENT}{_BETWEEN}\s+{_WEAK}\s+{_PERSON}\b"
        r"(?!\s+(?:a|an|some|the|my|our|with\s+(?:kindness|love|facts))\b)",
    ),
    (
        "find hunt track",
        r"\b(?:find|hunt|track)\s+(?:you|u|ya|him|her|them)\s+(?:down\s+)?and\s+"
        rf"(?:i\s+will\s+)?(?:{_STRONG}|{_WEAK})",
    ),
    (
        "hope wish pray",
        r"\b(?:hope|wish|pray)\s+(?:that\s+)?(?:you|u|he|she|they|ya|your\s+\w+)\s+(?:\w+\s+)?"
        r"(?:die|dies|rot|burn|choke|drown"
        r"|gets?\s+(?:shot|killed|raped|hanged|hung|stabbed|murdered|run\s+over))\b",
    ),
    ("die burn rot", r"\b(?:die|burn|rot)\s+in\s+(?:a\s+)?(?:fire|hell|a\s+ditch)\b"),
    ("kill kys", r"\b(?:go\s+)?kill\s+(?:yourself|urself|yourselves)\b|\bkys\b"),
    (
        "deserve deserves ought should need needs must",
        r"\b(?:deserves?|ought|should|needs?|must)\s+(?:to\s+)?(?:be|get)\s+(?:\w+\s+)?"
        r"(?:shot|hanged|hung|killed|lynched|executed|beheaded|burned|burnt|gassed|raped"
        r"|put\s+down|exterminated|murdered|stabbed|strung\s+up|wiped\s+out)\b",
    ),
    ("die", r"\b(?:deserves?\s+to|should|ought\s+to|needs?\s+to)\s+die\b"),
    (
        "shoot hang kill gas exterminate lynch behead execute nuke slaughter",
        r"(?<!\bto\s)(?<!\bnot\s)\b(?:shoot|hang|kill|gas|exterminate|lynch|behead|execute"
        r"|nuke|slaughter)\s+(?:them|em|'em|all\s+of\s+them|every\s+(?:one|last)\s+of\s+them"
        r"|the\s+lot)\s*(?:all)?\s*(?:$|[.!]|\bnow\b|\bdead\b|\bone\s+by\s+one\b|\bon\s+sight\b)",
    ),
    (
        "put pump lodge",
        r"\b(?:put|pump|lodge)\s+(?:a|some)\s+(?:bullets?|lead|rounds?)\s+(?:in|into|through)\b",
    ),
    (
        "bullet bullets",
        r"\bbullets?\s+(?:in|into|through)\s+(?:your|his|her|their|that)\s+(?:\w+\s+)?"
        r"(?:head|brain|skull|face|back|chest)\b",
    ),
    ("watch", r"\bwatch\s+your\s+back\b"),
    (
        "know",
        r"\b(?:i|we)\s+know\s+where\s+(?:(?:you|u|he|she|they)\s+(?:live|sleep|work)"
        r"|your\s+(?:house|home|family|kids|children|wife|husband)\s+(?:is|are)\b)",
    ),
    ("sleep", r"\bsleep\s+with\s+one\s+eye\s+open\b"),
    (
        "dead die next",
        r"\b(?:you're|youre|you\s+are|ur|u\s+r)\s+(?:a\s+)?"
        r"(?:dead\s+(?:man|woman|meat)|going\s+to\s+die|gonna\s+die|next)\s*(?:$|[.!])",
    ),
    # The implicit threats: a condition on death ("you're dead when I catch you"), the
    # mobster's "shame if something happened to", "you'd better hope we never meet", "your
    # days are numbered", harm "for good", and a call on someone to kill a person.
    (
        "dead",
        r"\b(?:you're|youre|you\s+are|ur|u\s+r)\s+dead\s+(?:when|if|once|the\s+moment"
        r"|as\s+soon\s+as)\s+(?:i|we)\b",
    ),
    (
        "shame pity",
        r"\b(?:shame|pity)\s+if\s+(?:something|anything)\s+(?:\w+\s+){0,2}happen(?:ed|s)?\s+"
        r"to\s+(?:you|u|him|her|them|your|his|their)\b",
    ),
    (
        "better",
        r"\b(?:you|u)(?:'d|d|\s+had)?\s+better\s+(?:hope|pray)\s+(?:that\s+)?(?:i|we)\s+"
        r"(?:never|don't|dont|do\s+not)\s+(?:meet|see|find|catch)\b",
    ),
    ("numbered", r"\byour\s+days\s+are\s+numbered\b"),
    # "I'll find you." and "I'll get you for this": the person is the whole object, so "I'll
    # find you a source" and "I'll get you a coffee" are not cues; "I'll make you pay for it".
    (
        "find get catch",
        rf"{_INTENT}{_BETWEEN}\s+(?:find|get|catch)\s+(?:you|u|ya|you\s+all|all\s+of\s+you)"
        r"\s*(?:$|[.!]|\s+for\s+(?:this|that|it)\b|,?\s+and\s+(?:make\s+(?:you|u)\b"
        r"|(?:you|u)(?:'ll|ll|\s+will)\s+(?:regret|pay|be\s+sorry)\b))",
    ),
    (
        "regret pay",
        rf"{_INTENT}{_BETWEEN}\s+make\s+(?:you|u|ya|them|him|her)\s+"
        r"(?:regret|pay\s+for)\s+(?:it|this|that|what)\b",
    ),
    (
        "permanently good",
        rf"\b(?:deal\s+with|take\s+care\s+of|silence|finish)\s+{_PERSON}\s+"
        r"(?:permanently|for\s+good)\b",
    ),
    (
        _STRONG_VERBS + " put",
        r"\b(?:some|any)(?:one|body)\s+(?:should|needs?\s+to|ought\s+to|has\s+to|must|gotta)"
        rf"(?:\s+just)?\s+(?:{_STRONG}\s+{_PERSON}\b|put\s+(?:{_PERSON}|that\s+\w+|this\s+\w+)"
        r"\s+(?:(?:in|into)\s+(?:the\s+ground|an?\s+(?:early\s+)?grave|a\s+coffin"
        r"|a\s+body\s+bag)|six\s+feet\s+under))",
    ),
    (
        "break",
        r"\bbreak\s+(?:your|his|her|their)\s+(?:\w+\s+)?"
        r"(?:legs?|neck|arms?|face|jaw|bones|skull|knees)\b",
    ),
    ("death", r"\bdeath\s+to\s+(?:the\s+|all\s+)?\w+"),
    ("wipe", r"\bwipe\s+(?:them|you|em|'em|\w+)\s+(?:out|off\s+the\s+(?:map|face))"),
]

#: Fixed phrases, in ordinary spelling (normalised before matching), matched as whole words.
#: Turkish and Persian negate inside the verb ("öldürmeyeceğim", "نمی‌کشمت"), so each form
#: is written out whole rather than matched by its stem.
_PHRASES = {
    "ar": [
        # I / we will kill or slaughter you (Modern Standard and colloquial futures)
        "سأقتلك",
        "سأقتلكم",
        "سنقتلك",
        "سنقتلكم",
        "لأقتلك",
        "لأقتلكم",
        "رح اقتلك",
        "راح اقتلك",
        "رح نقتلك",
        "هقتلك",
        "حقتلك",
        "سأذبحك",
        "سنذبحك",
        "سنذبحكم",
        "رح اذبحك",
        "سأحرقك",
        "سنحرقكم",
        # kill / slaughter them (plural imperative), they must be killed, deserve death
        "اقتلوهم",
        "اذبحوهم",
        "اقتلوه",
        "يجب قتلهم",
        "يجب قتله",
        "يستحق الموت",
        "يستحقون الموت",
        "يستحق القتل",
        # we know where you live / where your house is, we know your address; your days
        # are numbered
        "نعرف وين بيتك",
        "منعرف وين بيتك",
        "بنعرف وين بيتك",
        "نعرف أين بيتك",
        "نعرف أين تسكن",
        "أعرف أين تسكن",
        "نعرف عنوانك",
        "عارفين بيتك",
        "عارفين عنوانك",
        "أيامك معدودة",
        # I / we will make you regret it
        "سأجعلك تندم",
        "سنجعلك تندم",
        "رح خليك تندم",
        "راح اخليك تندم",
    ],
    "tr": [
        "öldüreceğim",
        "öldüreceğiz",
        "öldürürüm",
        "öldürürüz",
        "öldürcem",
        "gebertirim",
        "gebertiriz",
        "geberteceğim",
        "kafanı keserim",
        "kafanı keseceğim",
        "evini yakarım",
        "evini yakacağız",
        "öldürün",
        "gebertin",
        "asılmalı",
        "kurşuna dizilmeli",
        "kurşuna dizin",
        "ölmeyi hak ediyor",
        # we know your house, where you live, your address; your days are numbered
        "evini biliyoruz",
        "evini biliyorum",
        "nerede oturduğunu biliyoruz",
        "nerede oturduğunu biliyorum",
        "nerede yaşadığını biliyoruz",
        "nerede yaşadığını biliyorum",
        "adresini biliyoruz",
        "adresini biliyorum",
        "günlerin sayılı",
        # I / we will make you regret it; I / we will find you
        "pişman edeceğim",
        "pişman ederim",
        "pişman edeceğiz",
        "seni bulacağım",
        "seni bulacağız",
        "seni bulurum",
        "sizi bulacağız",
    ],
    "fa": [
        "می‌کشمت",
        "میکشمت",
        "می‌کشیمت",
        "می‌کشمتون",
        "می‌کشیمتون",
        "میکشیمتون",
        "سرت را می‌برم",
        "سرتو می‌برم",
        "خونت رو می‌ریزم",
        "بکشیدش",
        "بکشیدشون",
        "اعدامش کنید",
        "باید اعدام بشه",
        "باید اعدام شود",
        "مرگ بر",
        # I / we know where your house is, where you live; we have your address; your days
        # are numbered
        "می‌دونم خونت کجاست",
        "می‌دونیم خونت کجاست",
        "می‌دانم خانه‌ات کجاست",
        "می‌دانیم کجا زندگی می‌کنی",
        "می‌دونیم کجا زندگی می‌کنی",
        "آدرستو داریم",
        "آدرست رو داریم",
        "روزهات به شماره افتاده",
        "روزهایت به شماره افتاده",
        # I / we will make you regret it; I / we will find you
        "پشیمونت می‌کنم",
        "پشیمانت می‌کنم",
        "پشیمونت می‌کنیم",
        "پیدات می‌کنم",
        "پیدات می‌کنیم",
    ],
    # Kurdish has no model: its cues only order the queue and show a moderator where to
    # look (Engine._unmodelled). Sorani negates with "نا-" ("ناتکوژم"), Kurmanji with
    # "na-"/"ne-" ("nakujim", "nekujim"), so the forms below are never denials.
    "ckb": [
        # I / we will kill you (one or many), him, them; the spoken "ئە-" future too
        "دەتکوژم",
        "ئەتکوژم",
        "دەتانکوژم",
        "دەتکوژین",
        "دەتانکوژین",
        "دەیکوژم",
        "دەیانکوژم",
        "دەیانکوژین",
        # kill him / them (imperative), they must be killed
        "بیکوژن",
        "بیانکوژن",
        "دەبێ بکوژرێن",
        "دەبێت بکوژرێت",
        # I will cut off your head, burn your house; death to
        "سەرت دەبڕم",
        "سەرتان دەبڕین",
        "ماڵەکەت دەسووتێنم",
        "مەرگ بۆ",
        # I / we know where your house is, where you live
        "دەزانم ماڵت لە کوێیە",
        "دەزانین ماڵت لە کوێیە",
        "دەزانم لە کوێ دەژیت",
        "دەزانین لە کوێ دەژیت",
    ],
    "kmr": [
        # (I / we will) kill you, you all, him, them: the subjunctive after "ez ê", "em ê"
        "te bikujim",
        "we bikujim",
        "wî bikujim",
        "wi bikujim",
        "wan bikujim",
        "te bikujin",
        "we bikujin",
        "wan bikujin",
        # the present, which speech uses for what one is about to do ("ez te dikujim!")
        "te dikujim",
        "we dikujim",
        "te dikujin",
        "we dikujin",
        # I will cut off your head, burn your house (typed without the letters' marks too:
        # normalize takes them off both)
        "serê te jê bikim",
        "mala te bişewitînim",
        # I / we know where you live, where your house is
        "ez dizanim tu li ku dijî",
        "em dizanin tu li ku dijî",
        "em dizanin mala te li ku ye",
        "ez dizanim mala te li ku ye",
    ],
}

#: Words that negate the phrase after them ("لا نعرف أين تسكن": we do not know where you
#: live). The other languages negate inside the verb, so their phrases are never denials.
_NEGATIONS = {"ar": ("لا", "ما", "مش", "مو", "لم", "لن")}


@dataclass(frozen=True)
class ThreatCue:
    """One cue, as a span of the normalised text it was found in."""

    start: int
    end: int
    text: str


_WORD = re.compile(r"\w+")


@cache
def _patterns(lang: str) -> list[tuple[frozenset[str] | None, re.Pattern[str]]]:
    """The language's patterns, each with the words it needs (None: try it always)."""
    if lang == "en":
        return [(frozenset(words.split()), re.compile(pattern)) for words, pattern in _ENGLISH]
    phrases = _PHRASES.get(lang)
    if not phrases:
        return []
    parts = [re.escape(normalize(phrase, lang).text) + r"(?!\w)" for phrase in phrases]
    not_after = "".join(
        rf"(?<!{re.escape(normalize(word, lang).text)}\s)" for word in _NEGATIONS.get(lang, ())
    )
    return [(None, re.compile(rf"(?<!\w){not_after}(?:" + "|".join(parts) + ")"))]


def find_threat_cues(normalized_text: str, lang: str) -> list[ThreatCue]:
    """Every cue in ``normalized_text`` (a comment after :func:`normalize` for ``lang``), in
    reading order, none overlapping another.

    Only the comment's own language is read: Turkish is not parsed as English, and a
    language without cues gives none."""
    patterns = _patterns(lang)
    if not patterns:
        return []
    # Typographic apostrophes read as plain ones; one character for one keeps the offsets.
    text = normalized_text.replace("\u2019", "'")
    words = set(_WORD.findall(text))
    spans = sorted(
        (m.start(), -m.end())
        for needed, pattern in patterns
        if needed is None or not needed.isdisjoint(words)
        for m in pattern.finditer(text)
    )
    cues: list[ThreatCue] = []
    for start, neg_end in spans:
        if not cues or start >= cues[-1].end:
            cues.append(ThreatCue(start, -neg_end, text[start:-neg_end]))
    return cues


def with_cue(probability: float) -> float:
    """The threat probability of a text with a cue: the chance that the model's reading or
    the cue's is right if each were independent (noisy-OR)."""
    return noisy_or((probability, CUE_PROBABILITY))
