"""Arabic, Turkish and Persian loaders on the real files, and the multilingual peers.

The data lives outside the repository (``$AGORA_DATA_DIR``, else ``../shared/data``); the
tests that read it skip, saying where they looked, when it is absent. Row counts are those
of each folder's SOURCE.md. Labels are checked by structure (rows picked by their raw
label), never by quoting data text. No test depends on how text is normalised.
"""

import os
import socket
from collections import Counter
from pathlib import Path

import pytest

from agora.guidelines.promotion_cues import find_cues
from agora.guidelines.training.datasets import arabic, persian, turkish
from agora.guidelines.training.datasets.arabic import (
    offensive_labels,
    tidy_text,
    without_outlet_tag,
)
from agora.guidelines.training.datasets.common import ABUSE_KEYS
from agora.guidelines.verdict import SCORE_KEYS

DATA_DIR = Path(
    os.environ.get("AGORA_DATA_DIR") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
requires_data = pytest.mark.skipif(
    not (DATA_DIR / "INDEX.md").exists(),
    reason=f"labelled data not found at {DATA_DIR} (set AGORA_DATA_DIR to its folder)",
)
LABEL_KEYS = set(SCORE_KEYS) | {"offensive"}


def count(rows, key):
    return Counter(row[key] for row in rows)


class Loaded(dict):
    """Examples per language, with a short repr so a failing test never prints data text."""

    def __repr__(self):
        return f"<examples of {', '.join(self)}>"


def failing(examples, check):
    """Indices (never texts) of the examples that fail ``check``, for assertion messages."""
    return [i for i, example in enumerate(examples) if not check(example)]


def labels_where(examples, raw_rows, predicate):
    """Labels of the examples whose raw row satisfies ``predicate`` (same order, same length)."""
    assert len(examples) == len(raw_rows)
    return [ex.labels for ex, row in zip(examples, raw_rows, strict=True) if predicate(row)]


# --- helpers on text written here --------------------------------------------------------


def test_tidy_text_decodes_escapes_and_masks_contacts():
    assert tidy_text("first<LF>second") == "first\nsecond"
    assert tidy_text("first_x000D_second") == "first\nsecond"
    assert tidy_text("  salt &amp; pepper ") == "salt & pepper"
    assert tidy_text("@fake_one see x@example.com at https://example.org") == (
        "@USER see @USER at URL"
    )


def test_a_news_desks_closing_hashtags_are_taken_off_its_headline():
    assert without_outlet_tag("لقطة سيارات مهملة الإماراتاليوم") == "لقطة سيارات مهملة"
    assert without_outlet_tag("نيمار يعاني التهابات سكايأخبار سكايرياضة") == "نيمار يعاني التهابات"
    assert without_outlet_tag("قصف في ريف دمشق سوريا العربية") == "قصف في ريف دمشق سوريا"
    # Only at the end, and never the whole text.
    assert without_outlet_tag("تقرير الحدث عن سوق جديد") == "تقرير الحدث عن سوق جديد"
    assert without_outlet_tag("سكايأخبار") == "سكايأخبار"


def test_offensive_labels_clear_every_abuse_key_only_when_not_offensive():
    clean = offensive_labels(0)
    assert clean["offensive"] == 0 and all(clean[key] == 0 for key in ABUSE_KEYS)
    assert clean["promotion"] is None and clean["off_topic"] is None
    off = offensive_labels(1, threat=1)
    assert off["offensive"] == 1 and off["threat"] == 1
    assert off["profanity"] is None and off["personal_attack"] is None
    assert set(clean) == set(off) == LABEL_KEYS


# --- every loaded example ----------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded():
    if not (DATA_DIR / "INDEX.md").exists():
        pytest.skip(f"labelled data not found at {DATA_DIR} (set AGORA_DATA_DIR)")
    return Loaded((module.LANG, module.load(DATA_DIR)) for module in (arabic, turkish, persian))


@requires_data
@pytest.mark.parametrize("lang", ["ar", "tr", "fa"])
def test_examples_are_well_formed(loaded, lang):
    module = {"ar": arabic, "tr": turkish, "fa": persian}[lang]
    folders = set(module.LOADERS)

    def well_formed(example):
        return (
            example.lang == lang
            and example.source in folders
            and example.text
            and example.text == example.text.strip()
            and set(example.labels) == LABEL_KEYS
            and set(example.labels.values()) <= {0, 1, None}
            # Every row says whether it promotes (spam sets label it, the others are
            # ordinary posts); no set labels relevance in these languages.
            and example.labels["promotion"] in (0, 1)
            and example.labels["off_topic"] is None
        )

    bad = failing(loaded[lang], well_formed)
    assert not bad, f"{len(bad)} malformed rows, first at {bad[:5]}"


@requires_data
@pytest.mark.parametrize("lang", ["ar", "tr", "fa"])
def test_no_escapes_handles_or_addresses_survive_loading(loaded, lang):
    contacts = {"handle", "email", "link", "invite_link"}

    def tidy(example):
        text = example.text
        return (
            "<LF>" not in text
            and "_x000D_" not in text
            and not (find_cues(text).kinds() & contacts)
        )

    bad = failing(loaded[lang], tidy)
    assert not bad, f"{len(bad)} rows keep an escape or a contact, first at {bad[:5]}"


@requires_data
def test_texts_are_not_normalised_by_the_loaders(loaded):
    # Spelling variants that normalisation would unify are still there as written.
    persian_texts = "".join(example.text for example in loaded["fa"])
    assert "\u200c" in persian_texts and "ی" in persian_texts and "ک" in persian_texts
    arabic_texts = "".join(example.text for example in loaded["ar"])
    assert "أ" in arabic_texts and "ة" in arabic_texts and "ى" in arabic_texts


# --- Arabic: row counts and label mapping ------------------------------------------------


@requires_data
def test_osact2020_rows_and_labels():
    folder = DATA_DIR / "ar/osact2020"
    rows = arabic.read_osact2020(folder)
    assert len(rows) == 7000 + 1000
    assert count(rows, "subtask_a") == {"NOT": 5590 + 821, "OFF": 1410 + 179}
    examples = arabic._load_osact2020(folder)
    for labels in labels_where(examples, rows, lambda r: r["subtask_a"] == "OFF"):
        assert labels["offensive"] == 1 and labels["profanity"] is None
    for labels in labels_where(examples, rows, lambda r: r["subtask_a"] == "NOT"):
        assert labels == offensive_labels(0)


@requires_data
def test_osact2022_malformed_csv_parses_to_every_row():
    rows = arabic.read_osact2022(DATA_DIR / "ar/osact2022")
    assert len(rows) == 8887 + 1270
    assert [int(r["id"]) for r in rows] == list(range(1, 10158))  # ids are contiguous
    assert count(rows, "offensive")["OFF"] == 3172 + 404
    assert count(rows, "vulgar")["VLG"] == 134 + 16
    assert count(rows, "violence")["VIO"] == 61 + 6
    hate = count(rows, "hate")
    assert (hate["HS6"], hate["HS1"], hate["HS3"]) == (456 + 52, 260 + 28, 144 + 14)
    # Fields the writer quoted come back unquoted.
    assert not any(r["tweet"].startswith('"') and r["tweet"].endswith('"') for r in rows)


@requires_data
def test_osact2022_columns_feed_their_keys():
    folder = DATA_DIR / "ar/osact2022"
    rows, examples = arabic.read_osact2022(folder), arabic._load_osact2022(folder)
    for labels in labels_where(examples, rows, lambda r: r["offensive"] == "NOT_OFF"):
        assert labels == offensive_labels(0)
    offensive = labels_where(examples, rows, lambda r: r["offensive"] == "OFF")
    assert all(labels["offensive"] == 1 for labels in offensive)
    for labels in labels_where(examples, rows, lambda r: r["vulgar"] == "VLG"):
        assert labels["profanity"] == 1
    for labels in labels_where(
        examples, rows, lambda r: r["offensive"] == "OFF" and r["vulgar"] == "NOT_VLG"
    ):
        assert labels["profanity"] is None  # cursing is not "vulgar" but is profanity
    for labels in labels_where(examples, rows, lambda r: r["violence"] == "VIO"):
        assert labels["threat"] == 1
    for labels in labels_where(examples, rows, lambda r: r["hate"] == "HS6"):
        assert labels["sexism"] == 1 and labels["identity_abuse"] == 1
        assert labels["racism"] == 0 and labels["homophobia"] is None
    for labels in labels_where(examples, rows, lambda r: r["hate"] == "HS1"):
        assert labels["racism"] == 1 and labels["xenophobia"] is None
    for labels in labels_where(examples, rows, lambda r: r["hate"] in ("HS2", "HS3")):
        assert labels["identity_abuse"] == 1
        assert all(labels[key] == 0 for key in ("sexism", "racism", "xenophobia"))
    for labels in labels_where(
        examples, rows, lambda r: r["offensive"] == "OFF" and r["hate"] == "NOT_HS"
    ):
        assert labels["identity_abuse"] == 0 and labels["personal_attack"] is None


@requires_data
def test_lhsab_rows_and_labels():
    folder = DATA_DIR / "ar/lhsab"
    rows = arabic.read_lhsab(folder)
    assert len(rows) == 5846
    assert count(rows, "Class") == {"normal": 3650, "abusive": 1728, "hate": 468}
    # The three tweets quoted over several lines are read whole, not as a lone quote.
    assert all(r["Tweet"].strip() not in ('"', "") for r in rows)
    examples = arabic._load_lhsab(folder)
    for labels in labels_where(examples, rows, lambda r: r["Class"] == "abusive"):
        assert labels["offensive"] == 1 and labels["identity_abuse"] == 0
    for labels in labels_where(examples, rows, lambda r: r["Class"] == "hate"):
        assert labels["identity_abuse"] == 1 and labels["sexism"] is None


@pytest.fixture(scope="module")
def vanetik():
    """The three spreadsheets' rows (reading them takes seconds, so once per module)."""
    if not (DATA_DIR / "INDEX.md").exists():
        pytest.skip(f"labelled data not found at {DATA_DIR} (set AGORA_DATA_DIR)")
    folder = DATA_DIR / "ar/vanetik-taxonomy"
    return Loaded((file_id, arabic.read_vanetik(folder, file_id)) for file_id in arabic._VANETIK)


@requires_data
def test_vanetik_spreadsheets_rows(vanetik):
    id2, id4, id14 = vanetik["ID2"], vanetik["ID4"], vanetik["ID14"]
    assert (len(id2), len(id4), len(id14)) == (3353, 15050, 5240)
    assert count(id2, "offensive")[1] == 2438
    assert count(id2, "offense strength")["hate speech"] == 735
    assert (count(id2, "racism")[1], count(id2, "sexism")[1]) == (877, 548)
    assert (count(id2, "xenophobia")[1], count(id2, "homophobia")[1]) == (245, 5)
    assert count(id4, "offensive")[1] == 5813
    assert (count(id14, "offensive")[1], count(id14, "sexism")[1]) == (2586, 2197)
    assert all(r["vulgar"] is None for r in id2 + id4 + id14)  # 'null' = not annotated


@requires_data
def test_vanetik_labels(vanetik):
    id2 = vanetik["ID2"]
    hostile = [r for r in id2 if r["offensive"] == 1 or r["offense strength"] == "hate speech"]
    mlma = [arabic._mlma_labels(r) for r in hostile]
    assert all(labels is not None for labels in mlma)
    assert sum(arabic._mlma_labels(r) is None for r in id2) == len(id2) - len(hostile)
    for row, labels in zip(hostile, mlma, strict=True):
        assert labels["offensive"] == 1
        for key in ("racism", "xenophobia", "homophobia", "sexism"):
            assert labels[key] == row[key]
        if row["offense strength"] == "hate speech" or row["racism"] or row["sexism"]:
            assert labels["identity_abuse"] == 1
        if row["target"] == "individual":
            assert labels["personal_attack"] == 1
        if row["target"] == "group":
            assert labels["personal_attack"] == 0

    for row in vanetik["ID14"]:
        labels = arabic._letmi_labels(row)
        if row["offensive"] == 0:
            assert labels == offensive_labels(0)
        elif row["sexism"] == 1:
            assert labels["sexism"] == 1 and labels["identity_abuse"] == 1
        else:
            assert labels["offensive"] == 1 and labels["sexism"] is None


@requires_data
def test_arabic_load_counts_per_source(loaded):
    by_source = Counter(example.source for example in loaded["ar"])
    id2_hostile = 3353 - 826  # ID2 rows neither offensive nor hate speech carry no label
    assert by_source == {
        "ar/osact2020": 8000,
        "ar/osact2022": 10157,
        "ar/lhsab": 5846,
        "ar/vanetik-taxonomy": id2_hostile + 15050 + 5240,
        "ar/arabic-spam-ham-tweets": 4999,  # the real tweets only
    }
    spam_ham = [e for e in loaded["ar"] if e.source.endswith("spam-ham-tweets")]
    assert Counter(e.labels["promotion"] for e in spam_ham) == {1: 1941, 0: 3058}
    # A news desk's headline breaks no abuse guideline; spam says nothing of abuse.
    for example in spam_ham:
        if example.labels["promotion"] == 0:
            assert example.labels == offensive_labels(0, promotion=0)
        else:
            assert example.labels == offensive_labels(None, promotion=1)


# --- Turkish and Persian -----------------------------------------------------------------


@requires_data
def test_turkish_rows_and_labels(loaded):
    rows = turkish.read_offenseval_tr(DATA_DIR / "tr/offenseval2020")
    assert len(rows) == 31756
    assert count(rows, "subtask_a") == {"NOT": 25625, "OFF": 6131}
    examples = [e for e in loaded["tr"] if e.source == "tr/offenseval2020"]
    for labels in labels_where(examples, rows, lambda r: r["subtask_a"] == "OFF"):
        # Only level A is in the file: profanity and attacks cannot be told apart.
        assert labels["offensive"] == 1 and labels["profanity"] is None
        assert labels["personal_attack"] is None
    for labels in labels_where(examples, rows, lambda r: r["subtask_a"] == "NOT"):
        assert labels == offensive_labels(0) | {"promotion": 0}
    by_source = Counter(example.source for example in loaded["tr"])
    assert by_source["tr/jigsaw-multilingual-validation"] == 3000  # the Turkish rows only
    spam = [e.labels["promotion"] for e in loaded["tr"] if e.source == "tr/turkish-sms-spam"]
    assert Counter(spam) == {1: 2536, 0: 2215}


@requires_data
def test_persian_rows_labels_and_keywords(loaded):
    rows = persian.read_pars_off(DATA_DIR / "fa/pars-off")
    assert len(rows) == 9506 + 1057
    assert count(rows, "label") == {"NOT": 6642 + 739, "OFF": 2864 + 318}
    examples = [e for e in loaded["fa"] if e.source == "fa/pars-off"]
    for labels in labels_where(examples, rows, lambda r: r["label"] == "OFF"):
        assert labels["offensive"] == 1 and labels["profanity"] is None
    for labels in labels_where(examples, rows, lambda r: r["label"] == "NOT"):
        assert labels == offensive_labels(0) | {"promotion": 0}
    assert not any("@URL" in example.text for example in examples)
    instagram = [e for e in loaded["fa"] if e.source == "fa/persian-hs-instagram"]
    assert Counter(e.labels["offensive"] for e in instagram) == {1: 1236, 0: 2211}
    mail = [e for e in loaded["fa"] if e.source == "fa/sharif-spam-corpus"]
    assert Counter(e.labels["promotion"] for e in mail) == {1: 500, 0: 500}
    assert max(len(e.text) for e in mail) <= persian.EMAIL_CHARACTERS
    keywords = persian.read_keywords(DATA_DIR)
    assert len(keywords) == len(set(keywords)) == 1416


# --- peers -------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: peers must run offline."""

    def refuse(*args, **kwargs):
        raise AssertionError("a peer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# Sentences written here: a polite one, an insult, and a neutral news one, per language.
PEER_SENTENCES = {
    "ar": ["شكرا على هذا المقال المفيد", "انت حمار وغبي وحقير", "عقد البرلمان جلسته اليوم"],
    "tr": ["Bu güzel haber için teşekkürler", "Sen tam bir aptalsın", "Meclis bugün toplandı"],
    "fa": ["ممنون از این گزارش خوب", "تو یک احمق بیشعوری", "مجلس امروز تشکیل جلسه داد"],
}


def test_every_peer_scores_its_languages_offline(no_network):
    from agora.guidelines.training.peers_multilingual import PEER_LANGUAGES, PEERS

    pytest.importorskip("arabic_toxic", reason="pip install --no-deps arabic-toxic==0.2.3")
    pytest.importorskip("glin_profanity", reason="pip install glin-profanity==4.1.0")
    assert set(PEERS) == set(PEER_LANGUAGES) == {"arabic-toxic", "glin-profanity"}
    for name, score in PEERS.items():
        for lang in PEER_LANGUAGES[name]:
            scores = score(PEER_SENTENCES[lang], lang)
            assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
        with pytest.raises(ValueError, match="not 'ckb'"):
            score(["any text"], "ckb")


def test_arabic_toxic_batch_keeps_the_packages_own_decision(no_network):
    pytest.importorskip("arabic_toxic", reason="pip install --no-deps arabic-toxic==0.2.3")
    from arabic_toxic import classify

    from agora.guidelines.training.peers_multilingual import PEERS

    texts = PEER_SENTENCES["ar"] + ["يا كلب", "الله يحفظكم", "ما هذا الكلام الفارغ يا غبي"]
    scores = PEERS["arabic-toxic"](texts, "ar")
    assert [s >= 0.5 for s in scores] == [classify(t)["is_toxic"] for t in texts]


def test_glin_profanity_scores_are_its_word_list_decision(no_network):
    pytest.importorskip("glin_profanity", reason="pip install glin-profanity==4.1.0")
    from glin_profanity import Filter

    from agora.guidelines.training.peers_multilingual import PEERS

    word_filter = Filter({"languages": ["turkish"]})
    texts = PEER_SENTENCES["tr"]
    expected = [1.0 if word_filter.is_profane(t) else 0.0 for t in texts]
    assert PEERS["glin-profanity"](texts, "tr") == expected
