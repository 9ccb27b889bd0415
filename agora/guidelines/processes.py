"""Judging batches in several processes, for ``agora score --jobs`` and ``agora import --score``.

The workers are forked after the engine was loaded, so they share its memory until they
write to it and start at once. They judge what they are given and touch nothing else: the
calling process reads the input and stores or writes the results, in the input's order.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from agora.guidelines.normalize import build_tables

#: The engine a forked worker inherits (set just before the pool forks).
_engine: Any = None


def _as_a_worker() -> None:
    # The pool stops its workers with SIGTERM. A handler the parent had installed (a task
    # worker's graceful shutdown, say) would be inherited, keep a worker alive and leave the
    # parent waiting for it forever. Ctrl-C is the parent's to handle: it stops the pool.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(judge: Callable[[Any, Any], Any], batch: Any) -> Any:
    return judge(_engine, batch)


@contextmanager
def judging(
    engine: Any, judge: Callable[[Any, Any], Any], jobs: int = 1
) -> Iterator[Callable[[Iterable[Any]], Iterator[Any]]]:
    """A function mapping batches to ``judge(engine, batch)``, in order, in ``jobs``
    processes (in this one when ``jobs`` is 1). ``judge`` must be a module-level function.
    """
    global _engine
    if jobs <= 1:
        yield lambda batches: (judge(engine, batch) for batch in batches)
        return
    _engine = engine
    # Built once here and shared, rather than by each worker on its first batches.
    build_tables()
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_as_a_worker)
    try:
        yield lambda batches: pool.imap(partial(_call, judge), batches)
    finally:
        pool.terminate()
        _engine = None
