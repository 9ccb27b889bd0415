"""The engine's input and output records, and the names of the guidelines.

These are plain dataclasses so the web app, the command line and the tests share one
shape; :meth:`Verdict.to_dict` is the JSON form that ``agora score`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GUIDELINES = ("profanity", "threat", "personal_attack", "identity_abuse", "promotion", "off_topic")
IDENTITY_SUBKEYS = ("sexism", "racism", "homophobia", "xenophobia")
#: Every key a verdict scores: the guidelines, then the identity sub-scores.
SCORE_KEYS = GUIDELINES + IDENTITY_SUBKEYS
#: Keys a model may learn that are not guidelines: ``offensive`` is the one decision of
#: data sets that do not say which guideline a comment breaks (ar, tr, fa). It stands in
#: for the guidelines such data cannot separate, and is never in a verdict's scores.
AUXILIARY_KEYS = ("offensive",)
MODEL_KEYS = SCORE_KEYS + AUXILIARY_KEYS
#: Languages the engine can name; a model may cover only some of them.
LANGUAGES = ("en", "ar", "fa", "tr", "ckb", "kmr", "other")
DECISIONS = ("approve", "review", "reject")


@dataclass(frozen=True)
class ArticleContext:
    """The article a comment is posted under (used for relevance and as language fallback)."""

    title: str = ""
    body: str = ""
    standfirst: str = ""
    lang: str | None = None
    #: The article's relevance vectors (``Relevance.article_vectors``) if the caller stored
    #: them; otherwise the engine computes them and keeps them for a while.
    vectors: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CommentInput:
    """One comment to judge. ``lang`` is a caller's hint; ``None`` means detect it."""

    text: str
    lang: str | None = None
    article: ArticleContext | None = None
    parent_text: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A span ``text[start:end]`` of the ORIGINAL comment that drove a score."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Reason:
    """Why a guideline matters for this comment: its score, evidence and a short message."""

    guideline: str
    score: float | None
    evidence: list[Evidence] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        return {
            "guideline": self.guideline,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
            "message": self.message,
        }


@dataclass(frozen=True)
class Verdict:
    """The engine's judgement of one comment."""

    id: str | None
    lang: str
    scores: dict[str, float | None]
    decision: str
    reasons: list[Reason]
    risk: float
    model_version: str

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "lang": self.lang,
            "scores": dict(self.scores),
            "decision": self.decision,
            "reasons": [r.to_dict() for r in self.reasons],
            "model_version": self.model_version,
        }
