"""Give the relevance model's graph a second output: the word pieces' last-layer states.

The guideline engine reads an English comment of several sentences sentence by sentence,
and each sentence needs a vector. The mean of its word pieces' states, taken from the one
pass the comment already gets, is that vector at no extra encoder cost
(:func:`agora.guidelines.encoder.sentence_vectors`). The graph computes those states anyway
(the sentence embedding is their mean); this names them as the output ``token_embeddings``
(batch, pieces, 384). Nothing else in the graph changes, and the script checks on real
comments that the sentence embedding stays bit for bit what it was before it writes.

Run after ``scripts/export_minilm.py`` or ``scripts/distill_relevance.py`` (which write the
graph without it), in the export environment (it needs the ``onnx`` package):

    /tmp/exportenv/bin/python scripts/expose_word_pieces.py

It rewrites ``model.onnx`` and the ``files`` and ``export`` entries of the model's manifest,
and the ``encoder`` of the guideline manifest (the models read the same vectors as before).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agora.guidelines.manifest import ARTIFACTS_DIR, MANIFEST_NAME  # noqa: E402
from agora.guidelines.relevance import (  # noqa: E402
    ARTIFACT_DIR,
    DISABLED_OPTIMIZERS,
    MANIFEST_FILE,
    MODEL_FILE,
    PIECES_OUTPUT,
    Relevance,
)

#: The tensor the mean pooling reads: the last layer's output, one row per word piece.
LAST_LAYER = "/transformer/encoder/layer.1/output/LayerNorm/LayerNormalization_output_0"
CHECK_TEXTS = [
    "The council should publish the budget before the vote, not after it.",
    "I read this twice. The mayor is wrong about the bus lanes. Nobody asked the drivers!",
    "Great reporting, thank you.",
    "What about the schools in the east of the city? They have waited for years.",
]


def _session(path: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(path),
        sess_options=options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(DISABLED_OPTIMIZERS),
    )


def _embeddings(path: Path, relevance: Relevance) -> list[np.ndarray]:
    session = _session(path)
    out = []
    for text in CHECK_TEXTS:
        ids = np.array([relevance._tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        feeds["token_type_ids"] = np.zeros_like(ids)
        out.append(session.run(["sentence_embedding"], feeds)[0])
    return out


def main() -> int:
    path = ARTIFACT_DIR / MODEL_FILE
    model = onnx.load(str(path))
    if any(output.name == PIECES_OUTPUT for output in model.graph.output):
        print(f"{path} already has {PIECES_OUTPUT}")
        return 0
    relevance = Relevance(calibrated=False, screened=False)
    old_version = relevance.version
    before = _embeddings(path, relevance)
    model.graph.node.append(onnx.helper.make_node("Identity", [LAST_LAYER], [PIECES_OUTPUT]))
    model.graph.output.append(
        onnx.helper.make_tensor_value_info(PIECES_OUTPUT, onnx.TensorProto.FLOAT, None)
    )
    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / MODEL_FILE
        onnx.save(model, str(candidate))
        after = _embeddings(candidate, relevance)
        if any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
            raise SystemExit("the sentence embedding changed; model.onnx left as it was")
        path.write_bytes(candidate.read_bytes())

    manifest_path = ARTIFACT_DIR / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    data = path.read_bytes()
    manifest["files"][MODEL_FILE] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    manifest["export"]["outputs"] = {
        "sentence_embedding": "(batch, 384), unit length",
        PIECES_OUTPUT: "(batch, pieces, 384): the last layer's state of each word piece, "
        "whose mean over the attention mask the sentence embedding normalises; added by "
        "scripts/expose_word_pieces.py, which checked the sentence embedding unchanged",
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

    new_version = Relevance(calibrated=False, screened=False).version
    guidelines_path = ARTIFACTS_DIR / MANIFEST_NAME
    guidelines = json.loads(guidelines_path.read_text(encoding="utf-8"))
    for entry in guidelines["languages"].values():
        if entry.get("encoder") == old_version:
            entry["encoder"] = new_version
    guidelines_path.write_text(
        json.dumps(guidelines, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{path}: {PIECES_OUTPUT} added; encoder {old_version} -> {new_version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
