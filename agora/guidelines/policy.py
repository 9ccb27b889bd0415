"""The publisher's moderation policy: when a score means review, reject or nothing.

Per guideline key there is a *review* threshold (at or above it a moderator should look)
and a *reject* threshold (at or above it the comment breaks the guideline clearly enough to
reject). Scores are calibrated probabilities, so thresholds read as "at least this likely".

Defaults come from ``agora train``, which picks them per language on validation data for
what they do to a moderator's work, all keys together
(:mod:`agora.guidelines.training.thresholds`; docs/guidelines.md): reject thresholds never
below a probability of 0.5, together rejecting at most 0.6% of clean comments; review
thresholds letting at most 1.5% of violations through. ``off_topic`` never rejects: it only
asks for review (its reject threshold is ``None``). ``agora fit_policy`` makes the same
choice on a newsroom's own moderation decisions
(:mod:`agora.guidelines.training.site_policy`), as settings for :meth:`Policy.from_dict`.

The decision never approves a comment that a required key could not score (for example a
language no model covers): such a comment goes to review.

What the web app does with a decision is also the publisher's choice. By default a human
moderates every comment; ``auto_reject[key]`` lets comments that reach ``key``'s reject
threshold be rejected without a human, and ``auto_approve`` lets a comment the engine
would approve be published without one, provided the publisher trusts every key
(:meth:`Policy.automatic_action`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest
from agora.guidelines.relevance import off_topic_review_threshold
from agora.guidelines.verdict import GUIDELINES, REVIEW_ONLY

#: Keys that must have a score before a comment can be approved: every guideline that can
#: reject.
REQUIRED_KEYS = tuple(key for key in GUIDELINES if key not in REVIEW_ONLY)


@dataclass(frozen=True)
class Thresholds:
    review: float
    reject: float | None

    def __post_init__(self) -> None:
        for name in ("review", "reject"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | float) and 0 <= value <= 1):
                raise ValueError(f"{name} threshold must be a number from 0 to 1, not {value!r}")
        if self.reject is not None and self.review > self.reject:
            raise ValueError(
                f"review threshold {self.review} is above reject threshold {self.reject}"
            )


@dataclass(frozen=True)
class Policy:
    """Thresholds per language and key, plus the publisher's automation switches."""

    thresholds: dict[str, dict[str, Thresholds]]  # lang -> key -> thresholds; "*" = any
    auto_reject: dict[str, bool] = field(default_factory=dict)
    auto_approve: dict[str, bool] = field(default_factory=dict)
    required: tuple[str, ...] = REQUIRED_KEYS
    #: The languages whose comments the switches act on; ``None``: every language. A
    #: newsroom may trust the engine in the languages where it meets the targets on its own
    #: decisions (``agora fit_policy`` says which) and keep a human on the others.
    auto_languages: frozenset[str] | None = None

    @classmethod
    def default(cls, artifacts_dir: Path = ARTIFACTS_DIR) -> Policy:
        """Thresholds chosen on validation by ``agora train``; no automation."""
        manifest = read_manifest(artifacts_dir)
        # off_topic is one model for every language it reads; it never rejects.
        table = {"*": {"off_topic": Thresholds(off_topic_review_threshold(), None)}}
        for lang, model in manifest["languages"].items():
            table[lang] = {k: Thresholds(**v) for k, v in model["thresholds"].items()}
        return cls(thresholds=table)

    @classmethod
    def from_dict(cls, settings: dict[str, Any], base: Policy | None = None) -> Policy:
        """The default policy changed by a publisher's settings, e.g. from Django settings.

        ``settings`` may hold ``thresholds`` (key -> {"review", "reject"}, for every
        language), ``languages`` (lang -> key -> {"review", "reject"}, for one language),
        ``auto_reject`` and ``auto_approve`` (key -> bool), and ``auto_languages`` (the
        language codes the switches act on; every language without it). A partial threshold
        keeps the other value from the default. Unknown or invalid values raise
        ``ValueError``.
        """
        policy = base or cls.default()
        unknown = set(settings) - {
            "thresholds",
            "languages",
            "auto_reject",
            "auto_approve",
            "auto_languages",
        }
        if unknown:
            raise ValueError(f"unknown policy settings: {sorted(unknown)}")
        table = {lang: dict(keys) for lang, keys in policy.thresholds.items()}
        for key, values in settings.get("thresholds", {}).items():
            for lang, keys in table.items():
                if key in keys or (lang == "*" and "review" in values):
                    keys[key] = _merged(keys.get(key), key, values)
        for lang, keys in settings.get("languages", {}).items():
            for key, values in keys.items():
                current = policy.thresholds.get(lang, {}).get(key)
                table.setdefault(lang, {})[key] = _merged(current, key, values)
        return replace(
            policy,
            thresholds=table,
            auto_reject=policy.auto_reject | _switches(settings.get("auto_reject", {})),
            auto_approve=policy.auto_approve | _switches(settings.get("auto_approve", {})),
            auto_languages=(
                _languages(settings["auto_languages"])
                if "auto_languages" in settings
                else policy.auto_languages
            ),
        )

    def threshold(self, lang: str, key: str) -> Thresholds:
        """Thresholds for ``key`` in ``lang``, else the language-independent ones."""
        for table in (self.thresholds.get(lang, {}), self.thresholds["*"]):
            if key in table:
                return table[key]
        raise KeyError(f"no thresholds for {key!r} in language {lang!r}")

    def decide(self, lang: str, scores: dict[str, float | None]) -> str:
        """``reject``, ``review`` or ``approve`` for one comment's scores."""
        if self.rejecting(lang, scores):
            return "reject"
        return "review" if self.unscored(scores) or self.flagged(lang, scores) else "approve"

    def rejecting(self, lang: str, scores: dict[str, float | None]) -> list[str]:
        """The guidelines whose score reaches their reject threshold, in GUIDELINES order."""
        return [
            key
            for key in GUIDELINES
            if (score := scores.get(key)) is not None
            and (reject := self.threshold(lang, key).reject) is not None
            and score >= reject
        ]

    def flagged(self, lang: str, scores: dict[str, float | None]) -> list[str]:
        """The guidelines whose score reaches their review threshold, in GUIDELINES order:
        what a moderator is asked to look at."""
        return [
            key
            for key in GUIDELINES
            if (score := scores.get(key)) is not None and score >= self.threshold(lang, key).review
        ]

    def unscored(self, scores: dict[str, float | None]) -> list[str]:
        """The required keys without a score: they keep a comment from approval."""
        return [key for key in self.required if scores.get(key) is None]

    def automatic_action(self, lang: str, scores: dict[str, float | None]) -> str | None:
        """What the app may do without a human: ``"reject"``, ``"approve"`` or ``None``.

        Reject when a key whose ``auto_reject`` switch is on reached its reject threshold.
        Approve when the decision is ``approve`` and ``auto_approve`` is on for every
        guideline: a key left off means the publisher wants a human to check it. Neither
        for a language outside ``auto_languages``.
        """
        if self.auto_languages is not None and lang not in self.auto_languages:
            return None
        for key in GUIDELINES:
            score = scores.get(key)
            limits = self.threshold(lang, key) if score is not None else None
            if (
                self.auto_reject.get(key)
                and limits is not None
                and limits.reject is not None
                and score is not None
                and score >= limits.reject
            ):
                return "reject"
        if self.decide(lang, scores) == "approve" and all(
            self.auto_approve.get(key) for key in GUIDELINES
        ):
            return "approve"
        return None


def _check_key(key: str) -> None:
    if key not in GUIDELINES:
        raise ValueError(f"unknown guideline {key!r}; expected one of {', '.join(GUIDELINES)}")


def _merged(current: Thresholds | None, key: str, values: dict[str, Any]) -> Thresholds:
    """``current`` with the publisher's ``values`` applied (a new entry needs ``review``)."""
    _check_key(key)
    unknown = set(values) - {"review", "reject"}
    if unknown:
        raise ValueError(f"unknown threshold names for {key}: {sorted(unknown)}")
    if current is not None:
        return replace(current, **values)
    if "review" not in values:
        raise ValueError(f"{key} has no default thresholds here: give a review threshold")
    return Thresholds(review=values["review"], reject=values.get("reject"))


def _languages(values: Any) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"auto_languages must be a list of language codes, not {values!r}")
    return frozenset(values)


def _switches(values: dict[str, Any]) -> dict[str, bool]:
    for key, value in values.items():
        _check_key(key)
        if not isinstance(value, bool):
            raise ValueError(f"switch for {key} must be true or false, not {value!r}")
    return dict(values)
