"""The functional test suite: its cases file, the pass rule, and what the engine must get.

The cases (tests/guidelines/functional_cases.jsonl) are written for Agora; how a case
passes is defined in agora/guidelines/functional.py.
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import replace

import pytest

from agora.guidelines import GUIDELINES, Policy, Verdict
from agora.guidelines.engine import Engine
from agora.guidelines.policy import Thresholds
from agora.guidelines.training.functional import (
    CASE_LANGUAGES,
    Case,
    Tally,
    by_category,
    by_key,
    by_language,
    judge_cases,
    load_cases,
    load_engine,
    markdown,
    parse_case,
    passes,
)

# Categories the committed engine must pass, with the least pass rate it must keep: each a
# little below the rate measured on the committed models, listed only where that rate was
# at least 0.5. After retraining, print the measured rates with
#
#     .venv/bin/python -m agora.guidelines.training.functional --rates
#
# and set each entry about 0.1 below its new rate; add categories that now reach 0.5. The
# rate is the lowest measured on the CPUs the suite runs on: the int8 encoder's arithmetic
# differs a little with and without AVX-512 VNNI, so a case within a thousandth of its
# threshold can pass on one and fail on the other (docs/benchmarks.md).
MUST_PASS = {
    ("profanity", "direct"): 0.90,  # measured 14/14
    ("profanity", "spelling_evasion"): 0.90,  # measured 7/7
    ("profanity", "shouted_capitals"): 0.90,  # measured 5/5
    ("profanity", "negation"): 0.65,  # measured 3/4
    ("profanity", "reporting"): 0.90,  # measured 1/1
    ("profanity", "innocent_use"): 0.45,  # measured 5/9
    ("profanity", "neutral_control"): 0.61,  # measured 5/7
    ("threat", "direct"): 0.90,  # measured 9/9
    ("threat", "spelling_evasion"): 0.90,  # measured 4/4
    ("threat", "call_to_violence"): 0.90,  # measured 3/3
    ("threat", "implicit"): 0.49,  # measured 10/17
    ("threat", "shouted_capitals"): 0.90,  # measured 3/3
    ("threat", "negation"): 0.40,  # measured 2/4
    ("threat", "reporting"): 0.40,  # measured 3/6
    ("personal_attack", "direct"): 0.75,  # measured 11/13
    ("personal_attack", "polite_insult"): 0.76,  # measured 6/7
    ("personal_attack", "spelling_evasion"): 0.65,  # measured 3/4
    ("personal_attack", "shouted_capitals"): 0.90,  # measured 3/3
    ("personal_attack", "disagreement"): 0.57,  # measured 6/9
    ("personal_attack", "praise"): 0.90,  # measured 3/3
    ("personal_attack", "reaction_emoji"): 0.90,  # measured 4/4
    ("identity_abuse", "direct"): 0.90,  # measured 12/12
    ("identity_abuse", "implicit"): 0.70,  # measured 4/5
    ("identity_abuse", "dehumanisation"): 0.90,  # measured 5/5
    ("identity_abuse", "slur"): 0.90,  # measured 4/4
    ("identity_abuse", "spelling_evasion"): 0.90,  # measured 2/2
    ("identity_abuse", "shouted_capitals"): 0.90,  # measured 2/2
    ("identity_abuse", "reporting"): 0.90,  # measured 3/3
    ("promotion", "link_spam"): 0.73,  # measured 5/6
    ("promotion", "dm_solicitation"): 0.61,  # measured 5/7
    ("promotion", "discount_code"): 0.90,  # measured 4/4
    ("promotion", "crypto_scam"): 0.40,  # measured 2/4
    ("promotion", "channel_promotion"): 0.57,  # measured 4/6
    ("promotion", "spelling_evasion"): 0.90,  # measured 2/2
    ("promotion", "shouted_capitals"): 0.90,  # measured 2/2
    ("promotion", "negation"): 0.40,  # measured 1/2
    ("promotion", "counter_speech"): 0.40,  # measured 1/2
    ("promotion", "reporting"): 0.40,  # measured 1/2
    ("promotion", "source_link"): 0.76,  # measured 6/7
    ("promotion", "product_in_context"): 0.73,  # measured 5/6
    ("off_topic", "unrelated_topic"): 0.75,  # measured 17/20
    ("off_topic", "on_topic_critical"): 0.65,  # measured 3/4
    ("off_topic", "generic_reaction"): 0.79,  # measured 5/5 with VNNI, 4/5 without
}

#: What the suite must test for each key, whatever the engine does with it.
REQUIRED_CATEGORIES = {
    "profanity": {"direct", "spelling_evasion", "shouted_capitals", "innocent_use", "negation"},
    "threat": {
        "direct",
        "implicit",
        "spelling_evasion",
        "negation",
        "counter_speech",
        "reporting",
        "figurative_violence",
    },
    "personal_attack": {"direct", "polite_insult", "spelling_evasion", "negation", "reporting"},
    "identity_abuse": {
        "direct",
        "implicit",
        "dehumanisation",
        "slur",
        "spelling_evasion",
        "negation",
        "counter_speech",
        "reporting",
        "reclaimed_use",
        "neutral_mention",
        "positive_mention",
    },
    "promotion": {
        "link_spam",
        "dm_solicitation",
        "discount_code",
        "crypto_scam",
        "channel_promotion",
        "source_link",
        "product_in_context",
    },
    "off_topic": {"unrelated_topic", "on_topic", "generic_reaction"},
}
MIN_CASES_PER_KEY = 40


@pytest.fixture(scope="module")
def cases():
    return load_cases()


# --- the cases file ------------------------------------------------------------------------


def test_every_key_has_enough_cases_of_both_labels(cases):
    per_key = Counter(case.key for case in cases)
    for key in GUIDELINES:
        assert per_key[key] >= MIN_CASES_PER_KEY, key
        assert {case.gold for case in cases if case.key == key} == {"violates", "clean"}, key


def test_each_key_covers_its_required_categories(cases):
    for key, required in REQUIRED_CATEGORIES.items():
        present = {case.category for case in cases if case.key == key}
        assert required <= present, f"{key} lacks {sorted(required - present)}"


def test_a_category_has_one_gold_label(cases):
    golds = defaultdict(set)
    for case in cases:
        golds[case.key, case.category].add(case.gold)
    mixed = {group: labels for group, labels in golds.items() if len(labels) > 1}
    assert not mixed


def test_no_text_is_written_twice(cases):
    def folded(text):
        return re.sub(r"\s+", " ", text.casefold()).strip()

    counts = Counter(folded(case.text) for case in cases)
    assert [text for text, n in counts.items() if n > 1] == []


def test_arabic_turkish_and_persian_cases_span_several_keys(cases):
    for lang in CASE_LANGUAGES:
        keys = {case.key for case in cases if case.lang == lang}
        assert len([case for case in cases if case.lang == lang]) >= 10, lang
        assert {"threat", "personal_attack", "identity_abuse", "promotion"} <= keys, lang


def test_off_topic_cases_carry_their_article(cases):
    for case in cases:
        if case.key == "off_topic":
            assert case.article.title and case.article.body, case.text


def test_must_pass_names_categories_that_exist(cases):
    present = {(case.key, case.category) for case in cases}
    assert set(MUST_PASS) <= present, sorted(set(MUST_PASS) - present)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": "spam"}, '"key" must be one of'),
        ({"category": "Direct Form"}, "snake_case"),
        ({"lang": "de"}, '"lang" must be one of'),
        ({"text": "  "}, '"text" must be a non-empty string'),
        ({"gold": "toxic"}, '"gold" must be one of'),
        ({"key": "off_topic"}, 'needs the "article"'),
        ({"article": {"title": "t"}}, '"article" must be an object with'),
        ({"label": 1}, "unknown fields"),
    ],
)
def test_a_malformed_case_is_refused_with_the_reason(change, message):
    line = {"key": "threat", "category": "direct", "lang": "en", "text": "x", "gold": "clean"}
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_case(line | change)


def test_a_bad_line_is_named_by_its_number(tmp_path):
    path = tmp_path / "cases.jsonl"
    good = {"key": "threat", "category": "direct", "lang": "en", "text": "x", "gold": "clean"}
    path.write_text(json.dumps(good) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        load_cases(path)


# --- the pass rule -------------------------------------------------------------------------

REVIEW, REJECT = 0.5, 0.9
POLICY = Policy(
    thresholds={
        "*": {key: Thresholds(REVIEW, None if key == "off_topic" else REJECT) for key in GUIDELINES}
    }
)
LOW = 0.1


class ScriptedEngine:
    """Scores each text as scripted and decides under :data:`POLICY`, as the engine does,
    unless the script gives the decision."""

    policy = POLICY

    def __init__(self, scores_by_text):
        self.scores_by_text = scores_by_text

    def judge_many(self, comments):
        verdicts = []
        for comment in comments:
            script = dict(self.scores_by_text[comment.text])
            decision = script.pop("decision", None)
            scores = dict.fromkeys(GUIDELINES, LOW) | script
            decision = decision or self.policy.decide(comment.lang, scores)
            verdicts.append(Verdict(None, comment.lang, scores, decision, [], 0.0, "test"))
        return verdicts


def case(key, gold, text, category="c", lang="en"):
    return Case(key=key, category=category, lang=lang, text=text, gold=gold)


# Each scripted case: the case, the scores the engine gives it, and the expected outcome
# (passed, rejected) derived from POLICY's thresholds.
SCRIPT = [
    (case("threat", "violates", "v at review"), {"threat": REVIEW}, (True, False)),
    (case("threat", "violates", "v at reject"), {"threat": REJECT}, (True, True)),
    (case("threat", "violates", "v just under"), {"threat": REVIEW - 0.01}, (False, False)),
    # Rejected, but for another key: the engine did not see the threat.
    (case("threat", "violates", "v other key"), {"profanity": REJECT}, (False, True)),
    (case("threat", "violates", "v unscored"), {"threat": None}, (False, False)),
    # Flagged but approved all the same: the comment would be published.
    (
        case("threat", "violates", "v approved"),
        {"threat": REVIEW, "decision": "approve"},
        (False, False),
    ),
    (case("threat", "clean", "c approved", "d"), {}, (True, False)),
    (case("threat", "clean", "c reviewed", "d"), {"personal_attack": REVIEW}, (False, False)),
    (case("threat", "clean", "c rejected", "d"), {"threat": REJECT}, (False, True)),
    # off_topic unscored would still be approved (it is not required): it counts as failed.
    (case("off_topic", "clean", "o unscored"), {"off_topic": None}, (False, False)),
    (case("off_topic", "clean", "o scored"), {"off_topic": LOW}, (True, False)),
    (case("off_topic", "violates", "o flagged"), {"off_topic": REVIEW}, (True, False)),
]


def scripted_outcomes():
    engine = ScriptedEngine({c.text: scores for c, scores, _ in SCRIPT})
    return judge_cases(engine, [c for c, _, _ in SCRIPT])


def test_each_case_passes_or_fails_by_the_rule():
    for outcome, (_, _, (passed, rejected)) in zip(scripted_outcomes(), SCRIPT, strict=True):
        assert (outcome.passed, outcome.rejected) == (passed, rejected), outcome.case.text


def test_passes_reads_the_threshold_of_the_verdict_language():
    policy = Policy(
        thresholds={
            "*": {key: Thresholds(REVIEW, REJECT) for key in GUIDELINES},
            "tr": {"threat": Thresholds(0.2, REJECT)},
        }
    )
    threat = case("threat", "violates", "t", lang="tr")
    scores = dict.fromkeys(GUIDELINES, LOW) | {"threat": 0.3}
    for lang, expected in (("tr", True), ("en", False)):
        verdict = Verdict(None, lang, scores, policy.decide(lang, scores), [], 0.0, "test")
        assert passes(threat, verdict, policy) is expected


def test_tallies_count_the_outcomes_of_each_group():
    outcomes = scripted_outcomes()
    expected = defaultdict(lambda: [0, 0, 0, 0])  # cases, passed, clean, clean not rejected
    for c, _, (passed, rejected) in SCRIPT:
        for group in ((c.key, c.category), c.key, "all"):
            counts = expected[group]
            counts[0] += 1
            counts[1] += passed
            counts[2] += c.gold == "clean"
            counts[3] += c.gold == "clean" and not rejected
    for group, tally in by_category(outcomes).items():
        assert tally == Tally(*expected[group]), group
    for key, tally in by_key(outcomes).items():
        assert tally == Tally(*expected[key]), key
    assert Tally.of(outcomes) == Tally(*expected["all"])
    assert by_language(outcomes) == {"en": Tally(*expected["all"])}
    assert list(by_key(outcomes)) == ["threat", "off_topic"]  # guideline order


def test_markdown_lists_every_group_with_its_counts():
    outcomes = scripted_outcomes()
    text = "\n".join(markdown(outcomes))
    for (key, category), tally in by_category(outcomes).items():
        assert f"| {key} | {category} |" in text
        assert f"{tally.passed}/{tally.cases}" in text
    total = Tally.of(outcomes)
    assert f"| all keys | {total.cases} | {total.passed}/{total.cases}" in text


# --- the committed engine ------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(cases):
    return by_category(judge_cases(load_engine(), cases))


@pytest.mark.parametrize(("group", "minimum"), sorted(MUST_PASS.items()))
def test_the_committed_engine_passes_the_categories_it_must(committed, group, minimum):
    tally = committed[group]
    assert tally.rate >= minimum, f"{group}: {tally.passed}/{tally.cases} below {minimum}"


def test_without_a_relevance_model_off_topic_cases_fail(cases):
    off_topic = [c for c in cases if c.key == "off_topic"]
    outcomes = judge_cases(Engine.load(), off_topic)
    assert outcomes and not any(outcome.passed for outcome in outcomes)
    assert all(outcome.score is None for outcome in outcomes)


def test_turkish_cases_typed_without_their_letters_marks_score_the_same(cases):
    # Readers without a Turkish keyboard write "oldurecegim" for "öldüreceğim".
    unmarked = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")
    turkish = [c for c in cases if c.lang == "tr"]
    plain = [replace(c, text=c.text.translate(unmarked)) for c in turkish]
    assert sum(p.text != c.text for p, c in zip(plain, turkish, strict=True)) >= 15
    engine = Engine.load()
    for case, marked, typed in zip(
        turkish,
        engine.judge_many([c.comment() for c in turkish]),
        engine.judge_many([c.comment() for c in plain]),
        strict=True,
    ):
        assert typed.scores == marked.scores, case.text
        assert typed.decision == marked.decision, case.text
