"""``agora train``: rebuild every language's guideline model from the labelled data.

For each language with a loader (see :mod:`agora.guidelines.training.datasets`):

1. load its data sets, deduplicate and split rows into train / validation by a fixed seed;
   the validation rows are halved into *calibration* and *evaluation* halves;
2. normalise every text (:func:`agora.guidelines.normalize.normalize`) and fit shared word
   and character n-gram features on the training rows;
3. per key, fit a logistic regression on the training rows that label that key (a data set
   that says nothing about a key does not count as a negative), with balanced class weights,
   comment-domain sets weighted up and each n-gram column scaled by how far it sets the
   key's classes apart (:func:`n_gram_scale`);
4. calibrate each key on the calibration half and choose the policy thresholds there;
5. report ROC-AUC, calibration error and the policy's rates on the evaluation half.

Everything is seeded, so the same data gives the same models. Artifacts are one ``.npz``
per language plus ``manifest.json`` (the command, data files with sha256 and row counts,
licence notes, parameters, validation figures, thresholds and the model version).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import re
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from agora.guidelines.features import CHAR_NGRAMS, CHAR_PARAMS, WORD_PARAMS
from agora.guidelines.head import FOLDS, HIDDEN
from agora.guidelines.manifest import ARTIFACTS_DIR, MANIFEST_NAME, sha256_file
from agora.guidelines.model import STAND_IN_KEYS, LanguageModel
from agora.guidelines.normalize import normalize
from agora.guidelines.policy import REQUIRED_KEYS, Policy, Thresholds
from agora.guidelines.relevance import Reading, Relevance
from agora.guidelines.sentences import Sentences, sentence_spans
from agora.guidelines.threat_cues import find_threat_cues
from agora.guidelines.training import datasets
from agora.guidelines.training.calibrating import (
    expected_calibration_error,
    fit_calibrator,
    reliability,
)
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR
from agora.guidelines.training.datasets.common import SEED, Example, split, validation_halves
from agora.guidelines.training.embedding import embed_for_training
from agora.guidelines.training.featurizing import fit_featurizer
from agora.guidelines.training.heads import EPOCHS, fit_head, fold_of
from agora.guidelines.training.metrics import roc_auc
from agora.guidelines.training.thresholds import (
    CLEAN_REJECTED_BUDGET,
    MIN_REJECT,
    PRICE_FACTOR,
    REASON_RECALL,
    VIOLATING_APPROVED_BUDGET,
    choose_thresholds,
)
from agora.guidelines.training.triage import (
    Triage,
    is_clean,
    is_violating,
    rejected_against_labels,
    triage,
)
from agora.guidelines.verdict import AUXILIARY_KEYS, MODEL_KEYS, SCORE_KEYS

#: Inverse regularisation strength of every key's logistic regression.
C = 1.0
#: Pseudo-count added to each n-gram's row counts in :func:`n_gram_scale`.
SCALE_PSEUDO_COUNT = 1.0
#: A key gets a model only with this many positives in training ...
MIN_TRAIN_POSITIVES = 40
#: ... and this many positives and negatives in each validation half.
MIN_HALF_POSITIVES = 30
#: Weight of the encoder's vector against the n-gram features under one regularisation.
EMBEDDING_SCALE = 2.0
#: Keys that get policy thresholds (the identity sub-keys only qualify identity abuse).
DECISION_KEYS = REQUIRED_KEYS + AUXILIARY_KEYS
PARAMETERS = {
    "seed": SEED,
    "features": {
        "word": {"ngrams": [1, 2], **WORD_PARAMS},
        "char_wb": {"ngrams": list(CHAR_NGRAMS), **CHAR_PARAMS},
    },
    "classifier": {
        "type": "LogisticRegression",
        "solver": "liblinear",
        "dual": True,
        "C": C,
        "class_weight": "balanced",
        "n_gram_scale": "per key, each n-gram column multiplied by the square root of the "
        "absolute log ratio of the shares of violating and clean training rows that have it "
        f"(each count plus {SCALE_PSEUDO_COUNT:g}) while fitting; the stored weights are "
        "the fitted ones times that scale",
    },
    "comment_domain_weight": datasets.COMMENT_DOMAIN_WEIGHT,
    "min_train_positives": MIN_TRAIN_POSITIVES,
    "min_half_positives": MIN_HALF_POSITIVES,
    "encoder": {
        "languages": "those the relevance model's transformer reads",
        "features": "mean of the comment's chunk embeddings: one linear weight per "
        "dimension and key, fitted jointly with the n-grams, and the out-of-fold logit of a "
        "per-key head (one hidden layer, agora/guidelines/head.py) as one more feature",
        "head": {"hidden": HIDDEN, "epochs": EPOCHS, "folds": FOLDS},
        "scale": EMBEDDING_SCALE,
    },
    "calibration": "Platt's sigmoid on the calibration half, every key",
    "thresholds": {
        "method": "greedy, all keys together, on the calibration half "
        "(agora/guidelines/training/thresholds.py)",
        "reject": f">= {MIN_REJECT}, the keys together rejecting at most "
        f"{CLEAN_REJECTED_BUDGET:.1%} of clean rows",
        "review": f"at most {VIOLATING_APPROVED_BUDGET:.1%} of violating rows approved, all "
        f"keys together and threats, identity abuse and promotion each, a key's own share "
        f"bought at most {PRICE_FACTOR:g} times as dear as the total's; every key flagging "
        f"at least {REASON_RECALL:.0%} of its own violations",
    },
}


def labels_of(rows: list[Example], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the rows that label ``key``, and those labels."""
    index = [i for i, row in enumerate(rows) if row.labels.get(key) is not None]
    return np.array(index, dtype=int), np.array([rows[i].labels[key] for i in index], dtype=int)


def _normalise(rows: list[Example], lang: str, bar: tqdm) -> list[str]:
    texts = []
    for row in rows:
        texts.append(normalize(row.text, lang).text)
        bar.update(1)
    return texts


def n_gram_scale(x_grams: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """How far each n-gram column of one key's training rows sets its classes apart: the
    square root of the absolute log ratio of the share of violating rows that have the
    n-gram to the share of clean rows that have it, each count plus
    :data:`SCALE_PSEUDO_COUNT`.

    A key's regression is fitted on its n-gram columns times this scale, so the L2 penalty
    weighs lightly on an n-gram that splits the classes and heavily on one that both
    classes use alike, as most character n-grams are; its weights are stored times the
    scale, so the model scores a TF-IDF row as any linear model does and only the fit
    changes. The square root, not the ratio itself: the full ratio ranked the validation
    rows as well but leaned on the words of the data sets' own spam and on group names
    common in their offensive tweets, and got fewer of the functional suite's cases right
    (docs/decisions/0001, "Each key's n-grams scaled by what they tell").
    """
    # A row has an n-gram where it stores an entry for it: count the stored column indices
    # rather than copy the matrix to set every value to one. The arithmetic stays in the
    # matrix's float32, as the committed models were fitted with it.
    width, dtype = x_grams.shape[1], x_grams.dtype
    violating = np.bincount(x_grams[y == 1].indices, minlength=width).astype(dtype)
    clean = np.bincount(x_grams[y == 0].indices, minlength=width).astype(dtype)
    violating, clean = violating + SCALE_PSEUDO_COUNT, clean + SCALE_PSEUDO_COUNT
    return np.sqrt(np.abs(np.log((violating / violating.sum()) / (clean / clean.sum()))))


def _fit_key(
    x, y: np.ndarray, weights: np.ndarray, scale: np.ndarray, seed: int
) -> tuple[np.ndarray, float]:
    """One key's logistic regression on the columns of ``x`` times ``scale``; returns the
    weights of the unscaled columns and the intercept."""
    classifier = LogisticRegression(
        C=C,
        solver="liblinear",
        dual=True,  # the dual is the faster problem when features outnumber rows
        class_weight="balanced",
        random_state=seed,
        max_iter=1000,
    )
    classifier.fit(x @ sparse.diags(scale), y, sample_weight=weights)
    # Round to the float16 the artifact stores, so calibration sees the saved model.
    coef = (classifier.coef_[0] * scale).astype(np.float16).astype(np.float32)
    return coef, float(classifier.intercept_[0])


def trainable_keys(train: list[Example], halves: tuple[list[Example], ...]) -> list[str]:
    """Keys whose data support a model: enough positives to fit, calibrate and evaluate."""
    keys = []
    for key in MODEL_KEYS:
        _, y = labels_of(train, key)
        if y.sum() < MIN_TRAIN_POSITIVES:
            continue
        if all(
            min(y_half.sum(), len(y_half) - y_half.sum()) >= MIN_HALF_POSITIVES
            for y_half in (labels_of(half, key)[1] for half in halves)
        ):
            keys.append(key)
    return keys


def train_language(
    lang: str, examples: list[Example], seed: int = SEED, encoder=None
) -> tuple[LanguageModel, dict]:
    """Fit, calibrate and evaluate one language's model; returns it and its manifest entry.

    ``encoder`` (the relevance model's transformer, for a language it reads) adds its
    pooled vector of each comment to the features.
    """
    train_rows, validation_rows = split(examples, seed=seed)
    calibration_rows, evaluation_rows = validation_halves(validation_rows, seed=seed)
    keys = trainable_keys(train_rows, (calibration_rows, evaluation_rows))
    if not keys:
        raise ValueError(f"{lang}: no key has enough labelled rows to train a model")
    total = len(train_rows) + len(calibration_rows)
    with tqdm(total=total, desc=f"{lang}: normalise", unit="row") as bar:
        train_texts = _normalise(train_rows, lang, bar)
        calibration_texts = _normalise(calibration_rows, lang, bar)
    embeddings = {
        "train": _embedded(encoder, train_rows),
        "calibration": _embedded(encoder, calibration_rows),
    }

    weights = np.array([datasets.source_weight(lang, row.source) for row in train_rows])
    intercept = np.zeros(len(keys), dtype=np.float32)
    with tqdm(total=len(keys) + 1, desc=f"{lang}: fit", unit="model") as bar:
        featurizer, x_train = fit_featurizer(train_texts)
        n_grams = x_train.shape[1]
        if encoder is not None:
            dense = sparse.csr_matrix(EMBEDDING_SCALE * embeddings["train"])
            x_train = sparse.hstack([x_train, dense], format="csr")
        weights_all = np.zeros((x_train.shape[1], len(keys)), dtype=np.float32)
        heads, head_coef = {}, np.zeros(len(keys), dtype=np.float32)
        folds = fold_of(train_rows, seed)
        bar.update(1)
        for k, key in enumerate(keys):
            bar.set_postfix_str(key)
            index, y = labels_of(train_rows, key)
            x_key = x_train[index]
            if encoder is not None:
                heads[key], logits = fit_head(embeddings["train"][index], y, folds[index], seed)
                x_key = sparse.hstack([x_key, sparse.csr_matrix(logits[:, None])], format="csr")
            # The encoder's columns (and the head's logit) keep their own scale.
            scale = np.ones(x_key.shape[1])
            scale[:n_grams] = n_gram_scale(x_key[:, :n_grams], y)
            coef, intercept[k] = _fit_key(x_key, y, weights[index], scale, seed)
            weights_all[:, k] = coef[: x_train.shape[1]]
            if encoder is not None:
                head_coef[k] = coef[-1]
            bar.update(1)
    del x_train
    embedding_coef = None
    if encoder is not None:
        embedding_coef = EMBEDDING_SCALE * weights_all[n_grams:]

    model = LanguageModel(
        lang,
        tuple(keys),
        featurizer,
        weights_all[:n_grams],
        intercept,
        calibrators={},
        embedding_coef=embedding_coef,
        heads=heads,
        head_coef=head_coef if heads else None,
    )
    raw_calibration = model.raw_scores(
        featurizer.transform(calibration_texts), embeddings["calibration"]
    )
    for k, key in enumerate(keys):
        index, y = labels_of(calibration_rows, key)
        model.calibrators[key] = fit_calibrator(raw_calibration[index, k], y)
    for key in STAND_IN_KEYS:
        if key not in keys and "offensive" in keys:
            model.stand_ins[key] = "offensive"
    # Thresholds are chosen on the scores the engine gives (sentences and threat cues too).
    probabilities = model.predict(
        calibration_texts,
        embeddings["calibration"],
        sentences_of(model, calibration_rows, encoder),
    )
    probabilities = as_scored(model, calibration_texts, probabilities)
    thresholds = default_thresholds(model, probabilities, calibration_rows)

    entry = {
        "keys": list(keys),
        "stand_ins": model.stand_ins,
        "encoder": getattr(encoder, "version", None),
        "rows": {
            "train": len(train_rows),
            "calibration": len(calibration_rows),
            "evaluation": len(evaluation_rows),
        },
        "thresholds": {k: {"review": t.review, "reject": t.reject} for k, t in thresholds.items()},
        "validation": _validation_report(model, thresholds, evaluation_rows, encoder),
    }
    return model, entry


def sentences_of(model: LanguageModel, rows: list[Example], encoder) -> Sentences:
    """The sentences of ``rows`` as the engine reads them: with their vectors from the
    encoder's reading of each row of several sentences, where ``model`` reads the encoder."""
    comments = [normalize(row.text, model.lang) for row in rows]
    if not model.encoded:
        return Sentences.of(comments)
    spans = [sentence_spans(row.text) for row in rows]
    several = [i for i, one in enumerate(spans) if len(one) > 1]
    read = encoder.reads([rows[i].text for i in several], [spans[i] for i in several])
    readings: list[Reading | None] = [None] * len(rows)
    for i, reading in zip(several, read, strict=True):
        readings[i] = reading
    return Sentences.of(comments, readings)


def _embedded(encoder, rows: list[Example]) -> np.ndarray | None:
    """The encoder's pooled vectors of ``rows`` (None without an encoder)."""
    if encoder is None:
        return None
    return embed_for_training(encoder, [row.text for row in rows])


def as_scored(
    model: LanguageModel,
    texts: list[str],
    probabilities: np.ndarray,
    cued: list[bool] | None = None,
) -> np.ndarray:
    """The model's probabilities of normalised ``texts`` as the engine scores them: the
    threat column raised where a text words a threat (:meth:`LanguageModel.guideline_scores`
    does the raising). ``cued`` says which texts have a cue, when already known."""
    if "threat" not in model.keys:
        return probabilities
    if cued is None:
        cued = [bool(find_threat_cues(text, model.lang)) for text in texts]
    column = model.keys.index("threat")
    out = probabilities.copy()
    for row in np.flatnonzero(cued):
        out[row, column] = model.guideline_scores(probabilities[row], threat_cued=True)["threat"]
    return out


def default_thresholds(
    model: LanguageModel, probabilities: np.ndarray, calibration_rows: list[Example]
) -> dict[str, Thresholds]:
    """The default policy's thresholds for ``model``'s decision keys and stand-ins, from its
    ``probabilities`` on the calibration half (:mod:`agora.guidelines.training.thresholds`)."""
    thresholds = choose_thresholds(
        {key: probabilities[:, k] for k, key in enumerate(model.keys) if key in DECISION_KEYS},
        calibration_rows,
    )
    for key, source in model.stand_ins.items():
        thresholds[key] = thresholds[source]
    return thresholds


def validation_rows(data_dir: Path, lang: str, seed: int) -> list[Example]:
    """``lang``'s validation split (both halves), as training made it."""
    return split(datasets.loader(lang)(data_dir), seed=seed)[1]


def refit_thresholds(
    data_dir: Path = DEFAULT_DATA_DIR,
    out_dir: Path = ARTIFACTS_DIR,
    command: str = "agora train --thresholds",
) -> dict:
    """Choose the default thresholds again for the committed models, without refitting them
    (minutes instead of the half hour a full training takes): after a change to how
    thresholds are chosen. The models, their calibration and the model version stay; the
    manifest's thresholds and validation figures are rewritten."""
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / MANIFEST_NAME).read_text())
    seed = manifest["parameters"]["seed"]
    for lang, entry in manifest["languages"].items():
        started = time.monotonic()
        model = LanguageModel.load(out_dir / entry["file"])
        encoder = Relevance.load() if model.encoded else None
        validation = validation_rows(Path(data_dir), lang, seed)
        calibration, evaluation = validation_halves(validation, seed=seed)
        _, scored, _ = predicted(model, calibration, encoder)
        thresholds = default_thresholds(model, scored, calibration)
        entry["thresholds"] = {
            k: {"review": t.review, "reject": t.reject} for k, t in thresholds.items()
        }
        entry["validation"] = _validation_report(model, thresholds, evaluation, encoder)
        # Per language, so that a later run training some languages keeps the others' record.
        entry["thresholds_refitted"] = {
            "command": command,
            "seconds": round(time.monotonic() - started, 1),
        }
    manifest["parameters"]["thresholds"] = PARAMETERS["thresholds"]
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _validation_report(
    model: LanguageModel, thresholds: dict[str, Thresholds], rows: list[Example], encoder
) -> dict:
    """Figures on the evaluation half: per key AUC and calibration, and the triage."""
    probabilities, scored, cued = predicted(model, rows, encoder)
    per_key = {}
    for k, key in enumerate(model.keys):
        index, y = labels_of(rows, key)
        p = scored[index, k]
        per_key[key] = {
            "rows": len(index),
            "positives": int(y.sum()),
            "roc_auc": roc_auc(y, p),
            "distinct_scores": len(np.unique(p)),
            "calibration": model.calibrators[key].method,
            "expected_calibration_error": expected_calibration_error(p, y),
            "reliability": reliability(p, y),
        }
    return {
        "keys": per_key,
        "triage": asdict(policy_triage(model, thresholds, rows, probabilities, cued)),
    }


def predicted(
    model: LanguageModel, rows: list[Example], encoder
) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """``model``'s probabilities of ``rows`` as :meth:`LanguageModel.predict` gives them
    (sentences included), the same as the engine scores them (:func:`as_scored`), and which
    rows word a threat cue."""
    texts = [normalize(row.text, model.lang).text for row in rows]
    probabilities = model.predict(
        texts, _embedded(encoder, rows), sentences_of(model, rows, encoder)
    )
    cued = [bool(find_threat_cues(text, model.lang)) for text in texts]
    return probabilities, as_scored(model, texts, probabilities, cued), cued


def policy_triage(
    model: LanguageModel,
    thresholds: dict[str, Thresholds],
    rows: list[Example],
    probabilities: np.ndarray,
    cued: list[bool],
) -> Triage:
    """The triage of ``rows`` under ``thresholds`` (``model``'s language's), from ``model``'s
    ``probabilities`` of them (:meth:`LanguageModel.predict`) and their threat cues."""
    policy = Policy(thresholds={"*": {}, model.lang: thresholds})
    decisions, rejecting = [], []
    for row_p, threat_cued in zip(probabilities, cued, strict=True):
        # off_topic stays None: relevance is its own model, and it is not a required key.
        scores = dict.fromkeys(SCORE_KEYS) | model.guideline_scores(row_p, threat_cued)
        decisions.append(policy.decide(model.lang, scores))
        rejecting.append(policy.rejecting(model.lang, scores))
    clean = np.array([is_clean(row) for row in rows], dtype=bool)
    violating = np.array([is_violating(row) for row in rows], dtype=bool)
    wrong = rejected_against_labels(rows, rejecting)
    return triage(np.array(decisions), clean, violating, wrong)


def _licence_notes(folder: Path) -> dict[str, str]:
    """The licence and citation bullets of a data set's SOURCE.md, as plain text."""
    path = folder / "SOURCE.md"
    if not path.exists():
        return {}
    notes, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"-\s+\**(licen[cs]e|citation)\b[^:]*:?\**:?\s*(.*)", line, re.I)
        if match:
            current = "licence" if match.group(1).lower().startswith("licen") else "citation"
            notes.setdefault(current, match.group(2))
        elif current and line.startswith("  ") and line.strip():
            notes[current] += " " + line.strip()
        else:
            current = None
    return {k: v.replace("**", "").replace("`", "") for k, v in notes.items()}


def _data_entry(data_dir: Path, source: str, rows: int) -> dict:
    folder = data_dir / source
    files = [
        {"path": f"{source}/{p.name}", "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "SOURCE.md"
    ]
    return {"rows": rows, "files": files, **_licence_notes(folder)}


def train(
    data_dir: Path = DEFAULT_DATA_DIR,
    out_dir: Path = ARTIFACTS_DIR,
    languages: list[str] | None = None,
    seed: int = SEED,
    command: str = "agora train",
) -> dict:
    """Train the given languages (default: every language with a loader), write artifacts.

    Returns the manifest. Languages not retrained keep their entry from an existing manifest
    only if their artifact file is still there, so a partial run leaves a usable set.
    """
    started = time.monotonic()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    languages = languages or datasets.languages()
    manifest_path = out_dir / MANIFEST_NAME
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    entries = {
        lang: entry
        for lang, entry in previous.get("languages", {}).items()
        if lang not in languages and (out_dir / entry["file"]).exists()
    }
    data = {k: v for k, v in previous.get("data", {}).items() if k.split("/")[0] in entries}
    for lang in languages:
        lang_started = time.monotonic()
        examples = datasets.loader(lang)(data_dir)
        encoder = Relevance.load() if lang in Relevance.languages else None
        model, entry = train_language(lang, examples, seed=seed, encoder=encoder)
        path = out_dir / f"{lang}.npz"
        model.save(path)
        # Each language keeps the run that made it: the top-level command and seconds are
        # only the latest run's, which may have trained other languages.
        trained = {"command": command, "seconds": round(time.monotonic() - lang_started, 1)}
        entry = {"file": path.name, "sha256": sha256_file(path), "trained": trained, **entry}
        entries[lang] = entry
        for source, rows in sorted(Counter(row.source for row in examples).items()):
            data[source] = _data_entry(data_dir, source, rows)
    version = hashlib.sha256(
        "".join(entries[lang]["sha256"] for lang in sorted(entries)).encode()
    ).hexdigest()[:12]
    manifest = {
        "model_version": f"guidelines-{version}",
        "command": command,
        "seconds": round(time.monotonic() - started, 1),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "marisa-trie": importlib.metadata.version("marisa-trie"),
        },
        "parameters": PARAMETERS,
        "languages": dict(sorted(entries.items())),
        "data": dict(sorted(data.items())),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    print(
        f"trained {', '.join(languages)} in {manifest['seconds']:.0f} s -> {out_dir}",
        file=sys.stderr,
    )
    return manifest
