"""Promotion cues: links, contacts and selling words in en, ar, fa, tr, ckb and kmr.

Every sentence here was written for these tests; the phone numbers and handles are made up.
"""

import pytest

from agora.guidelines.normalize import normalize
from agora.guidelines.promotion_cues import (
    _CUES,
    KIND_WEIGHTS,
    find_cues,
    find_cues_normalized,
    mask_contacts,
)


def kinds_of(text, lang=None):
    return [cue.kind for cue in find_cues(text, lang).cues]


def texts_of(text, lang=None, kind=None):
    return [cue.text for cue in find_cues(text, lang).cues if kind in (None, cue.kind)]


# --- links, e-mail addresses, handles ----------------------------------------------------


@pytest.mark.parametrize(
    "text, link",
    [
        ("Read more at https://example.org/a?b=1 today", "https://example.org/a?b=1"),
        ("Our shop: www.example-shop.net", "www.example-shop.net"),
        ("best prices at cheapstuff.com/deals", "cheapstuff.com/deals"),
        ("ارزان‌ترین قیمت در shop.ir", "shop.ir"),
        ("sipariş için magaza.com.tr adresine", "magaza.com.tr"),
        ("visit kurdistan-shop.krd now", "kurdistan-shop.krd"),
        ("my store: mystore.shop/new", "mystore.shop/new"),
        ("go to shop dot com for deals", "shop dot com"),
        ("go to shop[.]com for deals", "shop[.]com"),
        ("زوروا متجرنا mystore دوت كوم", "mystore دوت كوم"),
        ("به سایت mystore دات کام بروید", "mystore دات کام"),
    ],
)
def test_links_are_found_as_written(text, link):
    assert texts_of(text, kind="link") == [link]


@pytest.mark.parametrize(
    "text",
    [
        "e.g. the U.S. and the U.K. disagree",
        "I told you.Me too, honestly",
        "version 3.5 of node.js",
        "The vote was 52.4 per cent",
        "URL @USER",  # the data sets' placeholders
    ],
)
def test_sentences_that_only_look_like_links_have_no_cue(text):
    assert find_cues(text, "en").cues == ()


@pytest.mark.parametrize(
    "text, link",
    [
        ("join t.me/fake_channel_01 now", "t.me/fake_channel_01"),
        ("write to wa.me/905321234567", "wa.me/905321234567"),
        ("https://chat.whatsapp.com/AbCdEf", "https://chat.whatsapp.com/AbCdEf"),
        ("short link bit.ly/3xYz", "bit.ly/3xYz"),
    ],
)
def test_invite_and_short_links_are_their_own_kind(text, link):
    assert texts_of(text, kind="invite_link") == [link]
    assert "link" not in kinds_of(text)


def test_email_is_one_cue_not_a_handle_or_a_link():
    cues = find_cues("write to sales.team@example-shop.com today").cues
    assert [(c.kind, c.text) for c in cues] == [("email", "sales.team@example-shop.com")]


def test_handles_are_latin_platform_names_and_placeholders_are_not_handles():
    assert texts_of("follow @fake_shop.ir_01 and @USER", kind="handle") == ["@fake_shop.ir_01"]
    assert kinds_of("meet @ 5pm") == []


# --- phone numbers in every digit system -------------------------------------------------


@pytest.mark.parametrize(
    "text, phone",
    [
        ("call +90 532 123 45 67 today", "+90 532 123 45 67"),
        ("call 0532 123 45 67", "0532 123 45 67"),
        ("call (0532) 123-45-67.", "(0532) 123-45-67"),
        ("ring 0044 20 7946 0958", "0044 20 7946 0958"),
        ("رقمي ٠٧٨٠١٢٣٤٥٦٧ للحجز", "٠٧٨٠١٢٣٤٥٦٧"),
        ("شماره ۰۹۱۲ ۱۲۳ ۴۵۶۷ برای سفارش", "۰۹۱۲ ۱۲۳ ۴۵۶۷"),
        ("ژمارە +٩٦٤ ٧٥٠ ١٢٣ ٤٥٦٧", "+٩٦٤ ٧٥٠ ١٢٣ ٤٥٦٧"),
        ("mixed ۰۹12 ۱۲۳ 4567", "۰۹12 ۱۲۳ 4567"),
    ],
)
def test_phone_numbers_in_any_digit_system(text, phone):
    assert texts_of(text, kind="phone") == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "From 2019 2020 to 2024",
        "قیمت دلار به ۵۰۰۰۰۰۰۰۰ ریال رسید",
        "on 01.02.2020 at 12:30",
        "1,200,000 people voted",
        "في عام ٢٠١٩ و ٢٠٢٠",
        "12345678 votes",
    ],
)
def test_years_amounts_and_dates_are_not_phone_numbers(text):
    assert "phone" not in kinds_of(text)


# --- cue phrases in each language --------------------------------------------------------


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        (
            "Subscribe to my channel and follow me on Instagram",
            "en",
            {"call_to_action", "platform"},
        ),
        ("Huge discount, free shipping, order now", "en", {"commerce", "call_to_action"}),
        ("تابعونا على الانستغرام وراسلوني على الخاص", "ar", {"call_to_action", "platform"}),
        ("للطلب واتساب، توصيل مجاني", "ar", {"call_to_action", "platform", "commerce"}),
        ("برای سفارش به دایرکت پیام بدید، ارسال رایگان", "fa", {"call_to_action", "commerce"}),
        ("کانال تلگرام ما را دنبال کنید", "fa", {"platform", "call_to_action"}),
        ("Kanalıma abone olun, indirim kodu açıklamada", "tr", {"call_to_action", "commerce"}),
        ("Evden çalışarak para kazanmak için bize ulaşın", "tr", {"commerce", "call_to_action"}),
        ("پەیوەندیمان پێوە بکەن لە ڕێگەی واتسئاپ", "ckb", {"call_to_action", "platform"}),
        ("کلیک بکە و بە داشکاندن بیکڕە", "ckb", {"call_to_action", "commerce"}),
        ("Ji kerema xwe kanala min bişopînin", "kmr", {"call_to_action"}),
        ("Kargo belaş, ji bo siparîşê peyamê bişînin", "kmr", {"commerce", "call_to_action"}),
    ],
)
def test_each_language_has_its_own_cues(text, lang, expected):
    assert set(kinds_of(text, lang)) == expected


@pytest.mark.parametrize(
    "text, lang",
    [
        ("The minister resigned after the vote in parliament.", "en"),
        ("I follow the news every day and I check my facts.", "en"),
        ("استقال الوزير بعد التصويت في البرلمان، وقال خصمه إن القرار متأخر.", "ar"),
        ("وزیر پس از رای‌گیری در مجلس استعفا داد و قیمت نان بالا رفت.", "fa"),
        ("Bakan meclisteki oylamadan sonra istifa etti; faiz indirimi bahis konusu değil.", "tr"),
        ("وەزیر دوای دەنگدان لە پەرلەمان دەستی لەکار کێشایەوە.", "ckb"),
        ("Wezîr piştî dengdanê li parlamentoyê îstifa kir.", "kmr"),
    ],
)
def test_ordinary_news_comments_have_no_cue(text, lang):
    result = find_cues(text, lang)
    assert result.cues == () and result.score == 0.0


def test_every_cue_phrase_matches_in_its_ordinary_spelling():
    for lang, kinds in _CUES.items():
        for kind, phrases in kinds.items():
            for phrase in phrases:
                plain = phrase.strip("~*")
                found = find_cues(f"… {plain} …", lang)
                assert kind in found.kinds(), (lang, kind, plain)


# --- evasions: normalisation reaches the phrases, spans stay in the original -------------


@pytest.mark.parametrize(
    "text, lang, surface",
    [
        ("تـــابِعـوني الآن", "ar", "تـــابِعـوني"),  # tatweel and a kasra
        ("ما را در واتس\u200cاپ پیدا کنید", "fa", "واتس\u200cاپ"),  # ZWNJ
        ("Ma ra dar اینستاگرام", "fa", "اینستاگرام"),
        ("KANALIMA ABONE OLUN", "tr", "KANALIMA"),
        ("Follow me on İNSTAGRAM", "tr", "İNSTAGRAM"),
        ("kanala min bisopinin", "kmr", "kanala min"),  # typed without ş and î
        ("write me on w.h.a.t.s.a.p.p", "en", "w.h.a.t.s.a.p.p"),
        ("SUBSCRIBE TO MY CHANNEL", "en", "SUBSCRIBE TO MY"),
    ],
)
def test_evasions_are_caught_and_spans_index_the_original(text, lang, surface):
    cues = find_cues(text, lang).cues
    assert surface in [cue.text for cue in cues]
    for cue in cues:
        assert text[cue.start : cue.end] == cue.text


def test_find_cues_normalized_reuses_the_callers_normalisation():
    text = "Kanalıma abone olun: +90 532 123 45 67"
    assert find_cues_normalized(normalize(text, "tr")) == find_cues(text, "tr")


# --- score ---------------------------------------------------------------------------------


def test_score_is_a_noisy_or_of_kind_weights():
    assert find_cues("").score == 0.0
    link = find_cues("see example.com").score
    assert link == pytest.approx(KIND_WEIGHTS["link"])
    both = find_cues("see example.com or call 0532 123 45 67").score
    assert both == pytest.approx(1 - (1 - KIND_WEIGHTS["link"]) * (1 - KIND_WEIGHTS["phone"]))


def test_a_reply_handle_alone_scores_low_and_a_sales_pitch_high():
    reply = find_cues("@fake_reader_7 I disagree with you", "en").score
    pitch = find_cues("Order now on WhatsApp 0532 123 45 67, 50% off!", "en").score
    assert reply < 0.2 < 0.8 < pitch <= 1.0


def test_repeating_one_cue_adds_less_than_a_new_kind():
    twice = find_cues("example.com and example.net").score
    thrice = find_cues("example.com, example.net and example.org").score
    assert twice == thrice  # counted at most twice
    assert twice < find_cues("example.com and 0532 123 45 67").score


def test_evidence_spans_are_the_cues():
    result = find_cues("call 0532 123 45 67")
    assert [(e.start, e.end, e.text) for e in result.evidence()] == [(5, 19, "0532 123 45 67")]


# --- masking contacts for training text --------------------------------------------------


def test_mask_contacts_uses_the_data_sets_placeholders():
    text = "hi @fake_user mail me@example.com see shop.com/x or t.me/y, @USER URL"
    assert mask_contacts(text) == "hi @USER mail @USER see URL or URL, @USER URL"
