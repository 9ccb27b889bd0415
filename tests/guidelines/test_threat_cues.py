"""Threat cues: the wordings of a threat that no model score may let through unread.

Every sentence here was written for these tests (none is a functional-suite case).
"""

import pytest

from agora.guidelines.encoder import pooled
from agora.guidelines.engine import Engine
from agora.guidelines.normalize import normalize
from agora.guidelines.threat_cues import CUE_PROBABILITY, find_threat_cues, with_cue
from agora.guidelines.verdict import CommentInput


def cues(text, lang="en"):
    return [cue.text for cue in find_threat_cues(normalize(text, lang).text, lang)]


@pytest.mark.parametrize(
    "text",
    [
        "Publish that again and I will kill you.",
        "we're going to hang the councillor who signed this",
        "I swear I'll personally stab him when he shows up",
        "im gonna beat you up after the meeting",
        "Let's shoot every last one of those clerks",
        "wait until I find you and break you",
        "I hope your editor gets run over by a bus",
        "Go kill yourself, nobody reads you",
        "Traitors like him deserve to be executed.",
        "That man should die for what he wrote.",
        "Round them up and shoot them all!",
        "Someone should pump a bullet into his skull",
        "Better watch your back on the way home, reporter.",
        "We know where you work, don't forget it.",
        "You're a dead man.",
        "I will break your jaw if you print my name",
        "Death to the occupiers",
    ],
)
def test_english_threats_are_cues(text):
    assert cues(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I WILL SHOOT YOU",  # shouted
        "I will k1ll you",  # leetspeak
        "i will s.t.a.b you",  # letters split by dots
        "I\u2019ll murder you",  # a typographic apostrophe
    ],
)
def test_spellings_that_hide_a_threat_are_undone_first(text):
    assert cues(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Keep writing lies, reporter. You're dead the moment we find you.",
        "Lovely kids in your profile picture. Shame if anything bad happened to them.",
        "You had better pray I don't see you at the rally.",
        "Mr Mayor, your days are numbered.",
        "We know where your children are at three o'clock.",
        "Somebody needs to shoot him before the vote.",
        "Someone has to put this clown six feet under.",
        "People like me will take care of you for good.",
        "Keep printing my name. I will find you.",
        "I'm going to get you for this, journalist.",
        "We'll find you and you'll regret every word.",
        "I will personally make you pay for that article.",
    ],
)
def test_threats_that_never_name_the_act_are_cues(text):
    assert cues(text), text


@pytest.mark.parametrize(
    "text",
    [
        "You are dead right about the bus fares.",
        "It would be a shame if something happened to the peace talks now.",
        "Your days of cheap fuel are numbered.",
        "Someone should kill this bill before it reaches the senate.",
        "Somebody should put those bulbs in the ground before the frost.",
        "We know where your office is; the petition arrives on Monday.",
        "The ministry should deal with the backlog permanently.",
        "You'd better hope the council reads this.",
        "I'll find you the link to the budget papers.",
        "We'll get you home before the roads close.",
        "I'll catch you at the meeting on Monday.",
        "The new tax will make you pay for every bag.",
    ],
)
def test_look_alikes_of_the_implicit_threats_are_not_cues(text):
    assert cues(text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        # denials and refusals: a negation stands between the speaker and the verb
        "I would never hurt you, whatever you wrote.",
        "We will not kill anyone over a tax vote.",
        # reports: the speaker is not the one threatening
        "The court heard that he would kill her if she left.",
        "Police say the gang wanted to burn the shop down.",
        # figures of speech and harmless objects
        "This heat is killing me.",
        "I'd kill for a pay rise like that.",
        "I will beat the deadline this time.",
        "We are going to destroy them in the next election.",
        "I will find you a better source tomorrow.",
        "The home side got slaughtered four nil.",
        "Death toll rises to twelve after the floods",
        "They were shot by the army, the report says.",
    ],
)
def test_denials_reports_and_figures_of_speech_are_not_cues(text):
    assert cues(text) == [], text


@pytest.mark.parametrize(
    "lang, threat, harmless",
    [
        ("ar", "إذا كتبت عني مرة ثانية سأقتلك", "قتل ثلاثة أشخاص في الحادث أمس"),
        ("tr", "Bir daha yazarsan seni öldüreceğim", "Seni asla öldürmeyeceğim, sakin ol"),
        ("fa", "یک بار دیگه بنویسی می‌کشمت", "نگران نباش، نمی‌کشمت"),
        ("fa", "مرگ بر این دولت دروغگو", "مرگ او همه را غمگین کرد"),
        ("ckb", "ئەگەر جارێکی تر بنووسیت دەتکوژم", "نەترسە، ناتکوژم"),
        ("ckb", "مەرگ بۆ ئەم دەسەڵاتە درۆزنە", "پۆلیس دەڵێت پیاوەکە لە ڕووداوەکەدا کوژرا"),
        ("kmr", "Heke tu dîsa binivîsî, ez ê te bikujim", "Netirse, ez ê te nekujim"),
        ("kmr", "Ez ê serê te jê bikim", "Polîs dibêje mêr di qezayê de hat kuştin"),
        ("kmr", "Careke din binivîse, ez te dikujim!", "Ez te nakujim, ez tenê dipeyivim"),
        # we know where you live / your house is (a report of a fact does not match)
        ("ar", "نعرف أين تسكن يا كاتب، انتبه", "لا نعرف أين تسكن عائلات النازحين الآن"),
        ("ar", "منعرف وين بيتك، دير بالك", "ما نعرف وين بيتك الجديد، ابعث العنوان"),
        ("tr", "Nerede oturduğunu biliyoruz, dikkatli ol", "Nerede oturduğunu bilmiyoruz"),
        # typed without the letters' marks
        ("tr", "Bir daha yazarsan seni oldurecegim", "Seni asla oldurmeyecegim, sakin ol"),
        ("tr", "NEREDE OTURDUGUNU BILIYORUZ", "Nerede oturdugunu bilmiyoruz"),
        ("kmr", "Heke tu disa binivisi, ez e te bikujim", "Netirse, ez e te nekujim"),
        # I / we will make you regret it, find you
        ("ar", "سأجعلك تندم على كل كلمة كتبتها", "لن تندم على قراءة هذا التقرير"),
        ("tr", "Bu yazıyı silmezsen seni bulacağım", "Seni aradım ama bulamadım"),
        ("tr", "Seni pişman edeceğim, bekle", "Bu karardan pişman olan çok"),
        ("fa", "یه روز پیدات می‌کنم", "پیدا کردن این خبر سخت بود"),
        ("fa", "می‌دونیم خونت کجاست، مواظب باش", "نمی‌دونیم خونه‌اش کجاست"),
        ("ckb", "دەزانین ماڵت لە کوێیە، ئاگادار بە", "نازانین ماڵی ئەو لە کوێیە"),
        ("kmr", "Em dizanin tu li ku dijî, hay ji xwe hebe", "Em nizanin ew li ku dijî"),
    ],
)
def test_arabic_turkish_persian_and_kurdish_forms(lang, threat, harmless):
    assert cues(threat, lang), threat
    assert cues(harmless, lang) == [], harmless


def test_a_language_without_cues_gives_none():
    assert cues("I will kill you", "other") == []
    assert cues("I will kill you", "ckb") == []
    # Only the comment's own language is read: English words in Turkish are not parsed.
    assert cues("Bu yazı I will kill you diye bitiyor", "tr") == []


def test_a_cue_is_a_span_of_the_normalised_text():
    normalized = normalize("Listen. I WILL KILL YOU.", "en")
    (cue,) = find_threat_cues(normalized.text, "en")
    assert normalized.text[cue.start : cue.end] == cue.text == "i will kill you"


@pytest.mark.parametrize("probability", [0.0, 0.01, 0.3, 0.9, 1.0])
def test_a_cue_raises_the_probability_and_never_past_one(probability):
    raised = with_cue(probability)
    assert max(probability, CUE_PROBABILITY) <= raised + 1e-4
    assert raised <= 1.0


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def test_the_engine_never_approves_a_worded_threat_and_shows_why(engine):
    text = "Keep lying about us and I will find you and hurt you."
    verdict = engine.judge(CommentInput(text, lang="en"))
    assert verdict.decision != "approve"
    (reason,) = [r for r in verdict.reasons if r.guideline == "threat"]
    assert reason.score == verdict.scores["threat"] >= CUE_PROBABILITY
    assert "find you and hurt" in [e.text for e in reason.evidence]
    assert "\u201cfind you and hurt\u201d" in reason.message


def test_a_threat_only_its_cue_flags_shows_only_the_cue_as_evidence(engine):
    text = "I read the report on the new bridge with interest. I will find you and hurt you."
    model = engine.models["en"]
    own = model.predict(
        [normalize(text, "en").text],
        pooled(engine.encoder.text_vectors([text]), engine.encoder.dim),
    )[0, model.keys.index("threat")]
    # The model alone would approve it: every highlighted word must be the cue's.
    assert own < engine.policy.threshold("en", "threat").review
    verdict = engine.judge(CommentInput(text, lang="en"))
    (reason,) = [r for r in verdict.reasons if r.guideline == "threat"]
    assert [e.text for e in reason.evidence] == ["find you and hurt"]


def test_a_denial_keeps_the_model_score(engine):
    text = "I would never hurt you over a comment about bus fares."
    verdict = engine.judge(CommentInput(text, lang="en"))
    assert verdict.scores["threat"] < CUE_PROBABILITY


def test_a_stand_in_language_gets_the_cue_too(engine):
    verdict = engine.judge(CommentInput("Bir daha yazarsan seni öldüreceğim", lang="tr"))
    assert verdict.decision != "approve"
    assert verdict.scores["threat"] >= CUE_PROBABILITY
    (reason,) = [r for r in verdict.reasons if r.guideline == "threat"]
    assert "öldüreceğim" in reason.message
