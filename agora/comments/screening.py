"""Judging a new comment against the guidelines, inside the posting request.

The engine (``agora.guidelines``) knows nothing of Django; this module turns an
incoming comment into the engine's input, loads the engine once per process under
the publisher's policy (``AGORA_POLICY``), and says which guidelines a verdict
flags so the queue can filter on them with a plain indexed column.
"""

import threading

from django.conf import settings

from agora.guidelines import ArticleContext, CommentInput, Engine, Policy, Verdict

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
    context = ArticleContext(
        title=article.title,
        standfirst=article.standfirst,
        body=article.body,
        lang=article.language,
    )
    return engine().judge(CommentInput(text=body, article=context, parent_text=parent_body))


def flags_of(verdict: dict) -> str:
    """The guidelines a stored verdict flags, as ``,threat,profanity,`` for a substring filter."""
    keys = [reason["guideline"] for reason in verdict["reasons"] if reason["score"] is not None]
    return f",{','.join(keys)}," if keys else ""


def top_reason(verdict: Verdict) -> str:
    """The guideline most likely broken: the rejection reason a moderator will usually pick."""
    scored = [reason for reason in verdict.reasons if reason.score is not None]
    return scored[0].guideline if scored else ""
