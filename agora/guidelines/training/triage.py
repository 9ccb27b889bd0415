"""What the engine's decisions do to a moderator's work: the triage table.

A moderator reads what the engine sends to review. The engine helps by approving clean
comments and rejecting clear violations, and harms by approving violations (they reach
readers) or rejecting clean comments (a reader is silenced). Four shares say all of it:

* of clean comments (breaking nothing their annotators labelled), the share approved and
  the share rejected for a guideline their annotators said they do not break (a row of a
  hate speech set labelled only "not hate" that swears is not wrongly rejected for
  profanity: :func:`cleared`), with the share rejected for any guideline beside it;
* of violating comments (breaking at least one labelled key), the share approved and the
  share rejected.

:data:`TARGETS` are the figures a newsroom can switch automation on with. Training chooses
the default thresholds on the calibration half to meet them (:mod:`agora.guidelines.training.train`)
and ``agora evaluate`` reports them on the evaluation half, which played no part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from agora.guidelines.policy import Policy
from agora.guidelines.training.datasets.common import Example
from agora.guidelines.training.metrics import percent, share
from agora.guidelines.verdict import GUIDELINES


@dataclass(frozen=True)
class Targets:
    """At least ``clean_approved`` of clean comments approved while at most
    ``violating_approved`` of violations are; at least ``violating_rejected`` of violations
    rejected while at most ``clean_rejected`` of clean comments are."""

    clean_approved: float = 0.70
    violating_approved: float = 0.02
    violating_rejected: float = 0.50
    clean_rejected: float = 0.01


TARGETS = Targets()
#: Keys that get a line of their own: the rarest and most harmful violations.
SPOTLIGHT_KEYS = ("threat", "identity_abuse")


def is_clean(row: Example) -> bool:
    """A row its annotators found breaking none of the keys they labelled."""
    values = [v for v in row.labels.values() if v is not None]
    return bool(values) and not any(values)


def is_violating(row: Example, key: str | None = None) -> bool:
    """A row labelled as breaking ``key`` (any key when ``key`` is None)."""
    if key is not None:
        return row.labels.get(key) == 1
    return any(v == 1 for v in row.labels.values())


def cleared(rows: Sequence[Example], keys: Sequence[str]) -> np.ndarray:
    """``(rows, keys)``: whether each row is clean and its annotators said it does not break
    each key, so that rejecting it for that key is a mistake the labels can see.

    Many data sets label one thing: a row of a hate speech set labelled "not hate" is clean
    for identity abuse and says nothing of its swearing. Rejecting it for profanity is not a
    mistake anyone can see, and read, such rejections mostly reject what the policy rejects
    (docs/decisions/0001, "Clean rows rejected")."""
    clean = np.array([is_clean(row) for row in rows], dtype=bool)
    columns = [clean & np.array([row.labels.get(key) == 0 for row in rows]) for key in keys]
    return np.column_stack(columns) if columns else np.zeros((len(rows), 0), dtype=bool)


def rejected_against_labels(
    rows: Sequence[Example], rejecting: Sequence[Iterable[str]]
) -> np.ndarray:
    """Per row, whether one of the guidelines that reject it (``rejecting``, per row) is one
    its annotators said it does not break (:func:`cleared`): the clean rows wrongly
    rejected, as far as the labels tell."""
    against = cleared(rows, GUIDELINES)
    return np.array(
        [
            any(against[i, GUIDELINES.index(key)] for key in keys)
            for i, keys in enumerate(rejecting)
        ],
        dtype=bool,
    )


@dataclass(frozen=True)
class Triage:
    """The four shares over one group of rows (``None`` where the group is empty)."""

    clean: int
    violating: int
    clean_approved: float | None
    #: Rejected for a guideline their annotators said they do not break (the target's share).
    clean_rejected: float | None
    violating_approved: float | None
    violating_rejected: float | None
    #: Rejected for any guideline, those their data set never labelled included.
    clean_rejected_any: float | None = None

    def cells(self) -> str:
        """Markdown cells: clean rows, their shares approved, rejected against their labels
        and rejected at all, then violating rows and their shares approved and rejected."""
        return " | ".join(
            [
                str(self.clean),
                percent(self.clean_approved),
                percent(self.clean_rejected),
                percent(self.clean_rejected_any),
                str(self.violating),
                percent(self.violating_approved),
                percent(self.violating_rejected),
            ]
        )

    def meets(self, targets: Targets = TARGETS) -> dict[str, bool | None]:
        """Which targets these shares meet (``None`` where there are no rows to tell)."""
        return {
            "clean_approved": _at_least(self.clean_approved, targets.clean_approved)
            and self.approves_few_violations(targets),
            "violating_rejected": _at_least(self.violating_rejected, targets.violating_rejected)
            and _at_most(self.clean_rejected, targets.clean_rejected),
        }

    def approves_few_violations(self, targets: Targets = TARGETS) -> bool | None:
        """Whether at most ``targets.violating_approved`` of violations are approved, the
        approval target's second half (``None`` with no violations)."""
        return _at_most(self.violating_approved, targets.violating_approved)


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def triage(
    decisions: np.ndarray,
    clean: np.ndarray,
    violating: np.ndarray,
    wrongly_rejected: np.ndarray | None = None,
) -> Triage:
    """The shares of ``decisions`` (``approve``/``review``/``reject`` per row).

    ``wrongly_rejected`` (:func:`rejected_against_labels`) marks the rejections the labels
    show to be mistakes; without it every rejected clean row is one, as for rows labelled
    for every guideline (a newsroom's own decisions)."""
    decisions = np.asarray(decisions)
    rejected = decisions == "reject"
    wrong = rejected if wrongly_rejected is None else rejected & wrongly_rejected
    return Triage(
        clean=int(clean.sum()),
        violating=int(violating.sum()),
        clean_approved=share(decisions[clean] == "approve"),
        clean_rejected=share(wrong[clean]),
        violating_approved=share(decisions[violating] == "approve"),
        violating_rejected=share(rejected[violating]),
        clean_rejected_any=share(rejected[clean]),
    )


def triage_rows(
    rows: list[Example], decisions: np.ndarray, rejecting: Sequence[Iterable[str]]
) -> dict[str, Triage]:
    """``"all"`` violations, then each spotlight key's, all against every clean row;
    ``rejecting`` names, per row, the guidelines that reject it."""
    clean = np.array([is_clean(row) for row in rows], dtype=bool)
    wrong = rejected_against_labels(rows, rejecting)
    groups = {"all": np.array([is_violating(row) for row in rows], dtype=bool)}
    for key in SPOTLIGHT_KEYS:
        groups[key] = np.array([is_violating(row, key) for row in rows], dtype=bool)
    return {name: triage(decisions, clean, mask, wrong) for name, mask in groups.items()}


TABLE_HEADER = [
    "| language | violations | clean rows | clean approved | clean rejected "
    "| clean rejected, any guideline | violating rows | violating approved "
    "| violating rejected |",
    "|---|---|---|---|---|---|---|---|---|",
]


def table_lines(lang: str, results: dict[str, Triage]) -> list[str]:
    """Markdown rows of :data:`TABLE_HEADER` for one language."""
    lines = []
    for name, t in results.items():
        label = "all" if name == "all" else f"{name} only"
        lines.append(f"| {lang} | {label} | {t.cells()} |")
    return lines


#: The cause named for a comment sent to review because a required key has no score (its
#: language is not covered, say).
UNSCORED = "(no score)"


def causes_under(
    policy: Policy, lang: str, scores: dict[str, float | None], source_key: Callable[[str], str]
) -> frozenset[tuple[str, ...]]:
    """:func:`causes_of` one comment's ``scores`` under ``policy``: the guidelines it
    flags, and whether a required key has no score."""
    return causes_of(policy.flagged(lang, scores), bool(policy.unscored(scores)), source_key)


def causes_of(
    flagged: Iterable[str], unscored: bool, source_key: Callable[[str], str]
) -> frozenset[tuple[str, ...]]:
    """What sent one comment to review: the ``flagged`` guidelines grouped by the model key
    whose score they read (a stand-in scoring four guidelines is one cause, not four, its
    guidelines in :data:`GUIDELINES` order), and :data:`UNSCORED` when a required key has
    no score."""
    groups: dict[str, list[str]] = {}
    for key in sorted(flagged, key=GUIDELINES.index):  # one name for a cause, whatever the order
        groups.setdefault(source_key(key), []).append(key)
    causes = {tuple(keys) for keys in groups.values()}
    if unscored:
        causes.add((UNSCORED,))
    return frozenset(causes)


@dataclass(frozen=True)
class ReviewCause:
    """One cause of reviews (:func:`causes_of`); counts are of comments the policy sent to
    review."""

    cause: tuple[str, ...]
    #: Clean comments it flagged, with or without other causes.
    clean: int
    #: Clean comments only it flagged: approved if it never asked for review.
    clean_alone: int
    #: Violations only it flagged: approved if it never asked for review.
    violating_alone: int


def review_causes(
    causes: Sequence[frozenset[tuple[str, ...]]],
    decisions: np.ndarray,
    clean: np.ndarray,
    violating: np.ndarray,
) -> list[ReviewCause]:
    """What sends comments to review, from each comment's :func:`causes_of`; the cause
    flagging most clean comments first."""
    reviewed = np.asarray(decisions) == "review"
    counts: dict[tuple[str, ...], list[int]] = {}
    for i in np.flatnonzero(reviewed):
        alone = len(causes[i]) == 1
        for cause in causes[i]:
            tally = counts.setdefault(cause, [0, 0, 0])
            tally[0] += int(clean[i])
            tally[1] += int(clean[i] and alone)
            tally[2] += int(violating[i] and alone)
    found = [ReviewCause(cause, *tally) for cause, tally in counts.items()]
    return sorted(found, key=lambda c: (-c.clean, c.cause))
