"""What a reaction emoji at the end of a comment does to its decision.

Readers end comments with "👍", "😂" or "🙏" as often as with a full stop, and an emoji
says nothing about whether the words before it break a guideline. So a clean comment the
engine approves should stay approved with one added, and a violation it stops should not
get through with one. :func:`reaction_section` measures both on the evaluation half: a
seeded sample of each language's approved clean rows and of its violations that were not
approved, each judged again with every emoji of :data:`REACTIONS` appended.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agora.guidelines.training.metrics import percent, share
from agora.guidelines.training.triage import is_clean, is_violating
from agora.guidelines.verdict import CommentInput

#: Emoji readers add to comments: laughter, approval, thanks, anger, doubt, sorrow, a flag.
REACTIONS = ("😂", "🤣", "👍", "❤️", "🙏", "👏", "😡", "🤔", "🙄", "😢", "🔥", "🇺🇸")
#: Rows of each kind tried per language (all of them where there are fewer).
SAMPLE = 500
SEED = 7


def _sample(indices: np.ndarray, seed: int) -> np.ndarray:
    if len(indices) <= SAMPLE:
        return indices
    return np.sort(np.random.default_rng(seed).choice(indices, SAMPLE, replace=False))


def _decisions(engine, lang: str, texts: Sequence[str]) -> np.ndarray:
    verdicts = engine.judge_many([CommentInput(text, lang=lang) for text in texts])
    return np.array([verdict.decision for verdict in verdicts])


def reaction_rows(
    engine, lang: str, rows, decisions: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per emoji, over the rows tried: whether each approved clean row is no longer
    approved, and whether each stopped violation is now approved."""
    approved = decisions == "approve"
    clean = _sample(np.flatnonzero(np.array([is_clean(r) for r in rows]) & approved), SEED)
    stopped = _sample(np.flatnonzero(np.array([is_violating(r) for r in rows]) & ~approved), SEED)
    out = {}
    for emoji in REACTIONS:
        clean_after = _decisions(engine, lang, [f"{rows[i].text} {emoji}" for i in clean])
        stopped_after = _decisions(engine, lang, [f"{rows[i].text} {emoji}" for i in stopped])
        out[emoji] = (clean_after != "approve", stopped_after == "approve")
    return out


def reaction_section(engine, runs) -> list[str]:
    """Markdown: for each emoji and language, the share of approved clean rows it sends
    to review or rejection, and the share of stopped violations it gets approved."""
    tried = {run.lang: reaction_rows(engine, run.lang, run.rows, run.decisions) for run in runs}
    first = {lang: per[REACTIONS[0]] for lang, per in tried.items()}
    sizes = ", ".join(f"{lang} {len(c)} and {len(v)}" for lang, (c, v) in first.items())
    out = [
        "## Reaction emoji",
        "",
        "A seeded sample of each language's clean rows that the default policy approves and "
        "of its violating rows that it does not, judged again with an emoji appended "
        f"(agora/guidelines/training/reactions.py; rows tried: {sizes}). Each cell: the share "
        "of the clean rows no longer approved / the share of the violations now approved. "
        "Both should be near zero: an emoji does not change what the words say.",
        "",
        "| emoji | " + " | ".join(tried) + " |",
        "|---|" + "---|" * len(tried),
    ]
    for emoji in REACTIONS:
        cells = [
            f"{percent(share(c))} / {percent(share(v))}"
            for c, v in (per[emoji] for per in tried.values())
        ]
        out.append(f"| {emoji} | " + " | ".join(cells) + " |")
    return out
