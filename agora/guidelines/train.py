"""``agora train``: rebuild every language's guideline model from the labelled data.

For each language with a loader (see :mod:`agora.guidelines.datasets`):

1. load its data sets, deduplicate and split rows into train / validation by a fixed seed;
   the validation rows are halved into *calibration* and *evaluation* halves;
2. normalise every text (:func:`agora.guidelines.normalize.normalize`) and fit shared word
   and character n-gram features on the training rows;
3. per key, fit a logistic regression on the training rows that label that key (a data set
   that says nothing about a key does not count as a negative), with balanced class weights
   and comment-domain sets weighted up;
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
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from agora.guidelines import datasets
from agora.guidelines.calibration import (
    DECIMALS,
    expected_calibration_error,
    fit_calibrator,
    reliability,
)
from agora.guidelines.datasets import DEFAULT_DATA_DIR
from agora.guidelines.datasets.common import SEED, Example, split, validation_halves
from agora.guidelines.features import CHAR_NGRAMS, CHAR_PARAMS, WORD_PARAMS, Featurizer
from agora.guidelines.manifest import ARTIFACTS_DIR, MANIFEST_NAME, sha256_file
from agora.guidelines.metrics import roc_auc, share
from agora.guidelines.model import STAND_IN_KEYS, LanguageModel
from agora.guidelines.normalize import normalize
from agora.guidelines.policy import REQUIRED_KEYS, Policy, Thresholds
from agora.guidelines.verdict import AUXILIARY_KEYS, MODEL_KEYS, SCORE_KEYS

#: Inverse regularisation strength of every key's logistic regression.
C = 1.0
#: A key gets a model only with this many positives in training ...
MIN_TRAIN_POSITIVES = 40
#: ... and this many positives and negatives in each validation half.
MIN_HALF_POSITIVES = 30
#: Policy targets used to choose the default thresholds on the calibration half.
REVIEW_RECALL = 0.95
REJECT_CLEAN_SHARE = 0.002
MIN_REJECT = 0.5
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
    },
    "comment_domain_weight": datasets.COMMENT_DOMAIN_WEIGHT,
    "min_train_positives": MIN_TRAIN_POSITIVES,
    "min_half_positives": MIN_HALF_POSITIVES,
    "calibration": "isotonic with >= 300 positives in the calibration half, else Platt",
    "thresholds": {
        "review": f"highest with recall >= {REVIEW_RECALL} on the calibration half",
        "reject": f"lowest with <= {REJECT_CLEAN_SHARE:.1%} of the clean rows (breaking "
        f"nothing they are labelled for) reaching it, and >= {MIN_REJECT}",
    },
}


def labels_of(rows: list[Example], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the rows that label ``key``, and those labels."""
    index = [i for i, row in enumerate(rows) if row.labels.get(key) is not None]
    return np.array(index, dtype=int), np.array([rows[i].labels[key] for i in index], dtype=int)


def is_clean(row: Example) -> bool:
    """A row its annotators found breaking none of the keys they labelled."""
    values = [v for v in row.labels.values() if v is not None]
    return bool(values) and not any(values)


def choose_thresholds(p: np.ndarray, y: np.ndarray, p_clean: np.ndarray) -> Thresholds:
    """Default review and reject thresholds for one key from calibration-half rows.

    ``p`` and ``y`` are the calibrated probabilities and labels of the rows that label the
    key; ``p_clean`` the key's probabilities on every clean row (labelled or not for this
    key: a clean comment rejected for any key counts against the target).
    """
    positives = np.sort(p[y == 1])
    review = float(positives[int(np.floor((1 - REVIEW_RECALL) * len(positives)))])
    negatives = np.sort(p_clean)[::-1]
    allowed = int(np.floor(REJECT_CLEAN_SHARE * len(negatives)))
    # Scores have DECIMALS places: the next value above the highest clean score allowed out.
    above = negatives[allowed] + 10.0**-DECIMALS if allowed < len(negatives) else 0.0
    reject = round(min(1.0, max(MIN_REJECT, above)), DECIMALS)
    return Thresholds(review=min(review, reject), reject=reject)


def _normalise(rows: list[Example], lang: str, bar: tqdm) -> list[str]:
    texts = []
    for row in rows:
        texts.append(normalize(row.text, lang).text)
        bar.update(1)
    return texts


def _fit_key(x, y: np.ndarray, weights: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    classifier = LogisticRegression(
        C=C,
        solver="liblinear",
        dual=True,  # the dual is the faster problem when features outnumber rows
        class_weight="balanced",
        random_state=seed,
        max_iter=1000,
    )
    classifier.fit(x, y, sample_weight=weights)
    # Round to the float16 the artifact stores, so calibration sees the saved model.
    coef = classifier.coef_[0].astype(np.float16).astype(np.float32)
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
    lang: str, examples: list[Example], seed: int = SEED
) -> tuple[LanguageModel, dict]:
    """Fit, calibrate and evaluate one language's model; returns it and its manifest entry."""
    train_rows, validation_rows = split(examples, seed=seed)
    calibration_rows, evaluation_rows = validation_halves(validation_rows, seed=seed)
    keys = trainable_keys(train_rows, (calibration_rows, evaluation_rows))
    if not keys:
        raise ValueError(f"{lang}: no key has enough labelled rows to train a model")
    total = len(train_rows) + len(calibration_rows) + len(evaluation_rows)
    with tqdm(total=total, desc=f"{lang}: normalise", unit="row") as bar:
        train_texts = _normalise(train_rows, lang, bar)
        calibration_texts = _normalise(calibration_rows, lang, bar)
        evaluation_texts = _normalise(evaluation_rows, lang, bar)

    weights = np.array([datasets.source_weight(lang, row.source) for row in train_rows])
    intercept = np.zeros(len(keys), dtype=np.float32)
    with tqdm(total=len(keys) + 1, desc=f"{lang}: fit", unit="model") as bar:
        featurizer, x_train = Featurizer.fit_transform(train_texts)
        coef = np.zeros((x_train.shape[1], len(keys)), dtype=np.float32)
        bar.update(1)
        for k, key in enumerate(keys):
            bar.set_postfix_str(key)
            index, y = labels_of(train_rows, key)
            coef[:, k], intercept[k] = _fit_key(x_train[index], y, weights[index], seed)
            bar.update(1)
    del x_train

    model = LanguageModel(lang, tuple(keys), featurizer, coef, intercept, calibrators={})
    raw_calibration = model.raw_scores(featurizer.transform(calibration_texts))
    clean_calibration = np.array([is_clean(row) for row in calibration_rows])
    thresholds = {}
    for k, key in enumerate(keys):
        index, y = labels_of(calibration_rows, key)
        model.calibrators[key] = fit_calibrator(raw_calibration[index, k], y)
        if key in DECISION_KEYS:
            p = model.calibrators[key](raw_calibration[index, k])
            p_clean = model.calibrators[key](raw_calibration[clean_calibration, k])
            thresholds[key] = choose_thresholds(p, y, p_clean)

    for key in STAND_IN_KEYS:
        if key not in keys and "offensive" in keys:
            model.stand_ins[key] = "offensive"
            thresholds[key] = thresholds["offensive"]

    entry = {
        "keys": list(keys),
        "stand_ins": model.stand_ins,
        "rows": {
            "train": len(train_rows),
            "calibration": len(calibration_rows),
            "evaluation": len(evaluation_rows),
        },
        "thresholds": {k: {"review": t.review, "reject": t.reject} for k, t in thresholds.items()},
        "validation": _validation_report(model, thresholds, evaluation_rows, evaluation_texts),
    }
    return model, entry


def _validation_report(
    model: LanguageModel, thresholds: dict, rows: list[Example], texts: list[str]
) -> dict:
    """Figures on the evaluation half: per key AUC and calibration, and policy rates."""
    probabilities = model.predict(texts)
    per_key = {}
    for k, key in enumerate(model.keys):
        index, y = labels_of(rows, key)
        p = probabilities[index, k]
        per_key[key] = {
            "rows": len(index),
            "positives": int(y.sum()),
            "roc_auc": roc_auc(y, p),
            "calibration": model.calibrators[key].method,
            "expected_calibration_error": expected_calibration_error(p, y),
            "reliability": reliability(p, y),
        }
    policy = Policy(thresholds={"*": {}, model.lang: thresholds})
    decisions = []
    for row_p in probabilities:
        # off_topic stays None: relevance is its own model, and it is not a required key.
        scores = dict.fromkeys(SCORE_KEYS) | model.guideline_scores(row_p)
        decisions.append(policy.decide(model.lang, scores))
    decisions = np.array(decisions)
    clean = np.array([is_clean(row) for row in rows])
    violating = np.array([any(v == 1 for v in row.labels.values()) for row in rows])
    return {
        "keys": per_key,
        "clean_rows": int(clean.sum()),
        "clean_rejected": share(decisions[clean] == "reject"),
        "clean_approved": share(decisions[clean] == "approve"),
        "violating_rows": int(violating.sum()),
        "violations_caught": share(decisions[violating] != "approve"),
    }


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
        examples = datasets.loader(lang)(data_dir)
        model, entry = train_language(lang, examples, seed=seed)
        path = out_dir / f"{lang}.npz"
        model.save(path)
        entry = {"file": path.name, "sha256": sha256_file(path), **entry}
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
