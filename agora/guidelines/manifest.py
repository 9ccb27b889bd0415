"""Where the trained artifacts live and how their manifest is read.

``artifacts/manifest.json`` is written by ``agora train`` and records, per language model,
its file and hash, the keys it scores, validation figures and the policy thresholds chosen
on validation; and, per data set, its files, hashes, row counts and licence note.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
MANIFEST_NAME = "manifest.json"


def read_manifest(artifacts_dir: Path = ARTIFACTS_DIR) -> dict[str, Any]:
    path = Path(artifacts_dir) / MANIFEST_NAME
    if not path.exists():
        raise FileNotFoundError(f"no trained models in {artifacts_dir}: run `agora train`")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
