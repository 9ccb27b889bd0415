"""Split the relevance model's SkipLayerNormalization nodes into Add and LayerNormalization.

onnxruntime's BERT optimiser fuses each residual sum and the layer norm after it into one
SkipLayerNormalization node. On the benchmark machine (AMD EPYC with AVX-512 VNNI,
onnxruntime 1.32, one thread) that fused kernel is the slow part of the student: its four
nodes took 144 µs of a 450 µs run for a 22-word-piece comment, against 35 µs for the same
sums and norms as plain Add and LayerNormalization nodes (onnxruntime's profiler), and
the whole run went from 450 to 335 µs. It is the same arithmetic: embeddings agree to a
cosine of 0.9999+.

``scripts/export_minilm.py`` calls :func:`unfuse` after quantising, so every export is
written this way. Run alone, it rewrites the committed model and its manifest entry (needs
``onnx``, ``onnxruntime``, ``tokenizers`` and ``numpy``, as in the export environment)::

    /tmp/exportenv/bin/python scripts/unfuse_layer_norms.py

onnxruntime would fuse the nodes again when it loads the model, so
``agora/guidelines/relevance.py`` starts its session with that one fusion disabled
(``DISABLED_OPTIMIZERS``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import onnx
from onnx import helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
import relevance_module  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "agora" / "guidelines" / "artifacts" / "minilm"
COMMAND = "/tmp/exportenv/bin/python scripts/unfuse_layer_norms.py"
FUSED = "SkipLayerNormalization"


def unfuse(source: Path, target: Path) -> int:
    """Write ``source`` to ``target`` with each SkipLayerNormalization node replaced by
    ``LayerNormalization(input + bias + skip)``; returns how many were replaced."""
    model = onnx.load(str(source))
    nodes, replaced = [], 0
    for node in model.graph.node:
        if node.op_type != FUSED:
            nodes.append(node)
            continue
        # Inputs: input, skip, gamma, beta and an optional bias. Only the first output
        # (the normalised sum) is used by the exported graphs.
        if any(node.output[1:]):
            raise ValueError(f"{node.name}: an output other than the first is used")
        source_input, skip, gamma, beta, *rest = node.input
        summed = source_input
        if rest and rest[0]:
            summed = f"{node.name}/with_bias"
            nodes.append(helper.make_node("Add", [source_input, rest[0]], [summed]))
        residual = f"{node.name}/with_skip"
        nodes.append(helper.make_node("Add", [summed, skip], [residual]))
        epsilon = next(a.f for a in node.attribute if a.name == "epsilon")
        nodes.append(
            helper.make_node(
                "LayerNormalization",
                [residual, gamma, beta],
                [node.output[0]],
                name=f"{node.name}/layer_norm",
                axis=-1,
                epsilon=epsilon,
            )
        )
        replaced += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    return replaced


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        count = unfuse(OUT / "model.onnx", Path(tmp) / "model.onnx")
        if not count:
            print(f"no {FUSED} node in the model: nothing to do")
            return 0
        shutil.copy(OUT / "tokenizer.json", Path(tmp) / "tokenizer.json")
        relevance = relevance_module.load()
        reference = json.loads((OUT / "reference_vectors.json").read_text(encoding="utf-8"))
        sentences = reference["sentences"]
        before = relevance.Relevance(OUT, calibrated=False).embed(sentences)
        after = relevance.Relevance(Path(tmp), calibrated=False).embed(sentences)
        cosine = (before * after).sum(axis=1)
        if cosine.min() < 0.9999:
            print(f"FAIL: embeddings moved (cosine {cosine.min():.6f})", file=sys.stderr)
            return 1
        shutil.copy(Path(tmp) / "model.onnx", OUT / "model.onnx")

    path = OUT / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    model = OUT / "model.onnx"
    manifest["files"]["model.onnx"] = {"sha256": sha256(model), "bytes": model.stat().st_size}
    manifest["fused_operators"].pop(FUSED, None)
    manifest["layer_norms_unfused"] = {
        **unfused_entry(count),
        "command": COMMAND,
        "cosine_with_fused": {
            "sentences": "reference_vectors.json",
            "min": round(float(cosine.min()), 6),
        },
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(manifest["layer_norms_unfused"], indent=2))
    return 0


def unfused_entry(count: int) -> dict:
    """The manifest's record of this step (scripts/export_minilm.py writes it too)."""
    return {
        "nodes": count,
        "what": f"each {FUSED} node split into Add and LayerNormalization (same arithmetic, "
        "faster on the CPU; onnxruntime's SkipLayerNormFusion is disabled at load)",
    }


if __name__ == "__main__":
    sys.exit(main())
