"""Background work on comments, run by a task worker (`agora db_worker` by default)."""

import logging

from django_tasks import task

from agora.comments import actions
from agora.comments.models import Comment, ScheduledCheck

logger = logging.getLogger(__name__)

# Comments judged together: the engine's phases run once per batch, so a worker behind a
# burst of posts catches up faster than one comment at a time.
CHECK_BATCH = 32
# A check enqueued and lost (its worker killed before it started) stops holding back new
# ones after this many seconds.
CHECK_SCHEDULED_FOR = 60
CHECK = "waiting-comments"


def schedule_check() -> None:
    """Make sure a check will run that sees every comment stored so far.

    A check enqueued but not started will see them all (it reads the waiting comments
    only once it has started), so a burst of posts enqueues one task, not one per post:
    each task costs the worker several queries of its own."""
    # During a burst one is nearly always waiting: one read, and nothing written.
    if ScheduledCheck.objects.held(CHECK, CHECK_SCHEDULED_FOR):
        return
    if not ScheduledCheck.objects.take(CHECK, CHECK_SCHEDULED_FOR):
        return  # another post scheduled it just now
    try:
        check_waiting_comments.enqueue()
    except Exception:
        ScheduledCheck.objects.release(CHECK)
        raise


@task()
def check_waiting_comments() -> int:
    """Store the verdict of every comment waiting for one, oldest first, a batch at a
    time, until none is left; return how many were stored."""
    # Cleared before the first read: a comment stored from now on gets a check of its own.
    ScheduledCheck.objects.release(CHECK)
    waiting = Comment.objects.filter(awaiting_verdict=True).order_by("pk")
    stored = 0
    while batch := list(waiting.values_list("pk", flat=True)[:CHECK_BATCH]):
        stored += check_batch(batch)
    return stored


def check_batch(comment_ids: list[int]) -> int:
    """Check ``comment_ids`` together; if the engine fails on the batch, one at a time,
    and a comment it cannot judge at all is left to the moderators without a verdict (it
    must not hold back every comment behind it)."""
    try:
        return actions.check_comments(comment_ids)
    except Exception:
        logger.exception("checking comments %s together failed; checking each alone", comment_ids)
    stored = 0
    for comment_id in comment_ids:
        try:
            stored += actions.check_comments([comment_id])
        except Exception:
            logger.exception("the guideline engine cannot judge comment %s", comment_id)
            actions.give_up_checking(comment_id)
    return stored
