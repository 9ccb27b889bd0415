"""Thresholds fitted to one newsroom's own moderation decisions.

The default thresholds are chosen on public data sets whose annotators each drew the line
somewhere else (one set calls a rude tweet clean, another calls it offensive). A newsroom
whose moderators have decided a few thousand comments has labels drawn by its own rule, on
its own readers' comments: the same choice of thresholds
(:func:`agora.guidelines.training.thresholds.choose_thresholds`, the same budgets) made on
those decisions fits that rule instead.

A moderator's approval makes a comment clean; a rejection for a guideline makes it a
violation of that key. Only guidelines with enough rejections are fitted; the others keep
the thresholds in force, and reject thresholds only with enough approvals to measure the
share of them rejected. Relevance keeps its own threshold: comments rejected as off topic
are left out. A rejection for no guideline (:data:`OTHER`), or for one not fitted, says
nothing of where the fitted thresholds should be, so it plays no part in the choice; the
newer half's triage still counts it among the violations.

The decisions are split by time: thresholds are chosen on the older half and checked on
the newer half, which they never saw, beside the policy in force, so a newsroom sees what
the change would have done to the comments it decided last before it switches it on.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agora.guidelines.calibration import DECIMALS
from agora.guidelines.engine import Engine
from agora.guidelines.policy import REQUIRED_KEYS, Policy
from agora.guidelines.training.datasets.common import Example
from agora.guidelines.training.thresholds import (
    CLEAN_REJECTED_BUDGET,
    MIN_KEY_POSITIVES,
    choose_thresholds,
)
from agora.guidelines.training.triage import (
    ReviewCause,
    Triage,
    causes_under,
    is_clean,
    is_violating,
    review_causes,
    triage,
)
from agora.guidelines.verdict import GUIDELINES, CommentInput

#: Fewer approvals than this in the older half of a language leave its thresholds alone,
#: and a guideline is fitted only with this many rejections for it there: below them a
#: share of 1.5% of violations approved is a handful of comments.
MIN_CLEAN = 100
MIN_VIOLATING = MIN_KEY_POSITIVES
#: Reject thresholds are fitted only with this many approvals in the older half, so that
#: the budget of clean comments rejected (0.6%) is a few comments, not none: with fewer,
#: a reject threshold lands just above the highest approved score of a small sample.
MIN_CLEAN_TO_REJECT = 500
#: A rejection whose reason names no key the engine scores.
OTHER = "other"
#: Comments of a decisions file judged together.
READ_BATCH = 256


@dataclass(frozen=True)
class Decided:
    """One comment a moderator decided, oldest first in a list: its language, the engine's
    scores of it, and ``rejected_for`` (``None`` if approved, else a guideline key or
    :data:`OTHER`)."""

    lang: str
    scores: dict[str, float | None]
    rejected_for: str | None


@dataclass(frozen=True)
class LanguageFit:
    """What fitting did for one language: the decisions in each half, and (when there were
    enough) the chosen thresholds and the newer half's triage under the policy in force and
    under the fitted one."""

    lang: str
    fitted_on: int
    checked_on: int
    thresholds: dict[str, dict[str, float | None]] | None
    before: Triage | None
    after: Triage | None
    why_not: str = ""
    #: Guidelines kept (too few rejections to fit) whose reject threshold was raised
    #: because it rejected what the moderators approved.
    raised: tuple[str, ...] = ()


class DecisionsError(ValueError):
    """A line of a decisions file that cannot be read; says which and why."""


#: What a decisions file may give as a decision.
DECISIONS = ("approved", "rejected")


def read_decisions(lines: Iterable[str], engine: Engine) -> list[Decided]:
    """Decisions exported from another moderation tool: JSON Lines, oldest first, each
    ``{"text": ..., "decision": "approved" | "rejected", "reason": <guideline>, "lang":
    <hint>}`` (``reason`` and ``lang`` optional; a rejection without a guideline counts as
    :data:`OTHER`), judged here by ``engine`` in batches."""
    rows: list[tuple[str, str | None, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DecisionsError(f"line {number}: not JSON ({error.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise DecisionsError(f'line {number}: needs an object with a "text" string')
        if item.get("decision") not in DECISIONS:
            raise DecisionsError(f'line {number}: "decision" must be "approved" or "rejected"')
        reason = item.get("reason")
        if item["decision"] == "approved":
            rejected_for = None
        elif reason in (None, "", OTHER):
            rejected_for = OTHER
        elif reason in GUIDELINES:
            rejected_for = reason
        else:
            raise DecisionsError(
                f"line {number}: unknown reason {reason!r}; use one of {', '.join(GUIDELINES)}"
            )
        lang = item.get("lang")
        rows.append((item["text"], lang if isinstance(lang, str) and lang else None, rejected_for))
    decided = []
    for start in range(0, len(rows), READ_BATCH):
        batch = rows[start : start + READ_BATCH]
        inputs = [CommentInput(text=text, lang=lang) for text, lang, _ in batch]
        verdicts = engine.judge_many(inputs)
        for (_, _, rejected_for), verdict in zip(batch, verdicts, strict=True):
            decided.append(Decided(verdict.lang, fitted_scores(verdict.scores), rejected_for))
    return decided


def fitted_scores(scores: dict[str, float | None]) -> dict[str, float | None]:
    """The scores of a verdict that fitting reads: relevance aside (it keeps its own
    threshold)."""
    return {key: value for key, value in scores.items() if key != "off_topic"}


def example(comment: Decided) -> Example:
    """``comment``'s moderator decision as a labelled row of the triage."""
    if comment.rejected_for is None:
        labels: dict[str, int | None] = {key: 0 for key in REQUIRED_KEYS}
    else:
        labels = {comment.rejected_for: 1}
    return Example(text="", lang=comment.lang, source="newsroom", labels=labels)


def usable(comment: Decided) -> bool:
    """Whether ``comment`` tells anything of the guideline thresholds: not rejected as off
    topic (relevance keeps its own threshold), and scored on every key that can reject
    (a language no model reads is not)."""
    return comment.rejected_for != "off_topic" and all(
        comment.scores.get(key) is not None for key in REQUIRED_KEYS
    )


def counted_in(lang: str, decided: Sequence[Decided]) -> list[Decided]:
    """The :func:`usable` decisions of ``lang`` among ``decided``, in their order."""
    return [c for c in decided if c.lang == lang and usable(c)]


def fit_language(lang: str, decided: Sequence[Decided], policy: Policy) -> LanguageFit:
    """Thresholds for ``lang`` chosen on the older half of ``decided`` (its comments in
    that language, oldest first), and the newer half's triage before and after.

    Only the guidelines the older half rejected at least :data:`MIN_VIOLATING` comments
    for are fitted; the others keep the thresholds in force. Decisions say nothing of a
    guideline nobody broke in them, and a threshold chosen without a single violation of
    its key would be the highest there is: that key would never send a comment to review.
    With :data:`MIN_CLEAN_TO_REJECT` approvals, though, they say where a kept reject
    threshold rejects what the moderators approve (a newsroom that lets swearing through
    never rejects for profanity): such a threshold is raised until it alone rejects at most
    the clean budget of the approvals (:func:`above_approvals`).
    """
    counted = counted_in(lang, decided)
    older, newer = counted[: len(counted) // 2], counted[len(counted) // 2 :]
    rejections = Counter(c.rejected_for for c in older if c.rejected_for in REQUIRED_KEYS)
    keys = [key for key in REQUIRED_KEYS if rejections[key] >= MIN_VIOLATING]
    approved = [c for c in older if c.rejected_for is None]
    clean = len(approved)
    thresholds: dict[str, dict[str, float | None]] = {}
    if clean >= MIN_CLEAN and keys:
        # Rejections for the guidelines kept as they are (and for none) choose nothing.
        fitting = [c for c in older if c.rejected_for is None or c.rejected_for in keys]
        chosen = choose_thresholds(
            {key: np.array([c.scores[key] for c in fitting], dtype=float) for key in keys},
            [example(c) for c in fitting],
        )
        for key, t in chosen.items():
            # Too few approvals to measure the share of them rejected: the reject threshold
            # stays as it is (and the review threshold under it).
            kept = policy.threshold(lang, key).reject
            reject = t.reject if clean >= MIN_CLEAN_TO_REJECT else kept
            review = t.review if reject is None else min(t.review, reject)
            thresholds[key] = {"review": review, "reject": reject}
    raised = []
    if clean >= MIN_CLEAN_TO_REJECT:
        allowed = int(np.floor(CLEAN_REJECTED_BUDGET * clean))
        for key in REQUIRED_KEYS:
            kept_limits = policy.threshold(lang, key)
            if key in thresholds or kept_limits.reject is None:
                continue
            reject = above_approvals(kept_limits.reject, [c.scores[key] for c in approved], allowed)
            if reject > kept_limits.reject:
                thresholds[key] = {"review": min(kept_limits.review, reject), "reject": reject}
                raised.append(key)
    if not thresholds:
        why = (
            f"{clean} approved in the older half, and at most {max(rejections.values(), default=0)}"
            f" rejected for any one guideline; fitting needs at least {MIN_CLEAN} and "
            f"{MIN_VIOLATING}"
        )
        return LanguageFit(lang, len(older), len(newer), None, None, None, why)
    fitted = Policy.from_dict({"languages": {lang: thresholds}}, base=policy)
    return LanguageFit(
        lang,
        len(older),
        len(newer),
        thresholds,
        triage_under(policy, newer),
        triage_under(fitted, newer),
        raised=tuple(raised),
    )


def above_approvals(reject: float, scores: Sequence[float | None], allowed: int) -> float:
    """``reject``, or the lowest threshold on the score grid above all but ``allowed`` of
    the approved comments' ``scores``, whichever is higher (never above 1)."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    if len(ordered) <= allowed or ordered[allowed] < reject:
        return reject
    step = 10.0**-DECIMALS
    above = math.floor(ordered[allowed] / step + 1e-6) * step + step
    return min(1.0, round(above, DECIMALS))


def triage_under(policy: Policy, comments: Sequence[Decided]) -> Triage:
    """What ``policy`` would have done to ``comments``: of those moderators approved, the
    shares it approves and rejects; of those they rejected, the same."""
    return triage(*_judged(policy, comments))


def review_causes_under(
    policy: Policy, comments: Sequence[Decided], source_key: Callable[[str], str]
) -> list[ReviewCause]:
    """What would have sent ``comments`` (one language's) to review under ``policy``: per
    cause (guidelines read from one score, by ``source_key``), the approved comments it
    flags, those only it flags, and the rejected comments only it flags."""
    causes = [causes_under(policy, c.lang, c.scores, source_key) for c in comments]
    return review_causes(causes, *_judged(policy, comments))


def _judged(policy: Policy, comments: Sequence[Decided]) -> tuple[np.ndarray, ...]:
    """The decisions ``policy`` gives ``comments``, and which of them were approved (clean)
    and which rejected (violating) by the moderators."""
    rows = [example(c) for c in comments]
    return (
        np.array([policy.decide(c.lang, c.scores) for c in comments]),
        np.array([is_clean(row) for row in rows], dtype=bool),
        np.array([is_violating(row) for row in rows], dtype=bool),
    )


def fit(decided: Sequence[Decided], policy: Policy) -> list[LanguageFit]:
    """:func:`fit_language` for every language among ``decided`` (oldest first)."""
    return [fit_language(lang, decided, policy) for lang in sorted({c.lang for c in decided})]


def policy_settings(
    fits: Sequence[LanguageFit], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The publisher's policy settings (``AGORA_POLICY``'s form) with each fitted
    language's thresholds in place of what ``current`` said for it; everything else in
    ``current`` (automation switches, other languages) kept."""
    settings = dict(current or {})
    languages = dict(settings.get("languages", {}))
    for language in fits:
        if language.thresholds is not None:
            languages[language.lang] = {**languages.get(language.lang, {}), **language.thresholds}
    if languages:
        settings["languages"] = languages
    return settings
