"""Scoring an imported archive with the guideline engine, when the import asks (``--score``).

The comments of a source still without a verdict are read a window at a time; this
process stores their articles' relevance vectors where missing and builds the engine's
inputs, worker processes forked after the engine was loaded judge them a batch
at a time (the engine's batch API), and this process stores the verdicts. Only the
verdict columns change: an imported comment keeps its status and its audit trail. A run
that stops midway is finished by running it again (only comments without a verdict are
read).
"""

from django.db import reset_queries, transaction
from tqdm import tqdm

from agora.comments import actions as comment_actions
from agora.comments import screening
from agora.comments.models import Comment
from agora.guidelines.processes import judging

# Comments the engine judges in one call.
BATCH = 256
# Batches handed to the workers at a time, per worker: memory stays flat on archives.
WINDOW_PER_JOB = 4


def score_imported(source: str, *, jobs: int = 1, progress: bool = False) -> int:
    """Give each comment imported from ``source`` that has no verdict yet the engine's
    verdict; return how many were scored."""
    waiting = Comment.objects.filter(origin__source=source, verdict__isnull=True)
    total = waiting.count()
    scored = 0
    # The workers judge inputs built here and never touch the database; they leave
    # without running finalisers, so the connection they inherit stays this one's.
    with (
        judging(screening.engine(), _judge, jobs) as judge_all,
        tqdm(total=total, unit="comment", disable=not progress, desc="Scoring") as bar,
    ):
        last = 0
        while window := _window(waiting, last, BATCH * WINDOW_PER_JOB * jobs):
            last = window[-1].pk
            batches = [window[i : i + BATCH] for i in range(0, len(window), BATCH)]
            # Built here, before the workers take them: the inputs read the database.
            judged = judge_all([_inputs(batch) for batch in batches])
            for batch, verdicts in zip(batches, judged, strict=True):
                with transaction.atomic():
                    comment_actions.store_verdicts(batch, verdicts)
                scored += len(batch)
                bar.update(len(batch))
            reset_queries()
    return scored


def _window(waiting, after: int, size: int) -> list[Comment]:
    return list(
        waiting.filter(pk__gt=after).select_related("article", "parent").order_by("pk")[:size]
    )


def _inputs(batch: list[Comment]) -> list:
    # Each article's first comment in the batch carries the vectors the inputs read.
    screening.store_vectors(comment.article for comment in batch)
    return screening.inputs(batch)


def _judge(engine, inputs):
    return engine.judge_many(inputs)
