"""``agora evaluate``: how the committed models do on the evaluation half of validation.

The evaluation half (see
:func:`agora.guidelines.training.datasets.common.validation_halves`) took no part in
training, calibration or choosing thresholds. Every row goes through the engine with its
language given, exactly as ``agora score`` would judge it, and through the peers
that cover its language, on the same rows. Printed to stdout and written to
``docs/evaluation.md``, with ROC curves in ``docs/roc.png``.

Columns, per key and data set (rows that set labels for the key):

* AUC - ROC-AUC of our score, then of each peer's score;
* P / R / F1 reject - precision, recall and F1 of "score reaches the key's reject
  threshold" (what automatic rejection would do);
* caught - share of the key's violations whose score reaches review or reject;
* clean rej. - share of clean rows (breaking nothing they are labelled for) that this key
  alone would reject;
* F1 / macro-F1 - F1, and the mean of the F1 on violations and on the other rows, of a
  single yes/no decision: ours is "probability at least 0.5" (more likely than not), each
  peer's is its own default decision.

Peers' own training data may overlap these rows (alt-profanity-check was trained on the
Davidson and Jigsaw sets), which flatters them there.

``offensive`` (ar, tr, fa) is the generic decision of sets that do not say which guideline
a comment breaks; where it stands in for profanity and personal attacks, those rows show
its score.

``off_topic`` has no labelled data; after the English table comes its own evaluation on
news comments paired with their own and with another article
(:func:`agora.guidelines.training.relevance_eval.report`). Below it, per language and data set, the
policy as a whole: share of clean comments rejected and approved, share of violations that
get review or reject; how far that triage moves when the thresholds are chosen on other
splits of the validation rows (:mod:`agora.guidelines.training.resplits`); then what sends
clean comments to review, what sentences, threat cues
and an appended emoji (:mod:`agora.guidelines.training.reactions`) change.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from agora.guidelines.encoder import pooled
from agora.guidelines.engine import LANGUAGE_NAMES, Engine
from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest, sha256_file
from agora.guidelines.model import SENTENCE_FLOOR, SENTENCE_SCORE, Scored
from agora.guidelines.normalize import normalize
from agora.guidelines.policy import REQUIRED_KEYS
from agora.guidelines.sentences import sentence_spans
from agora.guidelines.threat_cues import CUE_PROBABILITY, find_threat_cues
from agora.guidelines.training import functional, relevance_eval
from agora.guidelines.training.calibrating import reliability
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR
from agora.guidelines.training.datasets.common import Example, validation_halves
from agora.guidelines.training.metrics import (
    count_and_percent,
    macro_f1,
    percent,
    precision_recall_f1,
    roc_auc,
    share,
)
from agora.guidelines.training.peers import Peer, peers_for
from agora.guidelines.training.reactions import reaction_section
from agora.guidelines.training.resplits import RESPLITS, resplit_section, resplit_triages
from agora.guidelines.training.train import (
    labels_of,
    predicted,
    sentences_of,
    validation_rows,
)
from agora.guidelines.training.triage import (
    TABLE_HEADER,
    TARGETS,
    Triage,
    causes_under,
    is_clean,
    is_violating,
    rejected_against_labels,
    review_causes,
    table_lines,
    triage,
    triage_rows,
)
from agora.guidelines.verdict import (
    AUXILIARY_KEYS,
    GUIDELINES,
    LANGUAGES,
    MODEL_KEYS,
    CommentInput,
)

BATCH_SIZE = 512


@dataclass
class LanguageRun:
    """The evaluation rows of one language with our scores, decisions and peer outputs."""

    lang: str
    rows: list[Example]
    scores: dict[str, np.ndarray]  # key -> score per row (nan where unscored)
    decisions: np.ndarray
    peers: list[Peer]
    peer_scores: dict[str, np.ndarray]
    peer_decisions: dict[str, np.ndarray]
    #: Per row: whether one of its sentences raised a guideline's score, and the decision
    #: the comment would have had, read whole only.
    raised: np.ndarray
    read_whole: np.ndarray
    #: Per row, what sent it to review (:func:`causes_under`).
    causes: list[frozenset[tuple[str, ...]]]
    #: Per row, the guidelines that reject it (``Policy.rejecting``).
    rejecting: list[list[str]]


def evaluation_rows(data_dir: Path, lang: str, seed: int) -> list[Example]:
    """The evaluation half of ``lang``'s validation split, as training made it."""
    return validation_halves(validation_rows(data_dir, lang, seed), seed=seed)[1]


def resplit_language(engine: Engine, lang: str, rows: list[Example]) -> list[Triage]:
    """The triages of :func:`~agora.guidelines.training.resplits.resplit_triages` for
    ``lang``'s validation ``rows``."""
    model = engine.models[lang]
    print(f"{lang}: thresholds chosen on {RESPLITS} other splits", file=sys.stderr)
    predictions = predicted(model, rows, engine.encoder if model.encoded else None)
    return resplit_triages(model, rows, *predictions)


def run_language(engine: Engine, lang: str, rows: list[Example]) -> LanguageRun:
    """Verdicts (scores, decisions) for every row; auxiliary keys straight from the model."""
    scores = {key: np.full(len(rows), np.nan) for key in MODEL_KEYS}
    decisions, causes, rejecting = [], [], []
    model = engine.models[lang]
    with tqdm(total=len(rows), desc=f"{lang}: evaluate", unit="row", file=sys.stderr) as bar:
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            verdicts = engine.judge_many([CommentInput(row.text, lang=lang) for row in chunk])
            for i, verdict in enumerate(verdicts, start=start):
                for key, value in verdict.scores.items():
                    scores[key][i] = np.nan if value is None else value
                decisions.append(verdict.decision)
                causes.append(causes_under(engine.policy, lang, verdict.scores, model.source_key))
                rejecting.append(engine.policy.rejecting(lang, verdict.scores))
            bar.update(len(chunk))
    embeddings = None
    if model.encoded:
        vectors = engine.encoder.text_vectors([row.text for row in rows])
        embeddings = pooled(vectors, engine.encoder.dim)
    normalized = [normalize(row.text, lang).text for row in rows]
    scored = model.score(normalized, embeddings, sentences_of(model, rows, engine.encoder))
    for key in AUXILIARY_KEYS:
        if key in model.keys:
            scores[key] = scored.probabilities[:, model.keys.index(key)]
    raised, read_whole = _read_whole(engine, lang, normalized, scored, scores)
    read_whole = np.where(raised, read_whole, np.array(decisions))
    peers = peers_for(lang)
    texts = [row.text for row in rows]
    peer_scores, peer_decisions = {}, {}
    for peer in tqdm(peers, desc=f"{lang}: peers", unit="peer", file=sys.stderr):
        peer_scores[peer.name], peer_decisions[peer.name] = _peer_outputs(peer, lang, texts)
    return LanguageRun(
        lang,
        rows,
        scores,
        np.array(decisions),
        peers,
        peer_scores,
        peer_decisions,
        raised,
        read_whole,
        causes,
        rejecting,
    )


def _read_whole(
    engine: Engine,
    lang: str,
    normalized: list[str],
    scored: Scored,
    scores: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows one of their sentences raised on a guideline, and the decision each row
    would get from its scores read whole (the threat cues and relevance as they are)."""
    model = engine.models[lang]
    raised = np.array([bool(model.raised_guidelines(row)) for row in scored.raised_by])
    decisions = np.full(len(normalized), "", dtype=object)
    for i in np.flatnonzero(raised):
        cued = bool(find_threat_cues(normalized[i], lang))
        row = {key: (None if np.isnan(v[i]) else float(v[i])) for key, v in scores.items()}
        row.update(model.guideline_scores(scored.whole[i], threat_cued=cued))
        decisions[i] = engine.policy.decide(lang, row)
    return raised, decisions


def _peer_outputs(peer: Peer, lang: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A peer's scores and decisions on ``texts``, cached on disk by peer and texts.

    Peers do not change when our models do, and some are slow (better-profanity takes about
    80 ms a comment), so a re-run after training reads them back. The cache holds numbers
    only, under ``$XDG_CACHE_HOME/agora`` (default ``~/.cache/agora``), never in the repo.
    """
    digest = hashlib.sha256("\x00".join([peer.name, lang, *texts]).encode()).hexdigest()[:20]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "agora"
    path = cache / f"peer-{digest}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            return stored["scores"], stored["decisions"]
    scores, decisions = peer.score(texts), peer.decide(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, scores=scores, decisions=decisions)
    return scores, decisions


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def key_table(run: LanguageRun, engine: Engine) -> list[str]:
    """Markdown rows: one per (key, data set) plus an "all sets" row per key."""
    peer_names = [peer.name for peer in run.peers]
    header = (
        ["key", "data set", "rows", "pos.", "AUC"]
        + [f"AUC {n}" for n in peer_names]
        + ["P reject", "R reject", "F1 reject", "caught", "clean rej.", "F1", "macro-F1"]
        + [f"{measure} {n}" for n in peer_names for measure in ("F1", "macro-F1")]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    clean = np.array([is_clean(row) for row in run.rows])
    sources = sorted({row.source for row in run.rows})
    model = engine.models[run.lang]
    for key in MODEL_KEYS:
        if key not in model.keys and key not in model.stand_ins:
            continue
        index, y = labels_of(run.rows, key)
        if not len(index):
            continue
        has_limits = key in engine.policy.required or key in AUXILIARY_KEYS
        limits = engine.policy.threshold(run.lang, key) if has_limits else None
        row_sources = np.array([run.rows[i].source for i in index])
        for source in [*sources, "all sets"]:
            mask = np.ones(len(index), bool) if source == "all sets" else row_sources == source
            if not y[mask].any() or (source != "all sets" and y[mask].all()):
                continue  # a set without violations (or only violations) says little here
            lines.append(_key_row(run, key, source, index[mask], y[mask], clean, limits))
    return lines


def _key_row(run, key, source, index, y, clean, limits) -> str:
    s = run.scores[key][index]
    cells = [key, source, str(len(index)), str(int(y.sum())), _fmt(roc_auc(y, s))]
    cells += [_fmt(roc_auc(y, run.peer_scores[p.name][index])) for p in run.peers]
    if limits is None:  # identity sub-keys: scores only, no decision of their own
        cells += ["-"] * 5
    else:
        precision, recall, f1 = precision_recall_f1(y, s >= limits.reject)
        caught = share(s[y == 1] >= limits.review)
        clean_rows = clean[index] & (y == 0)
        cells += [_fmt(precision), _fmt(recall), _fmt(f1), percent(caught)]
        cells += [percent(share(s[clean_rows] >= limits.reject))]
    likely = s >= 0.5
    cells += [_fmt(precision_recall_f1(y, likely)[2]), _fmt(macro_f1(y, likely))]
    for peer in run.peers:
        decided = run.peer_decisions[peer.name][index]
        cells += [_fmt(precision_recall_f1(y, decided)[2]), _fmt(macro_f1(y, decided))]
    return "| " + " | ".join(cells) + " |"


def policy_table(run: LanguageRun) -> list[str]:
    """Markdown rows: the whole policy's triage per data set (all violations together)."""
    lines = [
        "| language | data set | clean rows | clean approved | clean rejected "
        "| clean rejected, any guideline | violating rows | violating approved "
        "| violating rejected |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    clean = np.array([is_clean(row) for row in run.rows], dtype=bool)
    violating = np.array([is_violating(row) for row in run.rows], dtype=bool)
    wrong = rejected_against_labels(run.rows, run.rejecting)
    sources = np.array([row.source for row in run.rows])
    for source in [*sorted(set(sources)), "all sets"]:
        mask = np.ones(len(run.rows), bool) if source == "all sets" else sources == source
        t = triage(run.decisions, clean & mask, violating & mask, wrong)
        lines.append(f"| {run.lang} | {source} | {t.cells()} |")
    return lines


def triage_section(runs: list[LanguageRun], engine: Engine) -> list[str]:
    """The triage table per language against the targets, then per data set."""
    targets = TARGETS
    out = [
        "## Triage: what the default policy does to a moderator's work",
        "",
        f"Targets: at least {targets.clean_approved:.0%} of clean comments approved while at "
        f"most {targets.violating_approved:.0%} of violating comments are; at least "
        f"{targets.violating_rejected:.0%} of violating comments rejected while at most "
        f"{targets.clean_rejected:.0%} of clean comments are. Threats and identity abuse "
        "also on their own lines (against every clean row). A clean row is one that breaks "
        "none of the guidelines its data set labels; *clean rejected* counts those rejected "
        "for a guideline their annotators said they do not break, the only rejections the "
        "labels show to be mistakes, and *clean rejected, any guideline* also those "
        "rejected for a guideline their data set never labelled (a row labelled only "
        '"not hate" that swears, rejected for profanity; read, such rejections mostly '
        "reject what the policy rejects: docs/decisions/0001).",
        "",
        *TABLE_HEADER,
    ]
    verdicts = []
    for run in runs:
        results = triage_rows(run.rows, run.decisions, run.rejecting)
        out += table_lines(run.lang, results)
        met = results["all"].meets(targets)
        verdicts.append(
            f"- {run.lang}: approval target "
            f"{_met(met['clean_approved'])}, rejection target {_met(met['violating_rejected'])}."
        )
    out += ["", *verdicts, "", *_unvalidated(runs, engine), "", "Per data set:", ""]
    for run in runs:
        out += policy_table(run)[(0 if run is runs[0] else 2) :]
    return out


def review_section(runs: list[LanguageRun]) -> list[str]:
    """What sends comments to review, per language: each cause's clean comments, and what
    switching its review off would approve, clean and violating."""
    out = [
        "## What sends clean comments to review",
        "",
        "Of the comments the default policy sends to a moderator, what asked for the review: "
        "the guidelines whose score reached their review threshold, those that read one "
        "score together (the guidelines a stand-in such as `offensive` scores), or a required "
        "key without a score. "
        "*Alone* counts the comments nothing else flagged, which that key's review alone "
        "keeps from approval: clean ones a moderator reads for nothing, violations it alone "
        "stops. Shares are of all the language's clean or violating rows.",
        "",
        "| language | cause | clean rows it sends to review | of them, it alone "
        "| violating rows it alone sends to review |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        clean = np.array([is_clean(row) for row in run.rows], dtype=bool)
        violating = np.array([is_violating(row) for row in run.rows], dtype=bool)
        n_clean, n_violating = int(clean.sum()), int(violating.sum())
        for cause in review_causes(run.causes, run.decisions, clean, violating):
            cells = [
                count_and_percent(cause.clean, n_clean),
                count_and_percent(cause.clean_alone, n_clean),
                count_and_percent(cause.violating_alone, n_violating),
            ]
            named = ", ".join(f"`{key}`" for key in cause.cause)
            out.append(f"| {run.lang} | {named} | " + " | ".join(cells) + " |")
    return out


def _unvalidated(runs: list[LanguageRun], engine: Engine) -> list[str]:
    """Lines naming each required key with no labelled violation in a language's evaluation
    rows (its score still orders the queue, but nothing here says how good it is), then each
    language the engine recognises but no model reads."""
    lines = []
    for run in runs:
        model = engine.models[run.lang]
        for key in REQUIRED_KEYS:
            if labels_of(run.rows, key)[1].sum():
                continue
            how = (
                f"the `{model.stand_ins[key]}` probability stands in"
                if key in model.stand_ins
                else "scored by its own model"
            )
            lines.append(
                f"- {run.lang} `{key}`: no labelled violation to validate on ({how}); "
                "its score orders the queue."
            )
    lines = lines or ["- Every required key has labelled violations in every language."]
    for lang in LANGUAGES:
        if lang not in engine.models and lang != "other":
            lines.append(
                f"- {lang} ({LANGUAGE_NAMES[lang]}): no model and no labelled data; every "
                "comment goes to review, its queue risk raised by threat cues "
                "(`agora/guidelines/threat_cues.py`) and promotion cues, which nothing here "
                "measures."
            )
    return lines


def _met(value: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measurable"}[value]


def sentence_section(runs: list[LanguageRun]) -> list[str]:
    """What reading comments sentence by sentence does to the decisions: how many rows a
    sentence raised, and what that did to clean rows and to violations."""
    out = [
        "## Sentences",
        "",
        "Rows of the evaluation half with a sentence that reads as breaking a guideline on its "
        f"own (probability at least {SENTENCE_FLOOR:g}) while the whole comment does not, which "
        f"raises the comment's score to {SENTENCE_SCORE:g} (review); and the decisions the same "
        "rows get read whole only. The triage above counts the sentences.",
        "",
        "| language | rows | of several sentences | raised by a sentence | of them clean "
        "| clean, approved if read whole | violating | violating, approved if read whole |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        several = np.array([len(sentence_spans(row.text)) > 1 for row in run.rows])
        clean = np.array([is_clean(row) for row in run.rows])
        violating = np.array([is_violating(row) for row in run.rows])
        approved = run.read_whole == "approve"
        cells = [
            len(run.rows),
            int(several.sum()),
            int(run.raised.sum()),
            int((run.raised & clean).sum()),
            int((run.raised & clean & approved).sum()),
            int((run.raised & violating).sum()),
            int((run.raised & violating & approved).sum()),
        ]
        out.append(f"| {run.lang} | " + " | ".join(str(c) for c in cells) + " |")
    return out


def threat_cue_section(runs: list[LanguageRun]) -> list[str]:
    """How often the threat cues fire on the evaluation half, and on what rows."""
    out = [
        "## Threat cues",
        "",
        "Rows of the evaluation half that word a threat (agora/guidelines/threat_cues.py), "
        "and how their annotators labelled them. A cue raises the threat score to at least "
        f"{CUE_PROBABILITY:g}; the triage above counts it.",
        "",
        "| language | rows | with a cue | labelled threat | labelled another violation "
        "| clean | labelled for threat, no cue | of them threats |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        cued = np.array(
            [bool(find_threat_cues(normalize(r.text, run.lang).text, run.lang)) for r in run.rows]
        )
        threat = np.array([is_violating(row, "threat") for row in run.rows])
        other = np.array([is_violating(row) for row in run.rows]) & ~threat
        clean = np.array([is_clean(row) for row in run.rows])
        labelled = np.array([row.labels.get("threat") is not None for row in run.rows])
        cells = [
            len(run.rows),
            int(cued.sum()),
            int((cued & threat).sum()),
            int((cued & other).sum()),
            int((cued & clean).sum()),
            int((labelled & ~cued).sum()),
            int((threat & ~cued).sum()),
        ]
        out.append(f"| {run.lang} | " + " | ".join(str(c) for c in cells) + " |")
    return out


def reliability_table(run: LanguageRun, engine: Engine) -> list[str]:
    """Markdown rows: how many distinct scores each key gives, then predicted vs observed
    frequency per probability bin, per key."""
    keys = engine.models[run.lang].keys
    lines = [
        "| key | rows labelled | distinct scores |",
        "|---|---|---|",
        *(
            f"| {key} | {len(index)} | {len(np.unique(run.scores[key][index]))} |"
            for key, index in ((key, labels_of(run.rows, key)[0]) for key in keys)
        ),
        "",
        "| key | bin | rows | mean predicted | observed |",
        "|---|---|---|---|---|",
    ]
    for key in keys:
        index, y = labels_of(run.rows, key)
        for row in reliability(run.scores[key][index], y):
            lines.append(
                f"| {key} | {row['bin']} | {row['n']} | {row['predicted']:.3f} "
                f"| {row['observed']:.3f} |"
            )
    return lines


def draw_roc(runs: list[LanguageRun], engine: Engine, path: Path) -> None:
    """ROC curves of every guideline key (all sets pooled), ours beside the peers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    panels = [
        (run, key)
        for run in runs
        for key in GUIDELINES + AUXILIARY_KEYS
        if key in engine.models[run.lang].keys
    ]
    columns = 3
    rows_n = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows_n, columns, figsize=(4 * columns, 3.6 * rows_n))
    axes = np.atleast_1d(axes).ravel()
    for axis, (run, key) in zip(axes, panels, strict=False):
        index, y = labels_of(run.rows, key)
        curves = [("Agora", run.scores[key][index])]
        curves += [(p.name, run.peer_scores[p.name][index]) for p in run.peers]
        for name, s in curves:
            fpr, tpr, _ = roc_curve(y, s)
            axis.plot(fpr, tpr, label=f"{name} ({roc_auc(y, s):.3f})")
        axis.plot([0, 1], [0, 1], color="grey", linewidth=0.5, linestyle=":")
        axis.set_title(f"{run.lang}: {key} ({int(y.sum())} pos. / {len(y)})", fontsize=10)
        axis.set_xlabel("false positive rate", fontsize=8)
        axis.set_ylabel("true positive rate", fontsize=8)
        axis.legend(fontsize=7, loc="lower right")
    for axis in axes[len(panels) :]:
        axis.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _check_data(manifest: dict, data_dir: Path, lang: str) -> list[str]:
    """Warnings for data files that changed since training (the split would differ)."""
    warnings = []
    for source, entry in manifest["data"].items():
        if not source.startswith(f"{lang}/"):
            continue
        for file in entry["files"]:
            path = data_dir / file["path"]
            if not path.exists() or sha256_file(path) != file["sha256"]:
                warnings.append(f"{file['path']} differs from the file the model was trained on")
    return warnings


def evaluate(
    data_dir: Path = DEFAULT_DATA_DIR,
    artifacts_dir: Path = ARTIFACTS_DIR,
    docs_dir: Path | None = None,
) -> str:
    """Evaluate every language model; print the report, write it (and the PNG) to docs."""
    data_dir, artifacts_dir = Path(data_dir), Path(artifacts_dir)
    manifest = read_manifest(artifacts_dir)
    engine = Engine.load(artifacts_dir=artifacts_dir)
    seed = manifest["parameters"]["seed"]
    runs, warnings, resplit = [], [], {}
    for lang in sorted(manifest["languages"], key=lambda lang: (lang != "en", lang)):
        warnings += _check_data(manifest, data_dir, lang)
        validation = validation_rows(data_dir, lang, seed)
        runs.append(run_language(engine, lang, validation_halves(validation, seed=seed)[1]))
        resplit[lang] = resplit_language(engine, lang, validation)

    out = [
        "# Guideline engine: evaluation",
        "",
        f"Model version `{manifest['model_version']}`; evaluation half of each language's "
        f"validation split (seed {seed}); produced by `agora evaluate`.",
        "",
    ]
    relevance_lines = relevance_eval.report(data_dir)
    warnings += relevance_eval.data_warnings(data_dir)
    out += [f"> Warning: {w}" for w in warnings] + ([""] if warnings else [])
    for run in runs:
        out += [f"## {run.lang}: per key and data set ({len(run.rows)} rows)", ""]
        out += key_table(run, engine) + [""]
        if run.lang == "en":
            out += ["## en: off_topic (relevance to the article)", ""] + relevance_lines + [""]
    out += triage_section(runs, engine) + [""]
    out += resplit_section(resplit) + [""]
    out += review_section(runs) + [""]
    out += sentence_section(runs) + [""]
    out += threat_cue_section(runs) + [""]
    out += reaction_section(engine, runs) + [""]
    for run in runs:
        out += [f"## {run.lang}: reliability of the calibrated scores", ""]
        out += reliability_table(run, engine) + [""]
    out += functional.report_section(artifacts_dir)
    report = "\n".join(out)
    print(report)
    if docs_dir is not None:
        docs_dir = Path(docs_dir)
        docs_dir.mkdir(parents=True, exist_ok=True)
        (docs_dir / "evaluation.md").write_text(report, encoding="utf-8")
        draw_roc(runs, engine, docs_dir / "roc.png")
        print(f"wrote {docs_dir / 'evaluation.md'} and {docs_dir / 'roc.png'}", file=sys.stderr)
    return report
