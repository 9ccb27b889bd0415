"""What thresholds fitted to a newsroom's own decisions do, simulated on labelled data.

Each labelled data set stands for one newsroom: its annotators' labels for the decisions of
its moderators (a clean row approved, a violating row rejected for the first guideline it
breaks), its evaluation-half rows (which played no part in training or in choosing the
default thresholds) in a seeded random order for the order they were decided in. As
``agora fit_policy`` does on a real site (``agora.guidelines.training.site_policy``), the
thresholds are chosen on the older half and both policies are checked on the newer half:
the default thresholds, and the fitted ones. A set takes part when its older half holds
enough decisions to fit (``site_policy.MIN_CLEAN`` approvals and ``MIN_VIOLATING``
rejections).

    .venv/bin/python bench/policy_fit.py   # prints and writes bench/results/policy_fit.md
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agora.guidelines import CommentInput, Engine  # noqa: E402
from agora.guidelines.policy import REQUIRED_KEYS  # noqa: E402
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR  # noqa: E402
from agora.guidelines.training.datasets.common import SEED, Example  # noqa: E402
from agora.guidelines.training.evaluate import evaluation_rows  # noqa: E402
from agora.guidelines.training.site_policy import OTHER, Decided, fit_language  # noqa: E402
from agora.guidelines.training.triage import is_clean, is_violating  # noqa: E402

RESULTS = REPO / "bench" / "results" / "policy_fit.md"
LANGUAGES = ("en", "ar", "tr", "fa")


def decided(
    row: Example, scores: dict[str, float | None], stand_ins: dict[str, str]
) -> Decided | None:
    """``row``'s label as a moderator's decision (``None`` for a row labelled neither
    clean nor violating). A row labelled only ``offensive`` is rejected for the first key
    whose score is the ``offensive`` model's (``stand_ins``), as a moderator would name
    one guideline."""
    if is_clean(row):
        return Decided(row.lang, scores, None)
    if not is_violating(row):
        return None
    broken = [key for key in REQUIRED_KEYS if row.labels.get(key) == 1]
    if not broken and row.labels.get("offensive") == 1:
        broken = [key for key in REQUIRED_KEYS if stand_ins.get(key) == "offensive"]
    return Decided(row.lang, scores, broken[0] if broken else OTHER)


def newsrooms(engine: Engine, lang: str) -> dict[str, list[Decided]]:
    """Per data set of ``lang``, its evaluation half as decisions in a seeded order."""
    rows = evaluation_rows(DEFAULT_DATA_DIR, lang, SEED)
    verdicts = engine.judge_many([CommentInput(row.text, lang=lang) for row in rows])
    by_set: dict[str, list[Decided]] = {}
    for row, verdict in zip(rows, verdicts, strict=True):
        comment = decided(row, verdict.scores, engine.models[lang].stand_ins)
        if comment is not None:
            by_set.setdefault(row.source, []).append(comment)
    for source, comments in by_set.items():
        random.Random(f"{SEED}:{source}").shuffle(comments)
    return by_set


def main() -> int:
    started = time.monotonic()
    engine = Engine.load()
    header = [
        "| data set (one newsroom) | decisions fitted / checked | policy | clean rows "
        "| clean approved | clean rejected | clean rejected, any guideline | violating rows "
        "| violating approved | violating rejected |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines, skipped = [], []
    for lang in LANGUAGES:
        for source, comments in sorted(newsrooms(engine, lang).items()):
            fit = fit_language(lang, comments, engine.policy)
            if fit.before is None or fit.after is None:
                skipped.append(f"- {source}: {fit.why_not}.")
                continue
            for name, t in (("default", fit.before), ("fitted", fit.after)):
                lines.append(
                    f"| {source} | {fit.fitted_on} / {fit.checked_on} | {name} | {t.cells()} |"
                )
    report = "\n".join(
        [
            "# Thresholds fitted to a newsroom's decisions (simulated)",
            "",
            f"Model `{engine.model_version}`; each data set's evaluation half as one "
            "newsroom's decisions, fitted on the older half, checked on the newer half "
            f"(bench/policy_fit.py; {time.monotonic() - started:.0f} s).",
            "",
            *header,
            *lines,
            "",
            "Too few decisions to fit:",
            "",
            *skipped,
            "",
        ]
    )
    print(report)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
