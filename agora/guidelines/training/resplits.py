"""The default policy on other splits of the validation rows: how far its triage moves.

The triage ``agora evaluate`` reports is one draw: thresholds chosen on the calibration
half, measured on the evaluation half. What a newsroom should expect on comments nobody
has labelled is how the same choice does on rows it did not see, again and again: the
validation rows (both halves) are split into two halves :data:`RESPLITS` times, with other
seeds, the thresholds chosen on one half as training chooses them
(:func:`~agora.guidelines.training.train.default_thresholds`) and the triage measured on
the other. The models and their calibration stay as trained; the calibration was fitted on
the first calibration half, now spread over both sides, but it is a monotone map of each
score and does not change which rows a threshold separates.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np

from agora.guidelines.model import LanguageModel
from agora.guidelines.training.datasets.common import SEED, Example, validation_halves
from agora.guidelines.training.train import default_thresholds, policy_triage
from agora.guidelines.training.triage import TARGETS, Triage

#: How many times the validation rows are split again.
RESPLITS = 20
#: Re-split ``i`` uses seed ``SEED + SEED_OFFSET + i``: not the seed of the halves
#: training uses (``SEED + 1``).
SEED_OFFSET = 100
#: The four shares of a triage, in the order the table gives them.
SHARES = ("clean_approved", "clean_rejected", "violating_approved", "violating_rejected")


def resplit_halves(
    rows: Sequence[Example], n: int = RESPLITS, seed: int = SEED
) -> list[tuple[list[int], list[int]]]:
    """For each re-split, the positions in ``rows`` of the half thresholds are chosen on
    and of the half they are measured on."""
    position = {id(row): i for i, row in enumerate(rows)}
    halves = []
    for i in range(n):
        first, second = validation_halves(list(rows), seed=seed + SEED_OFFSET + i)
        halves.append(([position[id(r)] for r in first], [position[id(r)] for r in second]))
    return halves


def resplit_triages(
    model: LanguageModel,
    rows: list[Example],
    probabilities: np.ndarray,
    scored: np.ndarray,
    cued: list[bool],
    n: int = RESPLITS,
    seed: int = SEED,
) -> list[Triage]:
    """The triage of each re-split's second half under thresholds chosen on its first.

    ``probabilities``, ``scored`` and ``cued`` are
    :func:`~agora.guidelines.training.train.predicted`'s for ``rows``."""
    out = []
    for chosen_on, measured_on in resplit_halves(rows, n, seed):
        thresholds = default_thresholds(model, scored[chosen_on], [rows[i] for i in chosen_on])
        out.append(
            policy_triage(
                model,
                thresholds,
                [rows[i] for i in measured_on],
                probabilities[measured_on],
                [cued[i] for i in measured_on],
            )
        )
    return out


def _spread(values: list[float | None]) -> str:
    """Mean, standard deviation and range of shares, in percent ("-" with none)."""
    percents = [100 * v for v in values if v is not None]
    if not percents:
        return "-"
    sd = statistics.pstdev(percents)
    return (
        f"{statistics.mean(percents):.1f}% (sd {sd:.1f}; {min(percents):.1f}-{max(percents):.1f})"
    )


def _met(triages: list[Triage], target: str) -> str:
    return f"{sum(bool(t.meets(TARGETS)[target]) for t in triages)}/{len(triages)}"


def resplit_section(results: dict[str, list[Triage]]) -> list[str]:
    """The markdown section of ``agora evaluate``: per language, each share's mean,
    standard deviation and range over the re-splits, and in how many each target held."""
    out = [
        "## Triage on other splits of the validation rows",
        "",
        "The triage above is one draw. Here each language's validation rows (both halves) are "
        f"split into two halves {RESPLITS} times with other seeds, the default thresholds "
        "chosen on one half as training chooses them and the triage measured on the other "
        "(the models and their calibration as trained; agora/guidelines/training/resplits.py). "
        "Each cell: mean (standard deviation; lowest-highest) over the re-splits. *Approval "
        "target* counts the re-splits with at least "
        f"{TARGETS.clean_approved:.0%} of clean rows approved and at most "
        f"{TARGETS.violating_approved:.0%} of violations approved; *at most "
        f"{TARGETS.violating_approved:.0%} approved* the second half of it alone; *rejection "
        f"target* at least {TARGETS.violating_rejected:.0%} of violations rejected and at "
        f"most {TARGETS.clean_rejected:.0%} of clean rows rejected.",
        "",
        "| language | clean approved | clean rejected | violating approved | violating "
        f"rejected | approval target | at most {TARGETS.violating_approved:.0%} approved "
        "| rejection target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lang, triages in results.items():
        cells = [_spread([getattr(t, share) for t in triages]) for share in SHARES]
        within = sum(bool(t.approves_few_violations(TARGETS)) for t in triages)
        out.append(
            f"| {lang} | {' | '.join(cells)} | {_met(triages, 'clean_approved')} "
            f"| {within}/{len(triages)} | {_met(triages, 'violating_rejected')} |"
        )
    return out
