"""Judging a new comment against the guidelines, inside the posting request.

The engine (``agora.guidelines``) knows nothing of Django; this module turns an
incoming comment into the engine's input (with the article's relevance vectors,
which storing a comment stores on the article first: :func:`store_vectors`; judging
itself writes nothing), loads the engine once per
process under the publisher's policy (``AGORA_POLICY``), and says which guidelines a
verdict flags so the queue can filter on them with a plain indexed column.
"""

import hashlib
import threading
from collections.abc import Iterable

import numpy as np
from django.conf import settings

from agora.guidelines import ArticleContext, CommentInput, Engine, Policy, Reason, Verdict
from agora.guidelines.calibration import noisy_or
from agora.guidelines.relevance import WIDTH

_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process's engine, loaded on first use (models load in well under 2 s)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _load_engine()
    return _engine


def warm_up_relevance() -> None:
    """Start the relevance model's session and embed its background headlines now, so the
    first comment a worker takes does not wait for them. Call it in each process that
    scores (gunicorn runs it in every worker after the fork: onnxruntime is not fork-safe)."""
    relevance = engine().relevance
    if relevance is not None:
        relevance.background  # noqa: B018 - computed and kept on first access


def _load_engine() -> Engine:
    policy = Policy.from_dict(settings.AGORA_POLICY) if settings.AGORA_POLICY else None
    relevance = None
    if settings.AGORA_RELEVANCE:
        from agora.guidelines.relevance import Relevance

        relevance = Relevance.load()
    return Engine.load(policy=policy, relevance=relevance)


def reset_engine() -> None:
    """Forget the loaded engine, so the next comment loads it under current settings."""
    global _engine
    with _engine_lock:
        _engine = None


def judge(article, body: str, parent_body: str | None = None) -> Verdict:
    """The engine's verdict on ``body`` posted under ``article`` (and under a parent)."""
    return engine().judge(
        CommentInput(text=body, article=_context(article), parent_text=parent_body)
    )


def judge_many(comments) -> list[Verdict]:
    """The engine's verdicts on stored comments, in one pass (each article read once)."""
    return engine().judge_many(inputs(comments))


def inputs(comments) -> list[CommentInput]:
    """The engine's input for each stored comment (``article`` and ``parent`` loaded with
    it), each article's context built once, with the vectors stored on it (store them
    first: :func:`store_vectors`). Built here, so judging them can happen elsewhere."""
    contexts = {}
    built = []
    for comment in comments:
        if comment.article_id not in contexts:
            contexts[comment.article_id] = _context(comment.article)
        parent_body = comment.parent.body if comment.parent_id else None
        built.append(
            CommentInput(
                text=comment.body, article=contexts[comment.article_id], parent_text=parent_body
            )
        )
    return built


def _context(article) -> ArticleContext:
    return ArticleContext(
        title=article.title,
        standfirst=article.standfirst,
        body=article.body,
        lang=article.language,
        vectors=current_vectors(article),
    )


def store_vectors(articles: Iterable) -> None:
    """Compute and store the relevance vectors of each of ``articles`` that has none for
    its current text and model: a step of storing a comment, taken before judging it, so
    that later comments, in any process, read them instead of embedding the article."""
    seen = set()
    for article in articles:
        if article.pk not in seen:
            seen.add(article.pk)
            stored_article_vectors(article)


def _vectors_key(article) -> str | None:
    """What the article's stored vectors must have been made from (model version and
    text), or None if relevance is off or the model cannot read the article's language
    (the engine then embeds it only if a comment needs it, in a language it reads)."""
    relevance = engine().relevance
    if relevance is None or article.language not in relevance.languages:
        return None
    text = "\x00".join([relevance.version, article.title, article.standfirst, article.body])
    return hashlib.sha256(text.encode()).hexdigest()


def current_vectors(article) -> np.ndarray | None:
    """The article's relevance vectors as stored, or None if none are stored for its
    current text and model. Reads only the loaded article."""
    key = _vectors_key(article)
    if key is None or article.relevance_key != key or article.relevance_vectors is None:
        return None
    return np.frombuffer(article.relevance_vectors, dtype=np.float32).reshape(-1, WIDTH)


def stored_article_vectors(article) -> np.ndarray | None:
    """The article's relevance vectors from the database, computed and stored first if
    missing or made from another text or model; None where :func:`_vectors_key` is."""
    current = current_vectors(article)
    key = _vectors_key(article) if current is None else None
    if key is None:
        return current
    relevance = engine().relevance
    vectors = relevance.article_vectors(article.title, article.standfirst, article.body)
    # A plain UPDATE of two columns: concurrent first comments all store the same bytes.
    type(article).objects.filter(pk=article.pk).update(
        relevance_vectors=vectors.tobytes(), relevance_key=key
    )
    article.relevance_vectors, article.relevance_key = vectors.tobytes(), key
    return vectors


#: What a term of the publisher's word lists found in a comment says of its risk: the
#: publisher asked for a look, an even chance whatever the engine read (see risk_of).
LISTED_RISK = 0.5


def risk_of(verdict: dict, risk: float) -> float:
    """The queue risk of a comment whose engine verdict had ``risk``, once the publisher's
    word lists have marked the stored ``verdict``: raised by a listed term (noisy-OR with
    :data:`LISTED_RISK`), so that a comment held for a suspect term comes before those the
    engine alone doubts, and a Kurdish one, which no model scores, before other Kurdish
    comments."""
    if not verdict.get("lists"):
        return risk
    return noisy_or((risk, LISTED_RISK))


def flags_of(verdict: dict) -> str:
    """The guidelines a stored verdict flags (:attr:`Reason.flags`), as ``,threat,profanity,``
    for a substring filter."""
    keys = [raw["guideline"] for raw in verdict["reasons"] if Reason.from_dict(raw).flags]
    # The publisher's word lists flag their own guideline (agora.wordlists).
    keys += [hit["guideline"] for hit in verdict.get("lists", []) if hit["guideline"] not in keys]
    return f",{','.join(keys)}," if keys else ""
