"""Fitting and evaluating the off-topic score on real news comments.

No data set labels relevance, so we build pairs from ``en/fox-news-comments`` (reader
comments with the title and description of the article they were posted under):

* on topic: each comment with its own article;
* off topic: the same comment with another article, drawn with a fixed seed.

Comments are split once (fixed seed) into a fitting half and a test half.
:func:`calibrate` fits the logistic calibration (contrast -> probability of off topic) and
the review threshold on the fitting half (``agora train --relevance``); :func:`report`
measures everything on the test half, through ``Relevance.off_topic_many`` exactly as the
engine calls it (``agora evaluate``). Negatives are drawn three ways, because "another
article" from this set is often about a neighbouring subject (two of the ten threads are
about gender and sexuality, two about immigration and crime...):

* ``random``: any other article (this fits the calibration);
* ``other topic``: an article from a different topic group (keyword rules below);
* ``same topic``: another article of the same group (hard; shows the limits).

A fourth row uses the thread structure: a reply with its own article and its parent,
against the same reply with another article and a comment from that other thread as parent.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from agora.guidelines.manifest import sha256_file
from agora.guidelines.relevance import (
    ARTIFACT_DIR,
    CALIBRATION_FILE,
    DIM,
    MODEL,
    SCREEN,
    Relevance,
    is_generic_reaction,
    targets_of,
)
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR
from agora.guidelines.training.metrics import roc_auc

DATA_FILE = Path("en") / "fox-news-comments" / "fox-news-comments.json"
LICENCE = "MIT (README and LICENSE file of the data set); see en/fox-news-comments/SOURCE.md"
SEED = 20240611
#: Share of on-topic fitting pairs the review threshold may flag: off_topic alone sends a
#: comment to review, so this caps the extra work it gives moderators.
REVIEW_BUDGET = 0.10
#: The screen's cut-off is the highest of ``SCREEN_CUTS`` at which it takes away at most
#: this share of the transformer's flags on the fitting pairs.
SCREEN_LOSS = 0.01
SCREEN_CUTS = np.round(np.arange(0.05, 0.55, 0.05), 2)
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


@dataclass
class Corpus:
    """Distinct comments (``text``, ``article`` index, ``parent`` text or None) and the
    articles' ``(title, description)``, with each article's topic group."""

    comments: list[dict]
    articles: list[tuple[str, str]]
    groups: list[str]

    @classmethod
    def load(cls, data_dir: Path = DEFAULT_DATA_DIR) -> Corpus:
        seen, comments, articles = set(), [], []
        for line in (Path(data_dir) / DATA_FILE).read_text(encoding="utf-8").splitlines():
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
                {"text": row["text"], "article": articles.index(article), "parent": row["prev"]}
            )
        groups = [topic(f"{title} {meta}") for title, meta in articles]
        return cls(comments, articles, groups)

    def halves(self) -> tuple[list[dict], list[dict]]:
        """The fitting half and the test half of the comments (fixed seed)."""
        shuffled = self.comments[:]
        random.Random(SEED).shuffle(shuffled)
        half = len(shuffled) // 2
        return shuffled[:half], shuffled[half:]

    def pairs(self, comments, how: str, rng: random.Random, with_parent: bool = False):
        """(text, article index, parent, label) rows: each comment with its own article
        (label 0) and with another article chosen by ``how`` (label 1)."""
        by_article = {}
        for c in comments:
            by_article.setdefault(c["article"], []).append(c["text"])
        rows = []
        for c in comments:
            if with_parent and not c["parent"]:
                continue
            own = c["article"]
            others = [a for a in range(len(self.articles)) if a != own]
            if how == "other topic":
                others = [a for a in others if self.groups[a] != self.groups[own]]
            elif how == "same topic":
                others = [a for a in others if self.groups[a] == self.groups[own]]
                if not others:
                    continue
            other = rng.choice(others)
            fake_parent = rng.choice(by_article[other]) if with_parent else None
            rows.append((c["text"], own, c["parent"] if with_parent else None, 0))
            rows.append((c["text"], other, fake_parent, 1))
        return rows


class PairScorer:
    """Scores (comment, article, parent) rows like ``Relevance.off_topic_many`` does, but
    embeds each distinct text once: the pairs reuse every comment several times. The
    embeddings are per text (batch size 1), so they equal the engine's; :meth:`check`
    confirms on a sample that the scores match ``off_topic_many`` exactly."""

    def __init__(self, rel: Relevance, corpus: Corpus):
        self.rel = rel
        texts = [c["text"] for c in corpus.comments]
        texts += [c["parent"] for c in corpus.comments if c["parent"]]
        distinct = sorted(set(texts))
        self.vectors = dict(zip(distinct, rel.text_vectors(distinct, rel.both), strict=True))
        self.articles = [rel.article_vectors(title, meta, "") for title, meta in corpus.articles]

    def _pair(self, row, columns: slice) -> tuple[np.ndarray, np.ndarray]:
        """A row's comment embeddings and targets, of the kind ``columns`` selects."""
        text, article, parent, _ = row
        replied = self.vectors[parent][:, columns] if parent else np.zeros((0, DIM))
        comment = self.vectors[text][:, columns]
        return comment, targets_of(self.articles[article], columns, replied)

    def features(self, rows, columns: slice = MODEL) -> tuple[np.ndarray, ...]:
        """Per row: best raw similarity, contrast (by the transformer, or the screen with
        ``SCREEN``), and whether the reaction rule applies."""
        pairs = [self.rel.relatedness(*self._pair(row, columns), columns) for row in rows]
        reaction = [is_generic_reaction(row[0]) for row in rows]
        return *np.array(pairs).reshape(-1, 2).T, np.array(reaction)

    def scores(self, rows, screened: bool = True) -> np.ndarray:
        """The engine's scores; with ``screened=False`` (or an unscreened model), the
        transformer's on every row."""
        screened = screened and self.rel.screened
        out = np.zeros(len(rows))
        for n, row in enumerate(rows):
            if is_generic_reaction(row[0]):
                continue
            settled = self.rel.settle(*self._pair(row, SCREEN)) if screened else None
            out[n] = (settled or self.rel.judge(*self._pair(row, MODEL)))[0]
        return out

    def settled(self, rows) -> np.ndarray:
        """Whether the screen settles each row (reactions excluded: the rule settles them)."""
        return np.array(
            [
                self.rel.screened
                and not is_generic_reaction(row[0])
                and self.rel.settle(*self._pair(row, SCREEN)) is not None
                for row in rows
            ]
        )

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


def labels_of(rows) -> np.ndarray:
    return np.array([row[3] for row in rows])


def budget_threshold(scores: np.ndarray, labels: np.ndarray, budget: float) -> float:
    """The lowest threshold that flags at most ``budget`` of the on-topic pairs."""
    on_topic = np.sort(scores[labels == 0])
    index = int(np.ceil(len(on_topic) * (1 - budget)))
    return float(np.round(on_topic[min(index, len(on_topic) - 1)] + 5e-4, 3))


def rates(scores, labels, threshold) -> tuple[float, float]:
    """Shares of on-topic and of off-topic pairs flagged at ``threshold``."""
    flagged = scores >= threshold
    return float(flagged[labels == 0].mean()), float(flagged[labels == 1].mean())


def calibrate(
    data_dir: Path = DEFAULT_DATA_DIR, model_dir: Path = ARTIFACT_DIR, command: str = ""
) -> dict:
    """Fit the calibration and review threshold on the fitting half; write and return it.

    The logistic fits use the random-negative pairs that the reaction rule leaves to the
    model (reactions score 0 whatever their similarity): one for the transformer's contrast,
    one for the screen's. The review threshold comes from the transformer alone; then the
    screen's cut-off (``settles_below``) is the highest that takes at most ``SCREEN_LOSS``
    of the transformer's flags away. What it writes doubles as the calibration's manifest:
    command, data hash and licence, and the fitting-half figures.
    """
    corpus = Corpus.load(data_dir)
    fitting, _ = corpus.halves()
    rel = Relevance(model_dir, calibrated=False)
    scorer = PairScorer(rel, corpus)
    rows = corpus.pairs(fitting, "random", random.Random(SEED))
    labels = labels_of(rows)
    similarity, contrast, reaction = scorer.features(rows)
    rel.calibration = _logistic(contrast[~reaction], labels[~reaction])
    scores = scorer.scores(rows, screened=False)
    threshold = budget_threshold(scores, labels, REVIEW_BUDGET)
    screen_contrast = scorer.features(rows, SCREEN)[1]
    screen = _logistic(screen_contrast[~reaction], labels[~reaction])
    rel.calibration["screen"] = screen
    rel.screened = True
    flagged = scores >= threshold
    for cut in SCREEN_CUTS:
        screen["settles_below"] = float(cut)
        if (flagged & scorer.settled(rows)).sum() > SCREEN_LOSS * flagged.sum():
            screen["settles_below"] = round(float(cut) - 0.05, 2)
            break
    shipped = scorer.scores(rows)
    screen["fitting_pairs_settled"] = round(float(scorer.settled(rows).mean()), 4)
    screen["fitting_flags_changed"] = int(((shipped >= threshold) != flagged).sum())
    calibration = {
        **rel.calibration,
        "feature": "contrast: best similarity to article/parent chunks, less background news",
        "review_threshold": threshold,
        "command": command or "agora train --relevance",
        "data": {
            "file": str(DATA_FILE),
            "sha256": sha256_file(Path(data_dir) / DATA_FILE),
            "licence": LICENCE,
            "pairs": "fitting half of the distinct comments, each with its own article and "
            f"with a random other article, seed {SEED}",
        },
        "fitting_pairs": len(rows),
        "fitting_roc_auc": round(roc_auc(labels, shipped), 4),
        "fitting_roc_auc_transformer_alone": round(roc_auc(labels, scores), 4),
        "fitting_roc_auc_plain_similarity": round(roc_auc(labels, -similarity), 4),
    }
    path = Path(model_dir) / CALIBRATION_FILE
    path.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration


def _logistic(contrast: np.ndarray, labels: np.ndarray) -> dict:
    model = LogisticRegression(C=1e4).fit(contrast.reshape(-1, 1), labels)
    return {"slope": float(model.coef_[0, 0]), "intercept": float(model.intercept_[0])}


def data_warnings(data_dir: Path = DEFAULT_DATA_DIR, model_dir: Path = ARTIFACT_DIR) -> list[str]:
    """A warning if the data file differs from the one the calibration was fitted on."""
    recorded = json.loads((Path(model_dir) / CALIBRATION_FILE).read_text(encoding="utf-8"))
    if sha256_file(Path(data_dir) / DATA_FILE) != recorded["data"]["sha256"]:
        return [f"{DATA_FILE} differs from the file the relevance calibration was fitted on"]
    return []


def report(data_dir: Path = DEFAULT_DATA_DIR, rel: Relevance | None = None) -> list[str]:
    """Markdown lines of the test-half evaluation."""
    rel = rel or Relevance.load()
    threshold = rel.calibration["review_threshold"]
    corpus = Corpus.load(data_dir)
    fitting, test = corpus.halves()
    scorer = PairScorer(rel, corpus)
    groups = ", ".join(f"{g} {corpus.groups.count(g)}" for g in dict.fromkeys(corpus.groups))
    lines = [
        f"Data: {DATA_FILE.parent}, {len(corpus.comments)} distinct comments under "
        f"{len(corpus.articles)} articles (title and description; no body), split "
        f"{len(fitting)} fitting / {len(test)} test (seed {SEED}). Each test comment is "
        "scored with its own article (on topic) and with another article (off topic). Topic "
        f"groups (keyword rules in agora/guidelines/training/relevance_eval.py): {groups}.",
        "",
        f"Review threshold **{threshold:.3f}** (chosen by `agora train --relevance` on the "
        f"fitting half: the lowest that flags at most {REVIEW_BUDGET:.0%} of on-topic pairs). "
        "`off_topic` never rejects. The fast screen settles the pairs it finds clearly on "
        f"topic (its probability below {rel.calibration['screen']['settles_below']:.2f}); "
        "the last three columns compare with the transformer scoring every pair.",
        "",
        "| test pairs: negatives drawn from | pairs | ROC-AUC | ROC-AUC of plain similarity "
        "| on-topic flagged | off-topic flagged | settled by the screen "
        "| flags differing from the transformer alone | ROC-AUC of the transformer alone |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    scenarios = [
        ("random other article", "random", False),
        ("article of another topic", "other topic", False),
        ("article of the same topic", "same topic", False),
        ("replies, with parent: other article + a comment of its thread", "random", True),
    ]
    for label, how, with_parent in scenarios:
        rows = corpus.pairs(test, how, random.Random(SEED + 1), with_parent)
        y, scores = labels_of(rows), scorer.scores(rows)
        similarity = scorer.features(rows)[0]
        on, off = rates(scores, y, threshold)
        alone = scorer.scores(rows, screened=False)
        differing = int(((scores >= threshold) != (alone >= threshold)).sum())
        lines.append(
            f"| {label} | {len(rows)} | {roc_auc(y, scores):.3f} | "
            f"{roc_auc(y, -similarity):.3f} | {on:.1%} | {off:.1%} | "
            f"{scorer.settled(rows).mean():.1%} | {differing} | {roc_auc(y, alone):.3f} |"
        )

    rows = corpus.pairs(test, "random", random.Random(SEED + 1))
    y, scores = labels_of(rows), scorer.scores(rows)
    reactions = sum(is_generic_reaction(c["text"]) for c in test)
    lines += [
        "",
        f"Generic reactions (score 0 by rule): {reactions} of {len(test)} test comments "
        f"({reactions / len(test):.1%}).",
        "",
        "| other thresholds (test, random negatives) | on-topic flagged | off-topic flagged |",
        "|---|---|---|",
    ]
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        on, off = rates(scores, y, t)
        lines.append(f"| {t:.1f} | {on:.1%} | {off:.1%} |")
    lines += [
        "",
        "| predicted P(off topic), test, reactions excluded | pairs | observed off topic |",
        "|---|---|---|",
    ]
    modelled = np.array([not is_generic_reaction(row[0]) for row in rows])
    for low in np.arange(0.0, 1.0, 0.2):
        inside = modelled & (scores >= low) & (scores < low + 0.2 + (low >= 0.8))
        if inside.any():
            lines.append(f"| {low:.1f}-{low + 0.2:.1f} | {inside.sum()} | {y[inside].mean():.1%} |")
    lines += [
        "",
        "Check: the scores above equal `Relevance.off_topic_many` on 40 test pairs "
        f"(largest difference {scorer.check(rows):.1e}).",
    ]
    return lines
