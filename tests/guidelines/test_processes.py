"""Judging in forked processes (agora.guidelines.processes), as `agora score --jobs` does."""

import signal

import pytest

from agora.guidelines.processes import judging


def add(engine, batch):
    return [engine + item for item in batch]


def signal_handlers(engine, batch):
    return [signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)]


def test_batches_come_back_in_order_from_one_process_or_several():
    batches = [[1, 2], [3], [], [4, 5, 6]] * 5
    expected = [[11, 12], [13], [], [14, 15, 16]] * 5
    for jobs in (1, 3):
        with judging(10, add, jobs) as judge_all:
            assert list(judge_all(batches)) == expected


@pytest.fixture
def graceful_sigterm():
    """A handler that lets SIGTERM pass, as a task worker run in this process leaves."""
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_workers_do_not_inherit_the_parents_signal_handlers(graceful_sigterm):
    # The pool stops its workers with SIGTERM: a worker keeping the inherited handler
    # could outlive the pool and leave the command waiting for it forever. Ctrl-C is
    # the parent's to handle.
    with judging(None, signal_handlers, 2) as judge_all:
        for handlers in judge_all([[], [], [], []]):
            assert handlers == [signal.SIG_DFL, signal.SIG_IGN]


def test_the_normalisation_tables_are_built_before_the_workers_fork():
    from agora.guidelines import normalize

    normalize._tables.clear()
    with judging(10, add, 2) as judge_all:
        assert set(normalize._tables) == {False, True}
        assert list(judge_all([[1]])) == [[11]]
