"""Normalisation defeats each evasion on its own, and keeps exact offsets into the original."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agora.guidelines.normalize import Normalized, normalize


def norm(text: str, lang: str | None = None) -> str:
    return normalize(text, lang).text


def evidence(result: Normalized, word: str) -> str:
    """The original text behind the first occurrence of ``word`` in the normalised text."""
    start = result.text.index(word)
    begin, end = result.source_span(start, start + len(word))
    return result.source[begin:end]


# --- each evasion -------------------------------------------------------------------------


def test_case_is_folded():
    assert norm("FUCK You") == "fuck you"
    assert norm("Straße") == "strasse"


@pytest.mark.parametrize(
    "text",
    [
        "ＦＵＣＫ",  # fullwidth
        "Ⓕⓤⓒⓚ",  # circled
        "𝐟𝐮𝐜𝐤",  # mathematical bold
        "𝓯𝓾𝓬𝓴",  # mathematical script
        "🄵🅄🄲🄺",  # squared
    ],
)
def test_compatibility_forms_become_plain_letters(text):
    assert norm(text) == "fuck"


def test_ligatures_are_split():
    assert norm("ﬁne ﬂag ﬀ") == "fine flag ff"


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u200e", "\u202e", "\u3164"],
)
def test_invisible_characters_are_removed(invisible):
    assert norm(f"f{invisible}u{invisible}ck") == "fuck"


def test_zwnj_in_persian_is_removed_like_no_separator():
    # "می‌خواهم" is typed with ZWNJ, with nothing, or (not covered) with a space.
    assert norm("می\u200cخواهم", "fa") == norm("میخواهم", "fa")
    assert norm("کتاب\u200cها", "fa") == norm("کتابها", "fa")
    assert " " not in norm("می\u200cخواهم", "fa")


def test_combining_marks_are_composed_or_dropped():
    assert norm("cafe\u0301") == norm("café") == "café"
    assert norm("f\u0337u\u0337c\u0337k\u0337") == "fuck"  # strike-through overlay


def test_runs_of_three_or_more_letters_collapse_to_one():
    assert norm("fuuuuuck") == "fuck"
    assert norm("shiiiiit!!!") == "shit!!!"
    assert norm("FUUUCK") == "fuck"


def test_double_letters_are_kept():
    assert norm("good too coffee bookkeeper") == "good too coffee bookkeeper"


def test_digits_and_punctuation_runs_are_not_collapsed():
    assert norm("1000 ... !!!") == "1000 ... !!!"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f4ck", "fack"),
        ("sh1t", "shit"),
        ("$h1t", "shit"),
        ("@ss", "ass"),
        ("a$$hole", "asshole"),
        ("b!tch", "bitch"),
        ("n00b", "noob"),
        ("l0s3r", "loser"),
    ],
)
def test_leetspeak_inside_words(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(
    "text", ["2024", "$5", "mp3", "4x4", "hello!", "10:30", "50%", "covid19", "@ 5", "g7 summit"]
)
def test_digits_and_symbols_outside_words_stay(text):
    assert norm(text) == text


@pytest.mark.parametrize(
    "text", ["f.u.c.k", "f u c k", "s-h-i-t", "f_u_c_k", "F . U . C . K".replace(" . ", ".")]
)
def test_letters_split_by_one_separator_are_joined(text):
    assert norm(text) in ("fuck", "shit")


def test_split_letters_are_joined_run_by_run():
    assert norm("f.u.c.k you") == "fuck you"
    assert norm("f u c k s-h-i-t") == "fuck shit"


@pytest.mark.parametrize("text", ["e.g. this", "J. R. R. Tolkien", "a b", "U.S.", "x - y - z"])
def test_abbreviations_and_wide_gaps_are_not_joined(text):
    assert norm(text) == text.lower()


def test_split_arabic_letters_are_joined():
    assert norm("ك ل ب") == norm("كلب")


def test_lookalike_letters_inside_latin_words_become_latin():
    assert norm("fυck") == "fuck"  # Greek upsilon
    assert norm("fuсk") == "fuck"  # Cyrillic es
    # A word of look-alikes only is Latin when Latin letters dominate the text.
    assert norm("shut up you ВІТСН") == "shut up you bitch"
    assert norm("you are a ѕех bot") == "you are a sex bot"
    assert norm("ВІТСН") == "вітсн"  # no Latin around: it may as well be Cyrillic


def test_genuine_cyrillic_and_greek_words_are_kept():
    assert norm("Москва и сор") == "москва и сор"
    assert norm("Καλημέρα κόσμε, όρα") == "καλημέρα κόσμε, όρα"


def test_links_are_left_alone_and_contacts_become_the_placeholder():
    result = norm("visit www.sh0p.com or write to j0hn.d03@example.com, f4ck")
    assert result == "visit www.sh0p.com or write to auser, fack"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Jane_Doe42 you are wrong", "auser you are wrong"),
        ("Thanks @john.smith.", "thanks auser."),
        ("@USER @URL", "auser aurl"),  # the data sets' placeholders, as they are
        ("you @sshole", "you asshole"),  # "ass" written to dodge a filter, not a handle
        ("meet @ 5", "meet @ 5"),
    ],
)
def test_handles_read_as_the_data_sets_placeholder(text, expected):
    # No model may learn a person's handle: training rows and comments read the same.
    assert norm(text) == expected


def test_a_masked_contact_still_points_at_the_contact_as_written():
    text = "Ask @Jane_Doe42 or mail jane@example.org today"
    result = normalize(text, "en")
    spans = [
        result.source_span(i, i + 5)
        for i in range(len(result.text))
        if result.text.startswith("auser", i)
    ]
    assert [text[slice(*span)] for span in spans] == ["@Jane_Doe42", "jane@example.org"]


def test_whitespace_becomes_single_spaces():
    assert norm("one\u00a0\u00a0two\t\tthree\n\nfour\u3000five ") == "one two three four five "


# --- Turkish ------------------------------------------------------------------------------


def test_turkish_dotted_and_dotless_i():
    assert norm("IŞIK", "tr") == norm("ışık", "tr") == norm("ISIK", "tr") == "isik"
    assert norm("İstanbul", "tr") == "istanbul"
    assert norm("I\u0307stanbul", "tr") == "istanbul"  # decomposed İ


def test_turkish_and_kurmanji_typed_without_marks_are_one_spelling():
    assert norm("Şerefsiz göt, öldüreceğim", "tr") == norm("Serefsiz got, oldurecegim", "tr")
    assert norm("Şerefsiz göt, öldüreceğim", "tr") == "serefsiz got, oldurecegim"
    assert norm("Mala te bişewitînim, çêlek", "kmr") == "mala te bisewitinim, celek"
    # Other languages keep their marks: "çöp" is not read as Turkish in a French comment.
    assert norm("garçon été", "fr") == "garçon été"


def test_unmarked_letters_keep_the_offsets():
    text = "Ne güzel ŞEHİR"
    result = normalize(text, "tr")
    assert result.text == "ne guzel sehir"
    start = result.text.index("sehir")
    assert text[slice(*result.source_span(start, start + 5))] == "ŞEHİR"


def test_other_languages_fold_i_the_usual_way():
    assert norm("ISPARTA") == "isparta"
    assert norm("İstanbul") == "istanbul"


def test_dotless_i_is_read_as_i_outside_turkish():
    assert norm("bıtch", "en") == "bitch"
    assert norm("sık", "tr") == "sik"
    assert norm("sık") == "sık"  # unknown language: kept, it may be Turkish


# --- Arabic, Persian, Sorani --------------------------------------------------------------


def test_yeh_forms_are_unified():
    assert norm("علي") == norm("على") == norm("علی")


def test_kaf_forms_are_unified():
    assert norm("كتاب") == norm("کتاب")


@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ"])
def test_alef_variants_become_bare_alef(alef):
    assert norm(f"{alef}حمد") == "احمد"


def test_teh_marbuta_and_heh_forms_become_heh():
    assert norm("مدرسة") == norm("مدرسه")
    assert norm("ھ") == norm("ە") == norm("ۀ") == "ه"


def test_tatweel_is_removed():
    assert norm("الـــلـــه") == "الله"


def test_harakat_are_removed():
    assert norm("مُحَمَّدٌ") == "محمد"


def test_arabic_indic_and_persian_digits_become_ascii():
    assert norm("١٢٣ ۴۵۶ ७") == "123 456 7"


def test_elongated_arabic_letters_collapse():
    assert norm("حلووووو") == "حلو"
    assert norm("ههههههه") == "ه"


def test_hamza_seats_and_sorani_letters_are_kept():
    assert norm("ئەمە") == "ئهمه"
    assert norm("ڕێگا ڵ ۆ") == "ڕێگا ڵ ۆ"


# --- offsets ------------------------------------------------------------------------------


def test_offsets_of_a_collapsed_run():
    result = normalize("Fuuuuck!")
    assert result.text == "fuck!"
    assert result.offsets == [0, 1, 5, 6, 7]
    assert result.source_span(0, 4) == (0, 7)


def test_a_span_ending_on_a_collapsed_run_covers_all_of_it():
    result = normalize("so fuuuu")
    assert result.text == "so fu"
    assert result.source_span(3, 5) == (3, 8)


def test_offsets_of_an_expansion():
    result = normalize("xﬀy")
    assert result.text == "xffy"
    assert result.offsets == [0, 1, 1, 2]
    assert result.source_span(1, 2) == (1, 2)


def test_offsets_skip_removed_characters():
    result = normalize("a\u200bb\u0640c")
    assert result.text == "abc"
    assert result.offsets == [0, 2, 4]


@pytest.mark.parametrize(
    ("text", "word", "original"),
    [
        ("you are a f.u.c.k.i.n.g idiot", "fucking", "f.u.c.k.i.n.g"),
        ("what a $h1tty take", "shitty", "$h1tty"),
        ("ＳＨＩＴ show", "shit", "ＳＨＩＴ"),
        ("total fυcking mess", "fucking", "fυcking"),
        ("go to he\u200bll now", "hell", "he\u200bll"),
        ("يا كلـــــب", "كلب", "كلـــــب"),
        ("تو بی\u200cشرفی", "بيشرفي", "بی\u200cشرفی"),
        ("shiiiit happens", "shit", "shiiiit"),
    ],
)
def test_evidence_maps_back_to_the_original_spelling(text, word, original):
    assert evidence(normalize(text), word) == original


def test_source_span_rejects_bad_spans():
    result = normalize("hello")
    with pytest.raises(ValueError):
        result.source_span(3, 3)
    with pytest.raises(ValueError):
        result.source_span(0, 6)


def test_non_text_is_rejected():
    with pytest.raises(TypeError):
        normalize(None)


def test_a_lone_surrogate_from_broken_input_is_dropped():
    result = normalize("a\ud800b é")
    assert result.text == "ab é"
    assert result.offsets == [0, 2, 3, 4]


def test_empty_text():
    assert normalize("") == Normalized("", [], "")


_TRICKY = st.sampled_from(
    list("aAbBiIİıfuUck sS.-_*0134@$!  \t\n")
    + ["\u200b", "\u200c", "\u00ad", "\ufeff", "\u0301", "\u0337", "ﬀ", "ﷺ", "Ｆ", "𝐟", "①"]
    + list("ـأإآةىیکكھە")
    + ["\u064e", "\u0651", "٣", "۴"]
    + list("аеосυΗ")
    + ["ß", "ǅ", "\U000e0041", "\ufe0f", "😀"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TRICKY, max_size=40).map("".join), st.sampled_from([None, "en", "tr", "fa"]))
def test_offsets_are_exact_for_any_text(text, lang):
    result = normalize(text, lang)
    assert len(result.offsets) == len(result.text)
    assert all(0 <= offset < len(text) for offset in result.offsets)
    assert all(a <= b for a, b in zip(result.offsets, result.offsets[1:], strict=False))
    if result.text:
        begin, end = result.source_span(0, len(result.text))
        assert 0 <= begin < end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_offsets_are_exact_for_arbitrary_unicode(text):
    result = normalize(text)
    assert len(result.offsets) == len(result.text)
    assert all(0 <= offset < len(text) for offset in result.offsets)
    assert all(a <= b for a, b in zip(result.offsets, result.offsets[1:], strict=False))
