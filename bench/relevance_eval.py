"""Evaluate the off-topic score, and fit its calibration, on real news comments.

No data set labels relevance, so we build pairs from ``en/fox-news-comments`` (reader
comments with the title and description of the article they were posted under):

* on topic: each comment with its own article;
* off topic: the same comment with another article, drawn with a fixed seed.

Comments are split once (fixed seed) into validation and test halves. The logistic
calibration (similarity -> probability of off topic) and the review threshold are chosen on
validation; every figure in the table is measured on test, through ``Relevance.off_topic_many``
exactly as the engine calls it. Negatives are drawn three ways, because "another article"
from this set is often about a neighbouring subject (two of the ten threads are about
gender and sexuality, two about immigration and crime...):

* ``random``: any other article (this fits the calibration);
* ``other topic``: an article from a different topic group (groups by keyword rules below);
* ``same topic``: another article of the same group (hard; shows the limits).

A fourth row uses the thread structure: a reply (a comment with a previous comment) with its
own article and its parent, against the same reply with another article and a comment from
that other thread as "parent".

    .venv/bin/python bench/relevance_eval.py            # print and write bench/results/relevance.md
    .venv/bin/python bench/relevance_eval.py --write    # also store the fitted calibration
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agora.guidelines.relevance import (  # noqa: E402
    ARTIFACT_DIR,
    CALIBRATION_FILE,
    Relevance,
    is_generic_reaction,
)

DATA = REPO.parent / "shared" / "data" / "en" / "fox-news-comments" / "fox-news-comments.json"
RESULTS = REPO / "bench" / "results" / "relevance.md"
SEED = 20240611
#: Share of on-topic validation pairs the suggested review threshold may flag.
REVIEW_BUDGET = 0.10
#: Topic groups by keywords in an article's title and description; first match wins.
TOPIC_RULES = (
    ("gender and sexuality", ("transgender", "gay")),
    ("immigration and crime", ("immigra", "rape", "asylum", "migrant")),
    ("race", ("racial", "white", "black lives", "confederate")),
    ("election politics", ("election", "trump")),
    ("social policy", ("food stamp", "welfare", "affirmative action", "income")),
)


def topic(heading: str) -> str:
    lowered = heading.lower()
    for name, words in TOPIC_RULES:
        if any(word in lowered for word in words):
            return name
    return "other"


def load_comments() -> tuple[list[dict], list[tuple[str, str]]]:
    """Distinct comments (whitespace-normalised text) with the index of their article."""
    seen, comments, articles = set(), [], []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        key = re.sub(r"\s+", " ", row["text"]).strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        article = (row["title"].strip(), row["meta"].strip())
        if article not in articles:
            articles.append(article)
        comments.append(
            {"text": row["text"], "article": articles.index(article), "parent": row["prev"] or None}
        )
    return comments, articles


def split(comments: list[dict]) -> tuple[list[dict], list[dict]]:
    shuffled = comments[:]
    random.Random(SEED).shuffle(shuffled)
    half = len(shuffled) // 2
    return shuffled[:half], shuffled[half:]


def pairs(comments, articles, groups, how: str, rng: random.Random, with_parent=False):
    """(text, article index, parent, label) rows: each comment with its own article (label 0)
    and with another article chosen by ``how`` (label 1)."""
    by_article = {}
    for c in comments:
        by_article.setdefault(c["article"], []).append(c["text"])
    rows = []
    for c in comments:
        if with_parent and not c["parent"]:
            continue
        own = c["article"]
        others = [a for a in range(len(articles)) if a != own]
        if how == "other topic":
            others = [a for a in others if groups[a] != groups[own]]
        elif how == "same topic":
            others = [a for a in others if groups[a] == groups[own]]
            if not others:
                continue
        other = rng.choice(others)
        fake_parent = rng.choice(by_article[other]) if with_parent else None
        rows.append((c["text"], own, c["parent"] if with_parent else None, 0))
        rows.append((c["text"], other, fake_parent, 1))
    return rows


def fit_calibration(contrasts: np.ndarray, labels: np.ndarray) -> dict:
    model = LogisticRegression(C=1e4).fit(contrasts.reshape(-1, 1), labels)
    return {"slope": float(model.coef_[0, 0]), "intercept": float(model.intercept_[0])}


def budget_threshold(scores: np.ndarray, labels: np.ndarray, budget: float) -> float:
    """The lowest threshold that flags at most ``budget`` of the on-topic pairs: off_topic
    alone sends a comment to review, so this caps the extra review work it causes."""
    on_topic = np.sort(scores[labels == 0])
    index = int(np.ceil(len(on_topic) * (1 - budget)))
    return float(np.round(on_topic[min(index, len(on_topic) - 1)] + 5e-4, 3))


class PairScorer:
    """Scores (comment, article, parent) rows like ``Relevance.off_topic_many`` does, but
    embeds each distinct text once: the pairs reuse every comment several times. The
    embeddings are per text (batch size 1), so they equal the engine's; ``check`` confirms
    on a sample that the scores match ``off_topic_many`` exactly."""

    def __init__(self, rel: Relevance, texts: list[str], article_vectors: list[np.ndarray]):
        self.rel = rel
        distinct = sorted(set(texts))
        self.vectors = dict(zip(distinct, rel.text_vectors(distinct), strict=True))
        self.articles = article_vectors

    def features(self, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: best raw similarity, contrast, and whether the reaction rule applies."""
        similarity, contrast, reaction = [], [], []
        for text, article, parent, _ in rows:
            targets = [self.articles[article]] + ([self.vectors[parent]] if parent else [])
            sim, con = self.rel.relatedness(self.vectors[text], np.vstack(targets))
            similarity.append(sim)
            contrast.append(con)
            reaction.append(is_generic_reaction(text))
        return np.array(similarity), np.array(contrast), np.array(reaction)

    def scores(self, rows) -> np.ndarray:
        _, contrast, reaction = self.features(rows)
        probabilities = np.array([self.rel.probability(c) for c in contrast])
        return np.where(reaction, 0.0, probabilities)

    def check(self, rows, n: int = 40) -> float:
        """Largest difference from ``off_topic_many`` on ``n`` rows (should be 0)."""
        sample = rows[:n]
        engine = self.rel.off_topic_many(
            [r[0] for r in sample],
            ["en"] * len(sample),
            [self.articles[r[1]] for r in sample],
            [r[2] for r in sample],
        )
        return float(np.abs(np.array([r.score for r in engine]) - self.scores(sample)).max())


def rates(scores, labels, threshold) -> tuple[float, float]:
    flagged = scores >= threshold
    return float(flagged[labels == 0].mean()), float(flagged[labels == 1].mean())


def write_section(path: Path, name: str, text: str) -> None:
    """Replace (or append) the part of ``path`` between ``<!-- name -->`` markers, so the
    evaluation and the speed benchmark can share one results file."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Relevance (off_topic)\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in old:
        before, rest = old.split(start, 1)
        new = before + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the fitted calibration")
    args = parser.parse_args(argv)

    comments, articles = load_comments()
    groups = [topic(f"{title} {meta}") for title, meta in articles]
    validation, test = split(comments)
    rel = Relevance(ARTIFACT_DIR, calibrated=False)
    article_vectors = [rel.article_vectors(title, meta, "") for title, meta in articles]
    texts = [c["text"] for c in comments] + [c["parent"] for c in comments if c["parent"]]
    scorer = PairScorer(rel, texts, article_vectors)

    # Calibration: contrast -> P(off topic), fitted on validation random pairs that the
    # reaction rule leaves to the model (reactions score 0 whatever their similarity).
    val_rows = pairs(validation, articles, groups, "random", random.Random(SEED))
    _, contrast, reaction = scorer.features(val_rows)
    labels = np.array([r[3] for r in val_rows])
    rel.calibration = fit_calibration(contrast[~reaction], labels[~reaction])
    val_scores = scorer.scores(val_rows)
    threshold = budget_threshold(val_scores, labels, REVIEW_BUDGET)
    val_plain = roc_auc_score(labels, -scorer.features(val_rows)[0])
    calibration = {
        **rel.calibration,
        "feature": "contrast: best similarity to article/parent chunks, less background news",
        "fitted_on": "bench/relevance_eval.py: en/fox-news-comments validation half, "
        f"own article vs random other article, seed {SEED}",
        "suggested_review_threshold": threshold,
        "validation_pairs": len(val_rows),
    }
    if args.write:
        (ARTIFACT_DIR / CALIBRATION_FILE).write_text(
            json.dumps(calibration, indent=2) + "\n", encoding="utf-8"
        )

    lines = [
        f"Data: en/fox-news-comments, {len(comments)} distinct comments under {len(articles)} "
        f"articles (title + description only; no body), split {len(validation)} validation / "
        f"{len(test)} test (seed {SEED}). Each comment is scored with its own article "
        "(on topic) and with another article (off topic). Topic groups (keyword rules in "
        "this script): " + ", ".join(f"{g} {groups.count(g)}" for g in dict.fromkeys(groups)) + ".",
        "",
        f"Calibration (validation): P(off topic) = 1 / (1 + exp(-({calibration['intercept']:.3f}"
        f" + {calibration['slope']:.3f} x contrast))); suggested review threshold "
        f"**{threshold:.3f}**: the lowest that flags at most {REVIEW_BUDGET:.0%} of on-topic "
        f"validation pairs. Validation ROC-AUC: {roc_auc_score(labels, val_scores):.3f} "
        f"(plain similarity: {val_plain:.3f}).",
        "",
        "| test pairs: negatives drawn from | pairs | ROC-AUC | ROC-AUC of plain similarity "
        "(no contrast, no reaction rule) | on-topic flagged | off-topic flagged |",
        "|---|---|---|---|---|---|",
    ]
    scenarios = [
        ("random other article", "random", False),
        ("article of another topic", "other topic", False),
        ("article of the same topic", "same topic", False),
        ("replies, with parent: other article + a comment of its thread", "random", True),
    ]
    for label, how, with_parent in scenarios:
        rows = pairs(test, articles, groups, how, random.Random(SEED + 1), with_parent)
        y = np.array([r[3] for r in rows])
        scores = scorer.scores(rows)
        similarity, _, _ = scorer.features(rows)
        on, off = rates(scores, y, threshold)
        lines.append(
            f"| {label} | {len(rows)} | {roc_auc_score(y, scores):.3f} | "
            f"{roc_auc_score(y, -similarity):.3f} | {on:.1%} | {off:.1%} |"
        )

    test_rows = pairs(test, articles, groups, "random", random.Random(SEED + 1))
    y = np.array([r[3] for r in test_rows])
    scores = scorer.scores(test_rows)
    reactions = sum(is_generic_reaction(c["text"]) for c in test)
    lines += [
        "",
        f"Generic reactions (score 0 by rule): {reactions} of {len(test)} test comments "
        f"({reactions / len(test):.1%}).",
        "",
        "Other thresholds (test, random negatives):",
        "",
        "| threshold | on-topic flagged | off-topic flagged |",
        "|---|---|---|",
    ]
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        on, off = rates(scores, y, t)
        lines.append(f"| {t:.1f} | {on:.1%} | {off:.1%} |")
    lines += [
        "",
        "Calibration check (test, random negatives, even mix; reactions excluded):",
        "",
        "| predicted P(off topic) | pairs | observed off topic |",
        "|---|---|---|",
    ]
    modelled = np.array([not is_generic_reaction(r[0]) for r in test_rows])
    for low in np.arange(0.0, 1.0, 0.2):
        inside = modelled & (scores >= low) & (scores < low + 0.2 + (low >= 0.8))
        if inside.any():
            lines.append(f"| {low:.1f}-{low + 0.2:.1f} | {inside.sum()} | {y[inside].mean():.1%} |")
    lines += [
        "",
        f"Check: scores above equal `Relevance.off_topic_many` on 40 test pairs "
        f"(largest difference {scorer.check(test_rows):.1e}).",
        "",
        "Reproduce: `.venv/bin/python bench/relevance_eval.py`",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(RESULTS, "evaluation", "## Quality\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
