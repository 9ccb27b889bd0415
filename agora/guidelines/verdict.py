"""The engine's input and output records, and the names of the guidelines.

These are plain dataclasses so the web app, the command line and the tests share one
shape; :meth:`Verdict.to_dict` is the JSON form that ``agora score`` prints and the web
app stores, and :meth:`Verdict.from_dict` reads it back.

:data:`GUIDELINES` is the one list of the community guidelines: the policy, the engine
and the web app's rejection reasons follow it (the web app checks that its reason codes
agree at start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

T = TypeVar("T")

GUIDELINES = ("profanity", "threat", "personal_attack", "identity_abuse", "promotion", "off_topic")
#: Guidelines that only ever ask for a moderator's review: their scores never reject.
REVIEW_ONLY = ("off_topic",)
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

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: Any) -> Evidence:
        """The span :meth:`to_dict` wrote; ValueError if ``data`` is not one."""
        if not isinstance(data, Mapping):
            raise ValueError(f"evidence must be an object, not {data!r}")
        start, end, text = data.get("start"), data.get("end"), data.get("text", "")
        if not isinstance(start, int) or not isinstance(end, int) or not isinstance(text, str):
            raise ValueError(f"evidence needs integer start and end and a text: {data!r}")
        return cls(start, end, text)


@dataclass(frozen=True)
class Reason:
    """Why a guideline matters for this comment: its score, evidence and a short message."""

    guideline: str
    score: float | None
    evidence: list[Evidence] = field(default_factory=list)
    message: str = ""

    @property
    def flags(self) -> bool:
        """Whether the comment is flagged for this guideline: its score reached review (only
        such reasons carry a score), or, in a language no model reads, a cue points to it
        (evidence without a score)."""
        return self.score is not None or bool(self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "guideline": self.guideline,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Reason:
        """The reason :meth:`to_dict` wrote, leaving out evidence it cannot read;
        ValueError if ``data`` has no guideline."""
        if not isinstance(data, Mapping) or not isinstance(data.get("guideline"), str):
            raise ValueError(f"a reason needs a guideline: {data!r}")
        score = data.get("score")
        return cls(
            guideline=data["guideline"],
            score=float(score) if _is_number(score) else None,
            evidence=readable(Evidence.from_dict, data.get("evidence")),
            message=str(data.get("message") or ""),
        )


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "scores": dict(self.scores),
            "decision": self.decision,
            "reasons": [r.to_dict() for r in self.reasons],
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, risk: float = 0.0) -> Verdict:
        """The verdict :meth:`to_dict` wrote (``risk`` is not part of that form: pass the
        stored one). Verdicts stored by earlier versions may lack fields, which take
        empty values; reasons and evidence that cannot be read are left out."""
        scores = data.get("scores")
        return cls(
            id=data.get("id"),
            lang=str(data.get("lang") or ""),
            scores={
                str(key): float(value) if _is_number(value) else None
                for key, value in (scores.items() if isinstance(scores, Mapping) else ())
            },
            decision=str(data.get("decision") or ""),
            reasons=readable(Reason.from_dict, data.get("reasons")),
            risk=risk,
            model_version=str(data.get("model_version") or ""),
        )

    @property
    def top_guideline(self) -> str:
        """The guideline most likely broken (the rejection reason a moderator will usually
        pick), or "" when no reason has a score."""
        scored = [reason for reason in self.reasons if reason.score is not None]
        return max(scored, key=lambda reason: reason.score or 0.0).guideline if scored else ""


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def readable(read: Callable[[Any], T], items: Any) -> list[T]:
    """``read(item)`` of each of ``items`` it can read, for stored JSON that may hold what
    an older version wrote (an empty list for a non-list)."""
    found = []
    for item in items if isinstance(items, list) else ():
        try:
            found.append(read(item))
        except ValueError:
            continue
    return found
