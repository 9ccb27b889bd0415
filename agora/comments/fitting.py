"""The newsroom's own moderation decisions, as the rows that fit its policy's thresholds.

``agora fit_policy`` chooses the guideline thresholds on what this site's moderators
decided (:mod:`agora.guidelines.training.site_policy`); this module reads those decisions.
A comment counts when its latest decision was a person's (a comment the engine decided
under the publisher's automatic policy, and left so, says nothing about where the
moderators draw the line), oldest decision first. Its scores are the stored verdict's when
the engine that made it is the one loaded now, and the loaded engine's otherwise: thresholds
only mean something on the scores of the model they will be applied to. Relevance is left
aside: it keeps its own threshold.

The chief moderators' page on the engine (:func:`recent_agreement`) reads the same
decisions, the latest only and from the stored verdicts alone, for the policy in force and
for thresholds fitted to them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery

from agora.comments import screening
from agora.comments.models import Comment, Decision, Reason, Status
from agora.guidelines import CommentInput, Engine
from agora.guidelines.training import site_policy
from agora.guidelines.training.site_policy import OTHER, Decided, LanguageFit
from agora.guidelines.training.triage import ReviewCause, Triage

#: Comments judged again together, when their stored verdict is another model's.
BATCH = 256
#: ``agora fit_policy`` fits on this many of the latest decisions by default: where a
#: newsroom draws its line now, in the memory of one process (a few kilobytes each).
LATEST = 20_000
#: The moderators' page on the engine reads this many of the latest decisions at most.
RECENT = 5000


def decided_comments(latest: int = LATEST) -> list[Decided]:
    """The ``latest`` comments whose latest decision a moderator took, oldest decision
    first."""
    return list(_decided(_latest_by_moderators(latest, "body")))


def decided_by_the_engine() -> dict[str, int]:
    """Per language, the comments the engine decided on its own and nobody changed: the
    fit cannot see them, so with automation on it sees only what the engine sent to
    moderators, the harder comments, and its shares are of those."""
    counts = _with_latest_decision().filter(by_engine=True).values("lang").annotate(n=Count("pk"))
    return {row["lang"]: row["n"] for row in counts}


def _with_latest_decision():  # a queryset annotated with the latest decision
    latest = Decision.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-id")
    return Comment.objects.filter(
        status__in=[Status.APPROVED, Status.REJECTED], scored=True
    ).annotate(
        by_engine=Subquery(latest.values("automatic")[:1]),
        reason=Subquery(latest.values("reason")[:1]),
        decided_at=Subquery(latest.values("created_at")[:1]),
    )


def _latest_by_moderators(limit: int, *fields: str) -> list[Comment]:
    """The ``limit`` comments a moderator decided last, oldest decision first, with what
    a decision is read from (and ``fields``)."""
    newest_first = (
        _with_latest_decision()
        .filter(by_engine=False)
        .order_by("-decided_at", "-pk")
        .only("lang", "status", "verdict", "model_version", *fields)[:limit]
    )
    return list(newest_first)[::-1]


def _decided(comments: list[Comment]) -> Iterator[Decided]:
    engine = screening.engine()
    for start in range(0, len(comments), BATCH):
        yield from _scored(comments[start : start + BATCH], engine)


def _scored(comments: list[Comment], engine: Engine) -> Iterator[Decided]:
    stale = [c for c in comments if c.model_version != engine.model_version]
    verdicts = engine.judge_many([CommentInput(text=c.body, lang=c.lang or None) for c in stale])
    fresh = {c.pk: v.to_dict() for c, v in zip(stale, verdicts, strict=True)}
    for comment in comments:
        yield _as_decided(comment, fresh.get(comment.pk) or comment.verdict or {})


def _as_decided(comment: Comment, verdict: dict[str, Any]) -> Decided:
    scores = site_policy.fitted_scores(verdict.get("scores", {}))
    return Decided(verdict.get("lang", comment.lang), scores, _rejected_for(comment))


@dataclass(frozen=True)
class Agreement:
    """One language's latest decisions beside the engine: what the policy in force would
    have done to them, what sends the approved ones to review, and what thresholds fitted to
    the older half would have done to the newer half."""

    triage: Triage
    causes: list[ReviewCause]
    fit: LanguageFit


def recent_agreement() -> tuple[dict[str, Agreement], int]:
    """Per language the engine scores, an :class:`Agreement` on the latest :data:`RECENT`
    comments moderators decided (fitting takes a fraction of a second), all from the stored
    verdicts (nothing is judged again: this answers a page); and how many decisions were
    left out because another model judged them."""
    engine = screening.engine()
    by_lang: dict[str, list[Decided]] = {}
    older_model = 0
    for comment in _latest_by_moderators(RECENT):
        if comment.model_version != engine.model_version:
            older_model += 1
            continue
        decided = _as_decided(comment, comment.verdict or {})
        if site_policy.usable(decided):
            by_lang.setdefault(decided.lang, []).append(decided)
    agreement = {
        lang: Agreement(
            site_policy.triage_under(engine.policy, comments),
            site_policy.review_causes_under(
                engine.policy, comments, engine.models[lang].source_key
            ),
            site_policy.fit_language(lang, comments, engine.policy),
        )
        for lang, comments in sorted(by_lang.items())
    }
    return agreement, older_model


def _rejected_for(comment: Comment) -> str | None:
    if comment.status == Status.APPROVED:
        return None
    reason = comment.reason  # type: ignore[attr-defined]  # annotated by the query
    return reason if reason and reason != Reason.OTHER else OTHER
