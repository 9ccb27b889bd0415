"""The one way the engine starts an onnxruntime session: on the CPU, with a fixed number of
threads, never at import.

onnxruntime is imported when a session starts, not with this module: it is not fork-safe
(agora/wsgi.py), so every model that uses it (the relevance transformer, the guideline heads'
first layer) starts its session in the process that scores, on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def cpu_session(
    model: str | bytes, threads: int = 1, disabled_optimizers: Sequence[str] = ()
) -> Any:
    """An onnxruntime ``InferenceSession`` of ``model`` (a file's path or the serialised
    model) on the CPU provider, ``threads`` threads within an operator and one across them,
    with the named graph optimisers left off."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        model,
        sess_options=options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(disabled_optimizers),
    )
