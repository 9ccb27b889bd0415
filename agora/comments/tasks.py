"""Background work on comments, run by a task worker (`agora db_worker` by default)."""

from django_tasks import task

from agora.comments import actions
from agora.comments.models import Comment

# Comments judged together by one task: the engine's phases run once per batch, so a
# worker behind a burst of posts catches up faster than one comment at a time.
CHECK_BATCH = 32


@task()
def check_comment(comment_id: int) -> int:
    """Store the verdict of comment ``comment_id`` and of other comments still waiting
    for theirs (oldest first, up to ``CHECK_BATCH``); return how many were stored. The
    tasks of comments checked this way find nothing left to do."""
    others = (
        Comment.objects.filter(awaiting_verdict=True)
        .exclude(pk=comment_id)
        .order_by("pk")
        .values_list("pk", flat=True)[: CHECK_BATCH - 1]
    )
    return actions.check_comments([comment_id, *others])
