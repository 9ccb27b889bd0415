"""The engine with the committed models: scores, evasions, evidence, languages, decisions.

The comments below are written for these tests; what they check is relative (a threat
scores higher on threat than a neutral sentence) or structural, so they stay true when the
models are retrained.
"""

import dataclasses
import json
import subprocess
import sys

import pytest

from agora.guidelines import (
    GUIDELINES,
    IDENTITY_SUBKEYS,
    ArticleContext,
    CommentInput,
    Engine,
    Policy,
)
from agora.guidelines.calibration import noisy_or
from agora.guidelines.engine import UNKNOWN_RISK
from agora.guidelines.policy import Thresholds

NEUTRAL = "The council will publish the budget figures for the new bridge next week."


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def score(engine, text, key, lang="en"):
    return engine.judge(CommentInput(text=text, lang=lang)).scores[key]


def review_threshold(engine, key):
    return engine.policy.threshold("en", key).review


def test_every_key_is_scored_or_null_in_the_verdict(engine):
    verdict = engine.judge(CommentInput(text=NEUTRAL, lang="en"))
    assert set(verdict.scores) == set(GUIDELINES) | set(IDENTITY_SUBKEYS)
    for key, value in verdict.scores.items():
        assert value is None or 0.0 <= value <= 1.0, key
    assert verdict.scores["off_topic"] is None
    assert any(r.guideline == "off_topic" and r.score is None for r in verdict.reasons)


def test_neutral_comment_is_approved(engine):
    verdict = engine.judge(CommentInput(text=NEUTRAL, lang="en"))
    assert verdict.decision == "approve"
    assert all(r.score is None for r in verdict.reasons)


def test_a_plain_threat_is_never_approved(engine):
    # The threat key ranks it far above a neutral comment, yet below its own review
    # threshold: it reaches review through the other abuse keys. Threats in plain words are
    # the engine's weakest point (docs/guidelines.md, Limits).
    text = "I know where you live and I will come and kill you"
    verdict = engine.judge(CommentInput(text=text, lang="en"))
    assert verdict.scores["threat"] > 5 * score(engine, NEUTRAL, "threat")
    assert verdict.decision in ("review", "reject")


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("profanity", "this is fucking bullshit"),
        ("personal_attack", "you are a pathetic idiot and a liar"),
        ("promotion", "Check out my channel and subscribe!! Win a free prize, text WIN now"),
    ],
)
def test_a_clear_violation_scores_above_a_neutral_comment_and_gets_flagged(engine, key, text):
    verdict = engine.judge(CommentInput(text=text, lang="en"))
    assert verdict.scores[key] > score(engine, NEUTRAL, key)
    assert verdict.scores[key] >= review_threshold(engine, key)
    assert verdict.decision in ("review", "reject")
    assert verdict.reasons[0].score is not None


def test_identity_abuse_outscores_a_neutral_mention_of_the_same_group(engine):
    abusive = "immigrants are filthy animals, send them all back"
    neutral = "immigrants opened two new bakeries on the high street"
    assert score(engine, abusive, "identity_abuse") > score(engine, neutral, "identity_abuse")
    assert score(engine, abusive, "identity_abuse") >= review_threshold(engine, "identity_abuse")


@pytest.mark.parametrize(
    "evasion",
    [
        "FUCK YOU",
        "f u c k you",
        "F.U.C.K you",
        "fuuuuuck you",
        "f\u200buck you",
        "ＦＵＣＫ you",  # fullwidth compatibility forms
        "fυck you",  # Greek upsilon
    ],
)
def test_evasions_are_judged_like_the_plain_word(engine, evasion):
    # The n-grams read the normalised text, so the evasion is the plain word to them; the
    # sentence encoder reads the comment as written, which moves the score a little (0.07 at
    # most here), never below the plain word's decision.
    plain = engine.judge(CommentInput(text="fuck you", lang="en"))
    evaded = engine.judge(CommentInput(text=evasion, lang="en"))
    assert plain.decision == "reject"
    assert evaded.decision == plain.decision
    assert evaded.scores["profanity"] == pytest.approx(plain.scores["profanity"], abs=0.1)


def test_a_digit_for_a_letter_is_still_flagged(engine):
    # Normalisation reads "4" as "a" ("f4ck" -> "fack"), a spelling the model still knows.
    evasion = score(engine, "f4ck you", "profanity")
    assert evasion >= review_threshold(engine, "profanity")
    assert evasion > 10 * score(engine, NEUTRAL, "profanity")


def test_leetspeak_symbols_are_read_as_letters(engine):
    leet = engine.judge(CommentInput(text="you piece of $h1t", lang="en"))
    plain = engine.judge(CommentInput(text="you piece of shit", lang="en"))
    assert leet.decision == plain.decision != "approve"
    assert leet.scores["profanity"] == pytest.approx(plain.scores["profanity"], abs=0.1)


def test_evidence_spans_index_the_original_text(engine):
    text = "Honestly, you are a f.u.c.k.i.n.g IDIOT."
    verdict = engine.judge(CommentInput(text=text, lang="en"))
    flagged = [r for r in verdict.reasons if r.score is not None]
    assert flagged
    spans = [e for r in flagged for e in r.evidence]
    assert spans
    for evidence in spans:
        assert text[evidence.start : evidence.end] == evidence.text
    found = " ".join(e.text for e in spans)
    assert "f.u.c.k.i.n.g" in found or "IDIOT" in found


def test_evidence_leaves_out_the_harmless_words(engine):
    text = "The weather was lovely today, you stupid moron"
    reason = next(
        r
        for r in engine.judge(CommentInput(text=text, lang="en")).reasons
        if r.guideline == "personal_attack"
    )
    words = {e.text.strip(",. ").lower() for e in reason.evidence}
    assert words & {"stupid", "moron"}
    assert not words & {"weather", "lovely", "today"}


@pytest.mark.parametrize("lang", ["ckb", "kmr", "other"])
def test_a_language_without_a_model_is_never_approved(engine, lang):
    verdict = engine.judge(CommentInput(text="ئەمە دەقێکی تاقیکردنەوەیە", lang=lang))
    assert verdict.decision == "review"
    assert verdict.lang == lang
    assert all(value is None for value in verdict.scores.values())
    assert verdict.reasons and all("no model covers" in r.message for r in verdict.reasons)


@pytest.mark.parametrize(
    "lang, text, guideline, quoted",
    [
        ("ckb", "ئەگەر جارێکی تر بنووسیت دەتکوژم", "threat", ["دەتکوژم"]),
        ("kmr", "Heke tu dîsa binivîsî, ez ê te bikujim!", "threat", ["te bikujim"]),
        ("kmr", "Kanala min bişopînin: t.me/kanalamin", "promotion", ["t.me/kanalamin"]),
        ("other", "Visita mi tienda: https://example.shop/oferta", "promotion", None),
    ],
)
def test_cues_order_the_comments_no_model_reads(engine, lang, text, guideline, quoted):
    plain = engine.judge(CommentInput(text="Spas ji bo nûçeyê, pir baş e.", lang=lang))
    assert plain.risk == UNKNOWN_RISK
    assert not any(reason.evidence for reason in plain.reasons)
    verdict = engine.judge(CommentInput(text=text, lang=lang))
    # Still a moderator's: no score, no decision of the engine's own.
    assert verdict.decision == "review"
    assert all(value is None for value in verdict.scores.values())
    assert UNKNOWN_RISK < verdict.risk < 1.0
    first = verdict.reasons[0]
    assert first.guideline == guideline and first.score is None
    assert "no model covers" in first.message and "comes first in the queue" in first.message
    # Evidence is the comment's own words, as written (not their normalised spelling).
    assert all(text[e.start : e.end] == e.text for e in first.evidence)
    if quoted:
        assert set(quoted) <= {e.text for e in first.evidence}
    assert not any(reason.evidence for reason in verdict.reasons[1:])


def test_noisy_or_adds_independent_chances_on_the_score_grid():
    assert noisy_or([]) == 0.0
    assert noisy_or([0.5]) == 0.5
    assert noisy_or([0.5, 0.2]) == 0.6
    assert noisy_or([0.5, 0.2, 0.5]) == 0.8
    assert noisy_or([0.99999, 0.5]) == 1.0  # rounded to the grid, never past 1


def test_a_threat_and_a_link_together_rank_above_either(engine):
    threat = engine.judge(CommentInput("ez ê te bikujim", lang="kmr")).risk
    link = engine.judge(CommentInput("binêre t.me/kanalamin", lang="kmr")).risk
    both = engine.judge(CommentInput("ez ê te bikujim, binêre t.me/kanalamin", lang="kmr")).risk
    assert both > max(threat, link)


def test_only_the_guidelines_the_policy_requires_raise_the_risk(engine):
    required = tuple(key for key in engine.policy.required if key != "promotion")
    policy = dataclasses.replace(engine.policy, required=required)
    without = Engine(engine.models, policy, engine.model_version, encoder=engine.encoder)
    verdict = without.judge(CommentInput("Kanala min bişopînin: t.me/kanalamin", lang="kmr"))
    assert verdict.risk == UNKNOWN_RISK
    assert [reason.guideline for reason in verdict.reasons] == list(required)


def test_language_is_detected_when_not_given(engine):
    verdict = engine.judge(
        CommentInput(
            text="The new bridge will finally connect both halves of the town.",
            article=ArticleContext(title="Bridge", body="...", lang="en"),
        )
    )
    assert verdict.lang == "en"


def test_policy_thresholds_drive_the_decision(engine):
    text = "this is fucking bullshit"
    profanity = engine.judge(CommentInput(text=text, lang="en")).scores["profanity"]
    strict = Policy.from_dict(
        {"thresholds": {"profanity": {"review": 0.0, "reject": profanity}}}, base=engine.policy
    )
    lenient = Policy.from_dict(
        {"thresholds": {k: {"review": 1.0, "reject": 1.0} for k in GUIDELINES if k != "off_topic"}},
        base=engine.policy,
    )
    for policy, expected in ((strict, "reject"), (lenient, "approve")):
        judged = Engine(engine.models, policy, engine.model_version, encoder=engine.encoder).judge(
            CommentInput(text=text, lang="en")
        )
        assert judged.decision == expected


def test_policy_review_threshold_sends_a_clean_comment_to_review(engine):
    neutral_threat = score(engine, NEUTRAL, "threat")
    table = dict(engine.policy.thresholds["en"])
    table["threat"] = Thresholds(review=neutral_threat, reject=1.0)
    policy = Policy(thresholds={**engine.policy.thresholds, "en": table})
    verdict = Engine(engine.models, policy, engine.model_version, encoder=engine.encoder).judge(
        CommentInput(text=NEUTRAL, lang="en")
    )
    assert verdict.decision == "review"
    assert verdict.reasons[0].guideline == "threat"


def test_judge_many_keeps_order_and_matches_judge(engine):
    texts = [NEUTRAL, "you are a pathetic idiot", "subscribe to my channel", "f u c k"]
    comments = [CommentInput(text=t, lang="en", id=str(i)) for i, t in enumerate(texts)]
    batch = engine.judge_many(comments)
    assert [v.id for v in batch] == ["0", "1", "2", "3"]
    for comment, verdict in zip(comments, batch, strict=True):
        assert engine.judge(comment).scores == verdict.scores


def test_risk_is_the_highest_guideline_score(engine):
    verdict = engine.judge(CommentInput(text="you are a pathetic idiot", lang="en"))
    assert verdict.risk == max(
        v for k, v in verdict.scores.items() if k in GUIDELINES and v is not None
    )


def test_to_dict_is_the_public_json_shape(engine):
    verdict = engine.judge(CommentInput(text="you are a stupid idiot", lang="en", id="c7"))
    data = json.loads(json.dumps(verdict.to_dict()))
    assert set(data) == {"id", "lang", "scores", "decision", "reasons", "model_version"}
    assert data["id"] == "c7" and data["decision"] in ("approve", "review", "reject")
    reason = data["reasons"][0]
    assert set(reason) == {"guideline", "score", "evidence", "message"}
    assert all(set(e) == {"start", "end", "text"} for e in reason["evidence"])


def test_empty_text_does_not_crash(engine):
    assert engine.judge(CommentInput(text="", lang="en")).decision in ("approve", "review")


def test_the_engine_never_imports_django():
    code = (
        "import sys, agora.guidelines, agora.guidelines.cli, agora.guidelines.training.evaluate;"
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_relevance_model_fills_off_topic(engine):
    from agora.guidelines.relevance import Relevance

    with_relevance = Engine(
        engine.models, engine.policy, engine.model_version, relevance=Relevance.load()
    )
    article = ArticleContext(
        title="Council votes to rebuild the river dam",
        standfirst="The vote ends two years of argument over the ageing dam.",
        body="The council voted on Tuesday to rebuild the dam. Engineers called it unsafe.",
        lang="en",
    )
    on_topic, off_topic, no_article = with_relevance.judge_many(
        [
            CommentInput(
                text="Rebuilding the dam is long overdue, it was unsafe.", article=article
            ),
            CommentInput(text="My favourite pizza topping is pineapple.", article=article),
            CommentInput(text="My favourite pizza topping is pineapple.", lang="en"),
        ]
    )
    assert on_topic.scores["off_topic"] < off_topic.scores["off_topic"]
    assert off_topic.decision == "review"
    assert any(r.guideline == "off_topic" and r.score for r in off_topic.reasons)
    assert no_article.scores["off_topic"] is None


class CountingEncoder:
    """The relevance model, counting the texts its transformer embeds."""

    def __init__(self, relevance):
        self.relevance = relevance
        self.embedded: list[str] = []

    def __getattr__(self, name):
        return getattr(self.relevance, name)

    def embed(self, texts):
        self.embedded += list(texts)
        return self.relevance.embed(texts)

    def reads(self, texts, parts=None):
        self.embedded += list(texts)
        return self.relevance.reads(texts, parts)

    def text_vectors(self, texts, embed=None):
        return self.chunk_vectors([self.relevance.chunks(t) for t in texts], embed or self.embed)

    def chunk_vectors(self, per_text, embed):
        return self.relevance.chunk_vectors(per_text, embed)


def test_the_encoder_reads_a_comment_once_for_guidelines_and_relevance(engine):
    from agora.guidelines.relevance import Relevance

    relevance = Relevance.load()
    counting = CountingEncoder(relevance)
    article = ArticleContext(
        title="Council votes to rebuild the river dam",
        standfirst="The vote ends two years of argument over the ageing dam.",
        body="The council voted on Tuesday to rebuild the dam. Engineers called it unsafe.",
        lang="en",
    )
    vectors = relevance.article_vectors(article.title, article.standfirst, article.body)
    article = ArticleContext(**{**article.__dict__, "vectors": vectors})
    text = "The council voted to rebuild the dam. Good."
    judged = Engine(engine.models, engine.policy, engine.model_version, relevance=counting)
    verdict = judged.judge(CommentInput(text=text, article=article))
    assert counting.embedded == [text]
    (alone,) = relevance.off_topic_many([text], ["en"], [vectors], screened=False)
    assert verdict.scores["off_topic"] == pytest.approx(alone.score, abs=1e-4)
    # The guideline scores are those of the engine without relevance.
    assert (
        verdict.scores["threat"]
        == engine.judge(CommentInput(text=text, lang="en")).scores["threat"]
    )


def test_models_that_read_the_encoder_cannot_run_without_it(engine):
    assert engine.models["en"].encoded
    with pytest.raises(ValueError, match="encoder"):
        Engine(engine.models, engine.policy, engine.model_version)


def test_an_offensive_model_stands_in_where_the_data_cannot_separate_keys(engine):
    model = engine.models["tr"]
    assert set(model.stand_ins) == {"profanity", "personal_attack", "threat", "identity_abuse"}
    verdict = engine.judge(CommentInput(text="Bugün hava çok güzel, köprü de bitmiş.", lang="tr"))
    stood_in = [verdict.scores[key] for key in model.stand_ins]
    assert stood_in[0] is not None and stood_in == [stood_in[0]] * len(stood_in)
    # Turkish spam data gives promotion a model of its own.
    assert verdict.scores["promotion"] is not None
    assert verdict.decision == "approve"
