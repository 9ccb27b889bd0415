"""The default policy's thresholds, chosen for what they do to a moderator's work.

A comment is rejected when any key reaches its reject threshold, approved when no key
reaches its review threshold, and reviewed otherwise. Thresholds are chosen together, on
the calibration half, against the triage targets (:mod:`agora.guidelines.training.triage`):

1. **Reject thresholds** (never below ``MIN_REJECT``, more likely than not): start with no
   key rejecting anything, then repeatedly lower the threshold of the key whose next step
   rejects the most violating rows per clean row it rejects, as long as all keys together
   reject at most ``CLEAN_REJECTED_BUDGET`` of the clean rows. A clean row counts against
   the budget when a key its annotators said it does not break rejects it
   (:func:`~agora.guidelines.training.triage.cleared`): a row of a hate speech set
   labelled "not hate" that swears is not a mistake when profanity rejects it.
2. **Review thresholds**: start with no key flagging anything, then repeatedly lower the
   threshold of the key whose next step sends the most of its own still-approved
   violations to review per clean row it takes from approval, until at most
   ``VIOLATING_APPROVED_BUDGET`` of violating rows are approved, and of each of
   ``OWN_BUDGET_KEYS`` (threats, identity abuse, promotion) on its own (where the
   calibration half has enough of them). A key's own budget is not bought at any price:
   once the total is met, a step costs at most ``PRICE_FACTOR`` times the clean rows per
   stopped violation of the dearest step the total took. A hundred spam rows allow one to
   be approved; where the second-quietest scores like the quietest clean comments, stopping
   it once sent a thirteenth of the clean comments to review.
3. Then every key's review threshold comes down, where needed, until it flags at least
   ``REASON_RECALL`` of its own violations, so that the reason a moderator reads names what
   the comment breaks, not only a key that caught it by chance.

Each step moves one key to the next of its candidate thresholds (quantiles of its scores).
A key that ranks its violations well is lowered far; one whose violations look like clean
comments is lowered only as far as the budget needs, instead of every key being held to
the same recall. Both budgets sit inside the targets so that the evaluation half, which
the thresholds never saw, has room to differ.
"""

from __future__ import annotations

import numpy as np

from agora.guidelines.calibration import DECIMALS
from agora.guidelines.policy import Thresholds
from agora.guidelines.training.datasets.common import Example
from agora.guidelines.training.triage import (
    SPOTLIGHT_KEYS,
    TARGETS,
    cleared,
    is_clean,
    is_violating,
)

#: Reject thresholds never go below this probability: more likely than not.
MIN_REJECT = 0.5
#: Shares of the calibration half the default thresholds allow (inside the targets).
VIOLATING_APPROVED_BUDGET = 0.75 * TARGETS.violating_approved
CLEAN_REJECTED_BUDGET = 0.6 * TARGETS.clean_rejected
#: Candidate thresholds per key: this many quantiles of its scores.
STEPS = 400
#: A step's cost counts this many clean rows more, so that among steps that cost no clean
#: row the one that gains most goes first.
SMOOTHING = 0.5
#: A key is held to the approval budget on its own only with this many positives on the
#: calibration half (fewer cannot measure a share of 1.5%).
MIN_KEY_POSITIVES = 30
#: Keys held to the approval budget on their own as well as in the total. A rare, harmful
#: kind (threats, identity abuse) must not hide in the total. Promotion is rare too, and so
#: easy to rank that the total is often met before its review threshold has come down: it
#: then stayed at the floor REASON_RECALL sets (0.45 in English after one retraining, where
#: the next had it at 0.04), and a seventh of the YouTube spam was approved.
OWN_BUDGET_KEYS = (*SPOTLIGHT_KEYS, "promotion")
#: A step taken for some keys' own budgets, the total already met, may cost at most this
#: many times the clean rows per violation it stops of the dearest step taken for the total.
PRICE_FACTOR = 2.0
#: Each key's review threshold flags at least this share of its own violations.
REASON_RECALL = 0.7
#: A review step closes at least this share of the rows (or runs out of candidates): single
#: candidates often close nothing new, and comparing keys on one or two rows is noise.
#: Reject steps go one candidate at a time: the clean budget is a few dozen rows, and a
#: coarse step that overshoots it would stop that key from rejecting anything.
MIN_STEP_SHARE = 0.002


def _candidates(scores: np.ndarray, floor: float) -> np.ndarray:
    """Descending thresholds to try for one key: quantiles of its scores at or above
    ``floor``, on the score grid."""
    above = scores[scores >= floor]
    if not len(above):
        return np.array([], dtype=float)
    grid = np.unique(np.round(np.quantile(above, np.linspace(0, 1, STEPS)), DECIMALS))
    return grid[::-1]


def _lower_greedily(
    scores: np.ndarray,
    floor: float,
    open_rows: np.ndarray,
    gain_rows: np.ndarray,
    cost_rows: np.ndarray,
    verdict,
    min_rows: int = 1,
) -> np.ndarray:
    """Thresholds (one per column of ``scores``, ``inf`` = off) lowered step by step.

    Rows stay "open" until some key's threshold reaches them. Each step lowers, among the
    keys ``verdict`` still wants lowered, the one whose next candidate closes the most of
    its own ``gain_rows`` (one column per key: the rows that key should catch) per row of
    its ``cost_rows`` (one column per key: the rows it should not close) among the open
    rows. ``verdict(open_rows, thresholds)`` judges the state a step would leave: ``("go",
    keys)`` takes it and goes on with those keys (``None``: every key), ``("stop", None)``
    takes it and stops, ``("refuse", None)`` leaves it and stops that key. A step closes at
    least ``min_rows`` open rows (or runs out of candidates). Once ``verdict`` wants some
    keys only, a step that gains less per cost than the dearest step taken for every key,
    divided by :data:`PRICE_FACTOR`, stops that key instead.
    """
    n_keys = scores.shape[1]
    grids = [_candidates(scores[:, k], floor) for k in range(n_keys)]
    position = [0] * n_keys
    thresholds = np.full(n_keys, np.inf)
    open_rows = open_rows.copy()
    stopped = [not len(grid) for grid in grids]
    wanted = None
    # The gain per cost of the dearest step taken while every key was wanted.
    dearest_ratio = np.inf
    while not all(stopped):
        best, best_ratio, best_rows, best_next = None, -1.0, None, 0
        for k in range(n_keys):
            if stopped[k] or (wanted is not None and k not in wanted):
                continue
            own = gain_rows[:, k]
            if not (open_rows & own).any():  # nothing left for this key to catch
                stopped[k] = True
                continue
            # The next candidate that closes enough open rows, one of them a gain, or the
            # last one.
            for next_position in range(position[k], len(grids[k])):
                closing = open_rows & (scores[:, k] >= grids[k][next_position])
                if closing.sum() >= min_rows and (closing & own).any():
                    break
            ratio = (closing & own).sum() / ((closing & cost_rows[:, k]).sum() + SMOOTHING)
            if ratio > best_ratio:
                best, best_ratio, best_rows, best_next = k, ratio, closing, next_position
        if best is None:
            break
        if wanted is not None and best_ratio * PRICE_FACTOR < dearest_ratio:
            stopped[best] = True
            continue
        candidate = thresholds.copy()
        candidate[best] = grids[best][best_next]
        outcome, keys = verdict(open_rows & ~best_rows, candidate)
        if outcome == "refuse":
            stopped[best] = True
            continue
        thresholds = candidate
        if wanted is None:
            dearest_ratio = min(dearest_ratio, best_ratio)
        open_rows &= ~best_rows
        position[best] = best_next + 1
        stopped[best] = position[best] >= len(grids[best])
        if outcome == "stop":
            break
        wanted = keys
    return thresholds


def choose_thresholds(
    probabilities: dict[str, np.ndarray], rows: list[Example]
) -> dict[str, Thresholds]:
    """Review and reject thresholds of the decision keys in ``probabilities`` (each key's
    calibrated score on every one of ``rows``, the calibration half)."""
    keys = list(probabilities)
    clean = np.array([is_clean(row) for row in rows], dtype=bool)
    violating = np.array([is_violating(row) for row in rows], dtype=bool)
    own = np.column_stack(
        [violating & np.array([row.labels.get(key) == 1 for row in rows]) for key in keys]
    )
    scores = np.column_stack([probabilities[key] for key in keys])

    clean_allowed = int(np.floor(CLEAN_REJECTED_BUDGET * clean.sum()))
    against = cleared(rows, keys)

    def within_clean_budget(open_rows, thresholds):
        mistakes = ((scores >= thresholds) & against).any(axis=1).sum()
        return ("refuse" if mistakes > clean_allowed else "go"), None

    reject = _lower_greedily(
        scores,
        MIN_REJECT,
        np.ones(len(rows), dtype=bool),
        np.repeat(violating[:, None], len(keys), axis=1),
        against,
        within_clean_budget,
    )
    rejected = (scores >= reject).any(axis=1)

    # Each key's review threshold comes down to catch its own violations (a key flagging
    # other keys' violations only by chance would buy them with clean rows), until the
    # violations approved are within the budget both together and, for threats, identity
    # abuse and promotion where there are enough positives to tell, on their own (see
    # OWN_BUDGET_KEYS).
    allowed = np.floor(VIOLATING_APPROVED_BUDGET * own.sum(axis=0))
    own_budget = np.array([key in OWN_BUDGET_KEYS for key in keys])
    judged = own_budget & (own.sum(axis=0) >= MIN_KEY_POSITIVES)
    total_allowed = np.floor(VIOLATING_APPROVED_BUDGET * violating.sum())

    def within_approval_budget(open_rows, thresholds):  # the open rows say it all
        over = judged & ((own & open_rows[:, None]).sum(axis=0) > allowed)
        if (violating & open_rows).sum() > total_allowed:
            return "go", None
        return ("go", set(np.flatnonzero(over))) if over.any() else ("stop", None)

    review = reject.copy()
    if within_approval_budget(~rejected, reject)[0] != "stop":
        review = _lower_greedily(
            scores,
            0.0,
            ~rejected,
            own,
            np.repeat(clean[:, None], len(keys), axis=1),
            within_approval_budget,
            min_rows=max(1, int(MIN_STEP_SHARE * len(rows))),
        )
    # A key flags at least REASON_RECALL of its own violations, so that the reason a
    # moderator reads names what the comment breaks (not only a key that caught it by
    # chance).
    for k in range(len(keys)):
        positives = np.sort(scores[own[:, k], k])
        if len(positives) >= MIN_KEY_POSITIVES:
            floor_index = min(int((1 - REASON_RECALL) * len(positives)), len(positives) - 1)
            review[k] = min(review[k], positives[floor_index])
    review = np.minimum(review, reject)
    return {
        key: Thresholds(
            review=float(min(review[k], 1.0)),
            reject=float(min(reject[k], 1.0)),
        )
        for k, key in enumerate(keys)
    }
