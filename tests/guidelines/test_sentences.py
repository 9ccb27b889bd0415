"""A comment of several sentences is read sentence by sentence as well as whole, so polite
sentences around an abusive one cannot dilute it into an approval.

The sentences were written for these tests.
"""

import numpy as np
import pytest

from agora.guidelines.encoder import pooled, span_vectors
from agora.guidelines.engine import Engine
from agora.guidelines.model import SENTENCE_FLOOR, SENTENCE_SCORE
from agora.guidelines.normalize import normalize
from agora.guidelines.sentences import Sentences, sentence_spans
from agora.guidelines.verdict import CommentInput

POLITE_TR = (
    "Belediyenin yeni otobüs hatları için ayırdığı bütçe bence yerinde bir karar. "
    "Şehrin doğusundaki yollar yıllardır bakımsız kaldı. "
    "Toplantı gelecek hafta salı günü yapılacak. "
)
ABUSE_TR = "Siktir git lan."


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def whole_text_probability(model, text, key):
    x = model.featurizer.transform([normalize(text, model.lang).text])
    return float(model.probabilities(x)[0, model.keys.index(key)])


def test_polite_padding_no_longer_hides_an_abusive_sentence(engine):
    model = engine.models["tr"]
    text = POLITE_TR * 4 + ABUSE_TR
    # The whole text alone dilutes the abusive sentence: the case this reading exists for.
    assert whole_text_probability(model, text, "offensive") < SENTENCE_FLOOR
    assert whole_text_probability(model, ABUSE_TR, "offensive") >= SENTENCE_FLOOR
    verdict = engine.judge(CommentInput(text, lang="tr"))
    assert verdict.decision == "review"
    assert verdict.scores["profanity"] == pytest.approx(SENTENCE_SCORE)


def test_a_sentence_alone_never_rejects_under_the_default_thresholds(engine):
    for key in ("profanity", "personal_attack", "threat", "identity_abuse"):
        assert SENTENCE_SCORE < engine.policy.threshold("tr", key).reject


def test_clean_sentences_leave_the_scores_as_the_whole_text_gives_them(engine):
    model = engine.models["tr"]
    text = POLITE_TR * 2
    got = model.predict([normalize(text, "tr").text])[0]
    assert list(got) == pytest.approx(
        [whole_text_probability(model, text, key) for key in model.keys]
    )


PADDING_EN = (
    "I have read this article twice and I think the council has a point about the budget "
    "for the new bus lanes, because the roads in the east have been neglected for years. "
)
CLOSING_EN = "The consultation closes next week and I hope more residents take part."


@pytest.mark.parametrize(
    "abuse", ["Fuck you, Daniel.", "EAT A DICK.", "The mayor is a lying piece of shit."]
)
def test_english_padding_no_longer_hides_an_abusive_sentence(engine, abuse):
    text = PADDING_EN + abuse + " " + CLOSING_EN
    model = engine.models["en"]
    whole = model.probabilities(
        model.featurizer.transform([normalize(text, "en").text]), _vectors(engine, [text])
    )[0]
    # Read whole, the comment is diluted below every review threshold ...
    assert all(
        whole[model.keys.index(key)] < engine.policy.threshold("en", key).review
        for key in ("profanity", "personal_attack")
    )
    # ... read sentence by sentence, it goes to a moderator, never out alone.
    verdict = engine.judge(CommentInput(text, lang="en"))
    assert verdict.decision == "review"
    assert verdict.scores["profanity"] >= SENTENCE_SCORE


def test_a_polite_english_comment_of_several_sentences_is_still_approved(engine):
    verdict = engine.judge(CommentInput(PADDING_EN + CLOSING_EN, lang="en"))
    assert verdict.decision == "approve"


def test_sentence_spans_leave_out_blank_parts_and_keep_offsets():
    text = "  First one. Second!\n\nThird?  "
    assert [text[s:e] for s, e in sentence_spans(text)] == ["First one.", "Second!", "Third?"]
    assert sentence_spans("No full stop here") == [(0, 17)]
    assert sentence_spans("   ") == []


def test_a_reading_gives_the_same_chunk_vectors_as_the_relevance_model(engine):
    texts = [PADDING_EN * 4 + CLOSING_EN, "Short one."]
    parts = [sentence_spans(texts[0]), []]
    readings = engine.encoder.reads(texts, parts)
    for reading, vectors in zip(readings, engine.encoder.text_vectors(texts), strict=True):
        assert np.array_equal(reading.vectors, vectors)
    assert readings[0].parts.shape == (len(parts[0]), engine.encoder.dim)
    assert readings[1].parts.shape == (0, engine.encoder.dim)


def test_a_part_vector_is_the_mean_of_its_word_pieces():
    pieces = np.array([[0, 4], [5, 10], [10, 11], [12, 15]])
    states = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, 5.0]], dtype=np.float32)
    first, second, empty = span_vectors(pieces, states, [(0, 11), (12, 15), (16, 20)])
    assert first == pytest.approx(np.array([4.0, 2.0]) / np.hypot(4.0, 2.0))
    assert second == pytest.approx([0.0, 1.0])
    assert (empty == 0).all()


def test_one_sentence_of_a_comment_reads_differently_from_another(engine):
    text = "Rain again. The bus was late!"
    (reading,) = engine.encoder.reads([text], [sentence_spans(text)])
    first, second = reading.parts
    assert float(first @ second) < 0.99


def _vectors(engine, texts):
    return pooled(engine.encoder.text_vectors(texts), engine.encoder.dim)


SEVERAL = {
    "en": "The bridge reopens on Monday. Fuck you, Daniel!\nYou're all idiots, honestly.",
    "tr": POLITE_TR + ABUSE_TR,
    "ar": "افتتحت البلدية الحديقة الجديدة. شكرا على التقرير؟ الطريق ما زال مغلقا.",
    "fa": "شهرداری پارک تازه را باز کرد. ممنون از گزارش! جاده هنوز بسته است.",
}


@pytest.mark.parametrize("lang", sorted(SEVERAL))
def test_a_sentence_cut_from_its_comments_analysis_has_the_features_of_the_sentence_alone(
    engine, lang
):
    featurizer = engine.models[lang].featurizer
    comment = normalize(SEVERAL[lang], lang)
    analysis = featurizer.analyze(comment.text)
    sentences = Sentences.of([comment])
    assert len(sentences.texts) >= 3
    for text, (start, end) in zip(sentences.texts, sentences.spans, strict=True):
        assert comment.text[start:end] == text
        part = analysis.part(start, end)
        alone = featurizer.row(featurizer.analyze(text))
        got = featurizer.row(part)
        assert np.array_equal(got[0], alone[0])
        assert np.array_equal(got[1], alone[1])
        # Its chunks stay where they are in the comment, for evidence.
        assert [comment.text[s:e] for s, e in part.chunks] == text.split()


def test_a_part_that_cuts_a_word_is_not_cut_from_the_analysis(engine):
    featurizer = engine.models["en"].featurizer
    text = "go to hell"
    analysis = featurizer.analyze(text)
    assert analysis.part(0, 4) is None
    assert analysis.part(4, len(text)) is None
    # A bigram over the cut belongs to neither side; one inside stays whole (two halves).
    left, right = analysis.part(0, 2), analysis.part(3, len(text))
    across, inside = featurizer.word_vocab.get("go to"), featurizer.word_vocab.get("to hell")
    assert across is not None and inside is not None
    assert np.count_nonzero(analysis.features == across) == 2
    assert across not in left.features and across not in right.features
    assert np.count_nonzero(right.features == inside) == 2


def test_a_score_with_sentences_cut_from_the_comment_is_the_score_of_the_sentences_alone(engine):
    model = engine.models["tr"]
    texts = [normalize(POLITE_TR * 2 + ABUSE_TR, "tr"), normalize(POLITE_TR, "tr")]
    sentences = Sentences.of(texts)
    got = model.predict([t.text for t in texts], sentences=sentences)
    # The same scores when no sentence can be cut (other texts given than were split).
    elsewhere = [t.text + " " for t in texts]
    fresh = model.predict(elsewhere, sentences=sentences)
    assert np.allclose(got, fresh, atol=1e-6)
    assert got[0, model.keys.index("offensive")] == pytest.approx(SENTENCE_SCORE)


@pytest.mark.parametrize(
    "abuse, words", [("Fuck you, Daniel.", "Fuck"), ("The mayor is a lying piece of shit.", "shit")]
)
def test_the_moderator_is_told_which_sentence_raised_a_key(engine, abuse, words):
    text = PADDING_EN + abuse + " " + CLOSING_EN
    verdict = engine.judge(CommentInput(text, lang="en"))
    reason = next(r for r in verdict.reasons if r.guideline == "profanity")
    assert f"One sentence, \u201c{abuse}\u201d, reads this way on its own" in reason.message
    start = text.index(abuse)
    assert reason.evidence, "the sentence's own words are the evidence"
    assert all(start <= e.start and e.end <= start + len(abuse) for e in reason.evidence)
    assert any(words in e.text for e in reason.evidence)


def test_a_key_the_whole_comment_already_flags_is_not_said_to_be_raised_by_a_sentence(engine):
    text = "Fuck you, Daniel. Fuck off."
    verdict = engine.judge(CommentInput(text, lang="en"))
    reason = next(r for r in verdict.reasons if r.guideline == "profanity")
    assert reason.score > SENTENCE_SCORE
    assert "One sentence" not in reason.message


def test_the_evaluation_counts_what_the_sentences_did_to_each_decision(engine):
    from agora.guidelines.training.datasets.common import Example, make_labels
    from agora.guidelines.training.evaluate import LanguageRun, _read_whole, sentence_section
    from agora.guidelines.training.train import sentences_of

    rows = [
        Example(
            PADDING_EN + "Fuck you, Daniel. " + CLOSING_EN, "en", "t", make_labels(profanity=1)
        ),
        Example(PADDING_EN + CLOSING_EN, "en", "t", make_labels(profanity=0)),
        Example("Fuck you, Daniel.", "en", "t", make_labels(profanity=1)),
    ]
    model = engine.models["en"]
    texts = [normalize(row.text, "en").text for row in rows]
    embeddings = _vectors(engine, [row.text for row in rows])
    scored = model.score(texts, embeddings, sentences_of(model, rows, engine.encoder))
    scores = {key: np.full(len(rows), np.nan) for key in ("off_topic",)}
    raised, whole = _read_whole(engine, "en", texts, scored, scores)
    # Only the padded abuse was raised by a sentence; read whole, it would be approved.
    assert raised.tolist() == [True, False, False]
    assert whole[0] == "approve"

    decisions = np.array(["review"] * len(rows))
    run = LanguageRun(
        "en",
        rows,
        scores,
        decisions,
        [],
        {},
        {},
        raised,
        np.where(raised, whole, decisions),
        [frozenset()] * len(rows),
        [[]] * len(rows),
    )
    (line,) = [line for line in sentence_section([run]) if line.startswith("| en")]
    # rows, of several sentences, raised, raised clean, ..., raised violating, approved whole
    assert line == "| en | 3 | 2 | 1 | 0 | 0 | 1 | 1 |"
