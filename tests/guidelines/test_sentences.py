"""A comment of several sentences is read sentence by sentence where the model reads n-grams
only, so polite sentences around an abusive one cannot dilute it into an approval.

The sentences were written for these tests.
"""

import pytest

from agora.guidelines.encoder import pooled
from agora.guidelines.engine import Engine
from agora.guidelines.model import SENTENCE_FLOOR, SENTENCE_SCORE
from agora.guidelines.normalize import normalize
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
    review = engine.policy.threshold("tr", "profanity").review
    # The whole text alone is diluted below review: the case this reading exists for.
    assert whole_text_probability(model, text, "offensive") < review
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


def test_a_model_that_reads_the_encoder_scores_the_whole_text_only(engine):
    model = engine.models["en"]
    assert model.encoded
    texts = ["It rained. Fuck you. The bus was late."]
    whole = model.probabilities(model.featurizer.transform(texts), _vectors(engine, texts))
    assert (model.predict(texts, _vectors(engine, texts)) == whole).all()


def _vectors(engine, texts):
    return pooled(engine.encoder.text_vectors(texts), engine.encoder.dim)
