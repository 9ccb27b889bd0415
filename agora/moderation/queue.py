"""The moderation queue: one definition of which comments a moderator is shown, in which
order, and with what record of their author. The HTML queue (``moderation.views``) and
the API queue (``moderation.api``) both read it.

- Filters and search are a :class:`QueueFilters`; an empty one is the pending queue.
- A moderator sees only her desks' comments (``agora.desks.roles.visible_comments``).
- Comments the engine never scored (imported ones) have no risk to sort by: the risk
  orders put them after the scored ones instead of passing them off as clean (risk 0).
  Each order has its index (``Comment.Meta.indexes``), so a page of the pending queue
  reads one page of rows, whatever the order.
- The author's record counts the decisions on that address's comments received before
  this one: what was known of the author when the comment arrived.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.api.pagination import Ordering
from agora.comments.models import Comment, Decision, Status, email_key
from agora.desks.roles import visible_comments

# How long a shared count may be reused at most (see live_counts).
COUNTS_TIMEOUT = 60


class Sort:
    OLDEST = "oldest"
    RISKIEST = "riskiest"
    CLEAN = "clean"
    CHOICES = [
        (OLDEST, _("Oldest first")),
        (RISKIEST, _("Riskiest first")),
        (CLEAN, _("Clean first")),
    ]


# Each order ends with the id, so it is total and serves keyset paging (the API) as well
# as page numbers (the HTML queue).
ORDERINGS = {
    Sort.OLDEST: Ordering(Sort.OLDEST, (("created_at", False), ("id", False))),
    Sort.RISKIEST: Ordering(
        Sort.RISKIEST, (("scored", True), ("risk", True), ("created_at", False), ("id", False))
    ),
    Sort.CLEAN: Ordering(
        Sort.CLEAN, (("scored", True), ("risk", False), ("created_at", False), ("id", False))
    ),
}


@dataclass(frozen=True)
class QueueFilters:
    """What the moderator asked to see. Text fields are matched as the search says:
    ``email`` exactly (as addresses are compared), ``name`` and ``text`` as parts."""

    status: str = Status.PENDING
    article_id: int | None = None
    article_slug: str = ""
    lang: str = ""
    guideline: str = ""
    email: str = ""
    name: str = ""
    text: str = ""
    since: date | None = None
    until: date | None = None
    sort: str = Sort.OLDEST


def comments(filters: QueueFilters, viewer):
    """The comments matching ``filters`` that ``viewer`` may see, in the chosen order."""
    found = Comment.objects.filter(visible_comments(viewer), status=filters.status)
    if filters.article_id:
        found = found.filter(article_id=filters.article_id)
    if filters.article_slug:
        found = found.filter(article__slug=filters.article_slug)
    if filters.lang:
        found = found.filter(lang=filters.lang)
    if filters.guideline:
        found = found.flagged_for(filters.guideline)
    if filters.email:
        found = found.filter(email_key=email_key(filters.email))
    if filters.name:
        found = found.filter(author_name__icontains=filters.name)
    if filters.text:
        found = found.filter(body__icontains=filters.text)
    if filters.since:
        found = found.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        found = found.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    return found.order_by(*ORDERINGS[filters.sort].order_by())


def every_pending(filters: QueueFilters) -> bool:
    """Whether ``filters`` select every pending comment the viewer may see, in any order:
    what the navigation's pending count counts (:func:`count_now`)."""
    return replace(filters, sort=QueueFilters.sort) == QueueFilters()


def as_cards(found):
    """``found`` with each comment's article, as a queue card shows it: the article's text
    and relevance vectors (tens of kilobytes an article) stay in the database."""
    return found.select_related("article").defer("article__body", "article__relevance_vectors")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class LiveCount:
    """A count the live queue shows besides the pending one: another app's queue (the
    Reported queue registers one in its ``AppConfig.ready``), so this module needs none
    of that app."""

    name: str
    # How many of the comments a moderator may see (a queryset) are in that queue.
    count: Callable[[QuerySet], int]
    # A value that changes whenever the count may have (a few indexed lookups).
    version: Callable[[], object]


LIVE_COUNTS: dict[str, LiveCount] = {}


def register_live_count(live: LiveCount) -> None:
    LIVE_COUNTS[live.name] = live


def count_now(name: str, viewer) -> int:
    """How many comments wait for ``viewer`` in the queue ``name``: ``"pending"`` (her
    desks' pending comments) or a registered :class:`LiveCount`."""
    visible = Comment.objects.filter(visible_comments(viewer))
    if name == "pending":
        return visible.filter(status=Status.PENDING).count()
    return LIVE_COUNTS[name].count(visible)


def live_counts(viewer) -> dict[str, int]:
    """What the live queue polls for: how many comments wait for ``viewer`` in each queue
    and the newest pending one's id (the page fetches new items only when it changes).

    Every open moderator page asks every few seconds, so the answer is shared through the
    cache by everyone who sees the same comments, under a key that changes whenever a
    count can: with the newest comment and the newest decision (two primary-key lookups)
    and each registered count's version. A comment erased by a privacy request shows in
    the counts within ``COUNTS_TIMEOUT``."""
    scope = visible_comments(viewer)
    newest_comment = Comment.objects.order_by("-id").values_list("id", flat=True).first()
    newest_decision = Decision.objects.order_by("-id").values_list("id", flat=True).first()
    versions = [newest_comment, newest_decision] + [
        (name, live.version()) for name, live in sorted(LIVE_COUNTS.items())
    ]
    key = (
        "queue:counts:"
        + hashlib.blake2b(f"{scope}\x1f{versions}".encode(), digest_size=16).hexdigest()
    )
    answer = cache.get(key)
    if answer is None:
        pending = Comment.objects.filter(scope, status=Status.PENDING)
        newest = pending.order_by("-id").values_list("id", flat=True).first()
        answer = {"pending": pending.count(), "newest": newest or 0}
        for name, live in LIVE_COUNTS.items():
            answer[name] = live.count(Comment.objects.filter(scope))
        cache.set(key, answer, COUNTS_TIMEOUT)
    return answer


def author_records(pks) -> dict[int, tuple[int, int]]:
    """For each comment in ``pks``: how many comments from the same address, received
    before it, were approved and rejected. One query for the whole page.

    The status is tested inside the count, not in the WHERE clause: there it would tempt
    SQLite (which keeps no statistics unless ANALYZE ran) into the (status, created_at)
    index and a scan of every decided comment; this way only the index on author_email
    fits."""

    def earlier(status):
        return Coalesce(
            Subquery(
                Comment.objects.filter(
                    author_email=OuterRef("author_email"), created_at__lt=OuterRef("created_at")
                )
                .order_by()
                .values("author_email")
                .annotate(n=Count("pk", filter=Q(status=status)))
                .values("n")
            ),
            0,
        )

    return {
        pk: (approved, rejected)
        for pk, approved, rejected in Comment.objects.filter(pk__in=list(pks))
        .annotate(approved=earlier(Status.APPROVED), rejected=earlier(Status.REJECTED))
        .values_list("pk", "approved", "rejected")
    }
