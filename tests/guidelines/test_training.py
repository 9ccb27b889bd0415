"""Training pieces: labels, splits, thresholds, a tiny end-to-end fit, and the artifacts.

The fit runs on synthetic rows built from made-up tokens ("tok17", "zq"): they stand for
no real text and only check that the machinery learns, calibrates, saves and reloads.
"""

import os
import random
from pathlib import Path

import numpy as np
import pytest

from agora.guidelines.features import (
    CHAR_PARAMS,
    WORD_PARAMS,
    Featurizer,
    Vocabulary,
    all_char_grams,
    word_grams,
)
from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest, sha256_file
from agora.guidelines.model import LanguageModel
from agora.guidelines.normalize import HANDLE, normalize
from agora.guidelines.training.datasets import english
from agora.guidelines.training.datasets.common import (
    Example,
    clean_labels,
    dedup_key,
    make_labels,
    split,
    validation_halves,
)
from agora.guidelines.training.featurizing import fit_featurizer
from agora.guidelines.training.resplits import resplit_halves, resplit_section, resplit_triages
from agora.guidelines.training.thresholds import (
    CLEAN_REJECTED_BUDGET,
    MIN_REJECT,
    REASON_RECALL,
    VIOLATING_APPROVED_BUDGET,
    choose_thresholds,
)
from agora.guidelines.training.train import (
    default_thresholds,
    policy_triage,
    predicted,
    train_language,
)
from agora.guidelines.training.triage import Triage, is_clean, triage
from agora.guidelines.verdict import IDENTITY_SUBKEYS, SCORE_KEYS

# --- labels -------------------------------------------------------------------------------


def test_make_labels_leaves_unlabelled_keys_none():
    labels = make_labels(promotion=1)
    assert set(labels) == set(SCORE_KEYS)
    assert labels["promotion"] == 1
    assert labels["threat"] is None and labels["off_topic"] is None


def test_identity_subkey_implies_identity_abuse_and_its_absence_clears_subkeys():
    assert make_labels(racism=1)["identity_abuse"] == 1
    assert all(make_labels(identity_abuse=0)[sub] == 0 for sub in IDENTITY_SUBKEYS)
    with pytest.raises(ValueError):
        make_labels(spam=1)


def test_clean_labels_are_negative_for_every_abuse_key_only():
    labels = clean_labels()
    assert labels["profanity"] == labels["threat"] == labels["sexism"] == 0
    assert labels["promotion"] is None and labels["off_topic"] is None


def test_olid_levels_separate_profanity_from_personal_attacks():
    assert english._olid_labels("NOT", "NULL", "NULL") == clean_labels()
    untargeted = english._olid_labels("OFF", "UNT", "NULL")
    assert untargeted["profanity"] == 1 and untargeted["personal_attack"] == 0
    at_person = english._olid_labels("OFF", "TIN", "IND")
    assert at_person["personal_attack"] == 1 and at_person["profanity"] is None
    at_group = english._olid_labels("OFF", "TIN", "GRP")
    assert at_group["personal_attack"] == 0 and at_group["identity_abuse"] is None


def test_mlma_targets_feed_identity_subkeys():
    sexist = english._mlma_labels("hateful", "gender", "women")
    assert sexist["sexism"] == 1 and sexist["racism"] == 0 and sexist["identity_abuse"] == 1
    migrants = english._mlma_labels("offensive", "origin", "refugees")
    assert migrants["xenophobia"] == 1 and migrants["racism"] == 0
    unclear_origin = english._mlma_labels("offensive", "origin", "other")
    assert unclear_origin["racism"] is None and unclear_origin["identity_abuse"] == 1
    assert english._mlma_labels("offensive_normal", "gender", "women")["sexism"] is None


def test_a_jigsaw_row_toxic_in_no_named_kind_is_not_clean():
    flags = dict.fromkeys(("toxic", "severe_toxic", "obscene", "threat", "insult"), "0")
    row = flags | {"identity_hate": "0"}
    assert english._jigsaw_labels(row) == clean_labels(promotion=0)
    rude = english._jigsaw_labels(row | {"toxic": "1"})
    assert rude == make_labels() and not is_clean(Example("x", "en", "s", rude))
    assert english._jigsaw_labels(row | {"severe_toxic": "1"}) == rude
    insult = english._jigsaw_labels(row | {"toxic": "1", "insult": "1"})
    assert insult["personal_attack"] == 1 and insult["profanity"] == insult["threat"] == 0


def test_kaggle_escapes_are_decoded():
    assert english._unescape('"one\\xa0two\\nthree"') == "one\xa0two\nthree"
    assert english._unescape('"caf\\\\xc3\\\\xa9"') == "café"


def test_rows_are_read_as_a_reader_would_have_typed_them():
    # Davidson's tweets store emoji and punctuation as HTML entities, YouTube's comments
    # their line breaks as tags; the models must learn from the characters themselves.
    tweet = "RT @x: so true &amp; sad &#128514;&#128514; &#8220;quote&#8221;"
    assert english.as_typed(tweet) == "RT @x: so true & sad 😂😂 “quote”"
    assert english.as_typed('Awesome<br />Check <a href="x">my channel</a>') == (
        "Awesome\nCheck my channel"
    )
    # Angle-bracketed words that are not HTML tags are what the writer wrote.
    assert english.as_typed("a <number> of them, <gasp>") == "a <number> of them, <gasp>"


def test_mlma_escapes_are_decoded():
    stored = "Asylum isn\\u2019t \\retarded\\ \\ud83d\\ude02\\nNext line"
    assert english._mlma_text(stored) == 'Asylum isn’t "retarded" 😂\nNext line'


def test_reddit_markdown_escapes_are_dropped():
    assert english._MARKDOWN_ESCAPE.sub(r"\1", "a \\_b\\_ \\* c\\\\d") == "a _b_ * c\\d"


# --- splits -------------------------------------------------------------------------------


def _row(text, source="s", group="", **labels):
    return Example(text=text, lang="xx", source=source, labels=make_labels(**labels), group=group)


def test_split_deduplicates_before_splitting_and_is_stable():
    rows = [_row(f"text {i}") for i in range(500)] + [_row("TEXT  7 ")]
    train, validation = split(rows, seed=3)
    assert len(train) + len(validation) == 500  # the whitespace/case duplicate is gone
    assert 60 < len(validation) < 140
    reversed_validation = split(list(reversed(rows)), seed=3)[1]
    assert {dedup_key(r.text) for r in reversed_validation} == {
        dedup_key(r.text) for r in validation
    }


def test_same_text_from_two_sources_never_straddles_the_split():
    rows = [_row(f"shared {i}", source="a") for i in range(300)]
    rows += [_row(f"Shared {i}", source="b") for i in range(300)]
    train, validation = split(rows, seed=5)
    assert {dedup_key(r.text) for r in train}.isdisjoint({dedup_key(r.text) for r in validation})
    assert len(train) + len(validation) == 600  # kept: each source labels its own keys


def test_groups_stay_on_one_side():
    rows = [_row(f"post {i}", group=f"thread {i % 20}") for i in range(400)]
    train, validation = split(rows, seed=1)
    assert {r.group for r in train}.isdisjoint({r.group for r in validation})


def test_validation_halves_partition_the_validation_rows():
    _, validation = split([_row(f"row {i}") for i in range(1000)], seed=2)
    calibration, evaluation = validation_halves(validation, seed=2)
    assert sorted(r.text for r in calibration + evaluation) == sorted(r.text for r in validation)
    assert abs(len(calibration) - len(evaluation)) < 0.3 * len(validation)


# --- thresholds ---------------------------------------------------------------------------


def _two_key_rows(rng, n_clean=4000, n_each=400):
    """Rows labelled for two keys, with made-up scores that rank them imperfectly."""
    rows, scores = [], {"threat": [], "promotion": []}
    for i in range(n_clean):
        rows.append(_row(f"clean {i}", threat=0, promotion=0))
        scores["threat"].append(rng.beta(1, 8))
        scores["promotion"].append(rng.beta(1, 9))
    for key, other in (("threat", "promotion"), ("promotion", "threat")):
        for i in range(n_each):
            rows.append(_row(f"{key} {i}", **{key: 1, other: 0}))
            scores[key].append(rng.beta(5, 2))
            scores[other].append(rng.beta(1, 8))
    return rows, {key: np.array(values) for key, values in scores.items()}


def test_thresholds_meet_the_triage_budgets_on_the_rows_they_were_chosen_on():
    rows, scores = _two_key_rows(np.random.default_rng(0))
    limits = choose_thresholds(scores, rows)
    assert set(limits) == {"threat", "promotion"}
    rejected = np.zeros(len(rows), bool)
    flagged = np.zeros(len(rows), bool)
    for key, t in limits.items():
        assert MIN_REJECT <= t.reject <= 1 and t.review <= t.reject
        rejected |= scores[key] >= t.reject
        flagged |= scores[key] >= t.review
    decisions = np.where(rejected, "reject", np.where(flagged, "review", "approve"))
    clean = np.array([not any(row.labels.values()) for row in rows])
    result = triage(decisions, clean, ~clean)
    assert result.violating_approved <= VIOLATING_APPROVED_BUDGET
    assert result.clean_rejected <= CLEAN_REJECTED_BUDGET
    # The review thresholds are no lower than the budget needs: most clean rows pass.
    assert result.clean_approved > 0.5


def test_rejecting_a_clean_row_for_a_key_it_was_never_labelled_for_costs_nothing():
    # Half the clean rows come from a set that labels promotion only, and a fifth of those
    # score high on threat (they might well be threats). Labelled threat 0, they hold the
    # threat reject threshold above them; unlabelled for threat, they do not count against
    # the clean budget, and the threshold may come down to the violations' own scores.
    rng = np.random.default_rng(5)
    rows, scores = _two_key_rows(rng)
    clean = [i for i, row in enumerate(rows) if not any(row.labels.values())]
    partial = np.array(clean[::2])
    loud = partial[: len(partial) // 5]
    scores["threat"][loud] = rng.uniform(0.55, 0.75, len(loud))
    labelled = choose_thresholds(scores, rows)["threat"].reject
    assert (scores["threat"][loud] >= labelled).sum() <= CLEAN_REJECTED_BUDGET * len(clean)
    for i in partial:
        rows[i] = _row(rows[i].text, promotion=0)
    unlabelled = choose_thresholds(scores, rows)["threat"].reject
    assert unlabelled < labelled
    assert (scores["threat"][loud] >= unlabelled).mean() > 0.5


def test_a_key_whose_violations_another_key_catches_still_flags_its_own():
    # Every threat also scores high on promotion here, so promotion alone would keep threats
    # from being approved; the threat key must still flag most of its own violations.
    rng = np.random.default_rng(3)
    rows, scores = _two_key_rows(rng)
    threats = np.array([row.labels.get("threat") == 1 for row in rows])
    scores["promotion"][threats] = rng.beta(8, 1, threats.sum())
    scores["threat"][threats] = rng.beta(2, 5, threats.sum())  # the threat key ranks badly
    limits = choose_thresholds(scores, rows)
    assert (scores["threat"][threats] >= limits["threat"].review).mean() >= REASON_RECALL


def test_a_keys_own_budget_is_not_bought_at_any_price():
    # Two of a hundred threats score like the quietest clean rows. The total budget lets them
    # through; the threat key's own budget (one in a hundred) would have its threshold come
    # down below nearly every clean row to stop one of them, and gives that up instead.
    rng = np.random.default_rng(7)
    rows, scores = _two_key_rows(rng, n_each=100)
    threats = np.flatnonzero([row.labels.get("threat") == 1 for row in rows])
    scores["threat"][threats[:2]] = 0.001
    limits = choose_thresholds(scores, rows)
    clean = np.array([not any(row.labels.values()) for row in rows])
    flagged = np.zeros(len(rows), bool)
    for key, t in limits.items():
        flagged |= scores[key] >= t.review
    assert (~flagged[clean]).mean() > 0.5
    assert limits["threat"].review > 0.001
    # The other threats are still flagged as the budget asks.
    assert (scores["threat"][threats[2:]] >= limits["threat"].review).mean() > 0.95


# --- features -----------------------------------------------------------------------------

SAMPLE = ["a bb ccc dddd eeeee, it's 42 f.u naïve  x", "ok", "", "ccc dddd again, and again"]


def test_analyzers_match_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False)
    word = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=r"\b\w+\b", lowercase=False
    )
    for text in SAMPLE:
        assert all_char_grams(text) == char.build_analyzer()(text)
        assert word_grams(text) == word.build_analyzer()(text)


def test_transform_matches_scikit_learns_tfidf():
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = SAMPLE * 3
    featurizer, rows = fit_featurizer(texts)
    word = TfidfVectorizer(analyzer=word_grams, **WORD_PARAMS).fit(texts)
    char = TfidfVectorizer(analyzer=all_char_grams, **CHAR_PARAMS).fit(texts)
    expected = sparse.hstack([word.transform(texts), char.transform(texts)]).toarray()
    np.testing.assert_allclose(rows.toarray(), expected, atol=1e-6)


def test_vocabulary_maps_each_term_to_its_feature_index():
    # Not in sorted order, with an offset and non-ASCII terms: the trie numbers terms its own
    # way, and the vocabulary must still give back the trained feature indices.
    terms = ["zeta", "alpha", "naïve", " an", "کورد", "al"]
    vocabulary = Vocabulary.from_terms(terms, first=100)
    assert len(vocabulary) == 6
    assert [vocabulary.get(term) for term in terms] == list(range(100, 106))
    assert vocabulary.get("alp") is None and vocabulary.get("") is None
    assert vocabulary.indices(["al", "unknown", "zeta", "al"]) == [105, 100, 105]
    assert vocabulary.terms() == terms
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary.from_terms(["a", "b", "a"])


def test_vocabulary_round_trips_through_arrays():
    terms = ["kill you", "you", "idiot", "ای", "é"]
    stored = Vocabulary.from_terms(terms, first=7).to_arrays()
    loaded = Vocabulary.from_arrays(*stored, first=7)
    assert loaded.terms() == terms
    assert [loaded.get(term) for term in terms] == list(range(7, 12))
    with pytest.raises(ValueError, match="one position per term"):
        Vocabulary.from_arrays(stored[0], stored[1][:-1])


def test_n_gram_scale_weighs_an_n_gram_by_how_far_it_sets_the_classes_apart():
    from scipy import sparse

    from agora.guidelines.training.train import SCALE_PSEUDO_COUNT, n_gram_scale

    # Columns: in every violating row only; in every row alike; in one clean row only.
    # TF-IDF values, not counts: the scale counts rows that have the n-gram at all.
    x = sparse.csr_matrix([[0.9, 0.1, 0.0], [0.3, 0.2, 0.0], [0.0, 0.5, 0.7], [0.0, 0.4, 0.0]])
    y = np.array([1, 1, 0, 0])
    violating = np.array([2, 2, 0]) + SCALE_PSEUDO_COUNT
    clean = np.array([0, 2, 1]) + SCALE_PSEUDO_COUNT
    expected = np.sqrt(np.abs(np.log((violating / violating.sum()) / (clean / clean.sum()))))
    scale = n_gram_scale(x, y)
    np.testing.assert_allclose(scale, expected)
    assert scale[0] > scale[2] > scale[1]
    assert x.toarray()[0, 0] == 0.9  # the rows themselves are left as they were


def test_a_scaled_fit_scores_unscaled_rows_as_the_fitted_regression_does():
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from agora.guidelines.training.train import C, _fit_key

    rng = np.random.default_rng(3)
    x = sparse.csr_matrix(rng.random((60, 4)) * (rng.random((60, 4)) < 0.5))
    y = (x.toarray()[:, 0] + 0.3 * rng.random(60) > 0.4).astype(int)
    scale = np.array([2.0, 0.5, 0.0, 1.0])
    coef, intercept = _fit_key(x, y, np.ones(60), scale, seed=0)
    fitted = LogisticRegression(
        C=C, solver="liblinear", dual=True, class_weight="balanced", random_state=0
    ).fit(x @ sparse.diags(scale), y)
    # The stored weights are float16, as the artifact keeps them.
    np.testing.assert_allclose(
        x @ coef + intercept, fitted.decision_function(x @ sparse.diags(scale)), atol=2e-3
    )
    assert coef[2] == 0.0  # a column scaled to nothing gets no weight


def test_committed_vocabularies_hold_scikit_learns_feature_order():
    # scikit-learn numbers a vocabulary's terms in sorted order; the stored tries must give
    # each term that number, or every score would be computed on the wrong features.
    with np.load(ARTIFACTS_DIR / "en.npz") as arrays:
        featurizer = Featurizer.from_arrays(arrays)
    for vocabulary in (featurizer.word_vocab, featurizer.char_vocab):
        terms = vocabulary.terms()
        assert terms == sorted(terms) and len(set(terms)) == len(terms) > 50_000
        sample = range(0, len(terms), 997)
        assert [vocabulary.get(terms[i]) for i in sample] == [vocabulary.first + i for i in sample]
    assert featurizer.char_vocab.first == len(featurizer.word_vocab)


def test_no_committed_vocabulary_holds_a_handle_of_the_data():
    # The data's SOURCE files forbid models that memorise user names: normalize reads every
    # @handle as the placeholder, in training as in scoring, so none reaches a vocabulary.
    data = Path(os.environ.get("AGORA_DATA_DIR") or ARTIFACTS_DIR.parents[3] / "shared" / "data")
    if not (data / "INDEX.md").exists():
        pytest.skip(f"labelled data not found at {data} (set AGORA_DATA_DIR)")
    # With a digit or "_" in it, a handle is a name ("@mazing" may be leetspeak for
    # "amazing"), and with four characters or more not a word of its own ("@A1").
    handles = {
        match.group()
        for row in english.load(data)
        if "@" in row.text
        for match in HANDLE.finditer(row.text)
        if len(match.group()) >= 5 and any(ch.isdigit() or ch == "_" for ch in match.group())
    }
    assert len(handles) > 2_000
    # As the word would read unmasked: "@Buckm00se" -> "abuckmoose".
    words = {"a" + normalize(handle[1:], "en").text for handle in handles}
    with np.load(ARTIFACTS_DIR / "en.npz") as arrays:
        vocabulary = set(Featurizer.from_arrays(arrays).word_vocab.terms())
    assert "auser" in vocabulary
    assert sorted(words & vocabulary) == []


# --- a tiny end-to-end fit ----------------------------------------------------------------


def synthetic_rows(n=2400, seed=0):
    """Rows of made-up tokens; "zq" marks the positive class of one key."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        words = [f"tok{rng.randrange(60)}" for _ in range(6)]
        positive = i % 4 == 0
        if positive:
            words.insert(rng.randrange(6), "zq")
        rows.append(_row(" ".join(words) + f" n{i}", profanity=int(positive)))
    return rows


@pytest.fixture(scope="module")
def tiny_model():
    return train_language("xx", synthetic_rows(), seed=7)


def test_tiny_fit_learns_the_marker_and_reports_validation(tiny_model):
    model, entry = tiny_model
    assert model.keys == ("profanity",)
    assert entry["validation"]["keys"]["profanity"]["roc_auc"] > 0.95
    with_marker, without = model.predict(["tok1 zq tok2", "tok1 tok3 tok2"])[:, 0]
    assert with_marker > 0.8 > 0.2 > without
    assert set(entry["thresholds"]) == {"profanity"}


def test_tiny_fit_evidence_points_at_the_marker(tiny_model):
    model, _ = tiny_model
    analysis = model.featurizer.analyze("tok1 tok2 zq tok3")
    assert model.evidence(analysis, ["profanity"]) == {"profanity": [(10, 12)]}


def test_training_is_deterministic_and_artifacts_round_trip(tiny_model, tmp_path):
    model, _ = tiny_model
    again, _ = train_language("xx", synthetic_rows(), seed=7)
    model.save(tmp_path / "a.npz")
    again.save(tmp_path / "b.npz")
    assert sha256_file(tmp_path / "a.npz") == sha256_file(tmp_path / "b.npz")
    loaded = LanguageModel.load(tmp_path / "a.npz")
    texts = ["tok5 zq", "tok9 tok8"]
    np.testing.assert_allclose(loaded.predict(texts), model.predict(texts), atol=1e-6)


def test_each_resplit_chooses_thresholds_on_one_half_and_measures_the_other(tiny_model):
    model, _ = tiny_model
    rows = split(synthetic_rows(), seed=7)[1]
    halves = resplit_halves(rows, n=3, seed=7)
    training_halves = [[id(row) for row in half] for half in validation_halves(rows, seed=7)]
    for chosen_on, measured_on in halves:
        assert sorted(chosen_on + measured_on) == list(range(len(rows)))
        assert [id(rows[i]) for i in chosen_on] != training_halves[0]
    assert halves[0][0] != halves[1][0]

    probabilities, scored, cued = predicted(model, rows, None)
    triages = resplit_triages(model, rows, probabilities, scored, cued, n=3, seed=7)
    chosen_on, measured_on = halves[0]
    by_hand = policy_triage(
        model,
        default_thresholds(model, scored[chosen_on], [rows[i] for i in chosen_on]),
        [rows[i] for i in measured_on],
        probabilities[measured_on],
        [cued[i] for i in measured_on],
    )
    assert triages[0] == by_hand
    assert by_hand.clean + by_hand.violating == len(measured_on)
    # The marker separates the classes: every violation rejected, no clean row (which go
    # to review, the keys other than profanity having no score in this language).
    assert all(t.violating_rejected == 1.0 and t.clean_rejected_any == 0.0 for t in triages)


def test_resplit_section_gives_each_shares_spread_and_the_targets_met():
    def resplit(clean_approved, violating_approved, clean_rejected=0.005):
        return Triage(100, 50, clean_approved, clean_rejected, violating_approved, 0.6)

    triages = [resplit(0.6, 0.01), resplit(0.8, 0.01), resplit(0.75, 0.03, clean_rejected=0.02)]
    lines = resplit_section({"tr": triages})
    row = next(line for line in lines if line.startswith("| tr |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "71.7% (sd 8.5; 60.0-80.0)"
    assert cells[3] == "1.7% (sd 0.9; 1.0-3.0)"
    assert cells[5:] == ["1/3", "2/3", "2/3"]


# --- the committed artifacts --------------------------------------------------------------


def test_manifest_describes_the_committed_artifacts():
    manifest = read_manifest()
    assert manifest["model_version"].startswith("guidelines-")
    assert "en" in manifest["languages"]
    for entry in manifest["languages"].values():
        assert sha256_file(ARTIFACTS_DIR / entry["file"]) == entry["sha256"]
        assert entry["trained"]["command"].startswith("agora train")
        assert entry["trained"]["seconds"] > 0
        assert entry["validation"]["triage"]["clean_rejected"] < 0.02
        assert entry["validation"]["triage"]["violating_approved"] < 0.05
    for source, entry in manifest["data"].items():
        assert entry["rows"] > 0 and entry["files"], source
        assert all(len(f["sha256"]) == 64 for f in entry["files"])
        assert entry.get("licence"), source
    assert manifest["versions"]["scikit-learn"]


def test_committed_artifacts_stay_under_50_mb():
    manifest = read_manifest()
    total = sum((ARTIFACTS_DIR / e["file"]).stat().st_size for e in manifest["languages"].values())
    assert total < 50 * 2**20
