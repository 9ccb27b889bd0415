"""The read side of comments: what readers may see, and the cache that serves it.

Every public read goes through here: the approved thread of an article (as rows, and
nested one level deep for the pages), the public fields of any page of it for the API,
and the number of approved comments per article. Views and endpoints only render or
serialise what this module returns, and cache what they render through
:data:`thread_cache`.

Reading a thread is the hot path: every article page, embed and API client reads it,
while it changes only when a comment is published or withdrawn. So each article has a
*version* in Django's cache, and whatever is cached from its thread is stored with a tag
computed from that version. Changing the thread replaces the version; entries with an
old tag are rebuilt on the next read, so nothing has to find and delete them.

The cache is shared by every app server when ``AGORA_CACHE_URL`` points at Redis or a
database table, so a decision taken on one server is seen by all.

The version is a random token, not a counter: a counter lost with an evicted cache
entry would start again at a number that stale entries were tagged with. It also
records when it was set, which HTTP clients get as Last-Modified.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agora.articles.models import Article
from agora.comments import edge
from agora.comments.models import Comment, Status
from agora.newsroom import knobs

# An unread thread's version may expire; the next reader starts a new one.
VERSION_TIMEOUT = 7 * 24 * 3600
# Bounds how long a change made behind this module's back (raw SQL, a restored
# backup) stays hidden; changes made through Agora show at once.
ENTRY_TIMEOUT = 15 * 60
# The article list shows every thread's count, so it has one version for all.
ALL_THREADS = "all"
# Everything the public thread shows, and nothing more (no email, no engine scores).
THREAD_FIELDS = ("id", "parent_id", "author_name", "body", "created_at")
NEWEST = "newest"


# --- The cache -------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    token: str
    changed_at: float  # Unix time

    def tag(self, *parts) -> str:
        """The tag of content built under this version from ``parts`` (all else it depends on)."""
        text = "\x1f".join([self.token, *map(str, parts)])
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def last_modified(self) -> int | None:
        """When the thread last changed, in whole seconds, or None while that second lasts.

        HTTP dates have no fractions: a second change within the same second
        would carry the same Last-Modified, and a client that revalidated in
        between with If-Modified-Since would be told, wrongly, that its copy is
        current. Until the second is over clients get only the ETag.
        """
        changed = int(self.changed_at)
        return changed if int(time.time()) > changed else None


@dataclass(frozen=True)
class Entry:
    """Something cached from a thread, as a reader found it: its key, the tag it must
    carry to be current, the version that tag comes from (and that version's own key),
    and what the cache held."""

    key: str
    tag: str
    version: Version
    version_key: str
    stored: tuple | None

    def value(self, build: Callable):
        """The stored value if it was built under :attr:`tag`, else ``build()``, stored."""
        if self.stored is not None and self.stored[0] == self.tag:
            return self.stored[1]
        value = build()
        cache.set(self.key, (self.tag, value), ENTRY_TIMEOUT)
        return value


def entry_key(*parts) -> str:
    """A cache key for content identified by ``parts`` (cursors can be long, so hashed)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16)
    return f"thread:entry:{digest.hexdigest()}"


def version_key(article_id) -> str:
    return f"thread:version:{article_id}"


class ThreadCache:
    """Every cache step of the read side: versions, tagged entries, and replacing a
    version when what readers see changes."""

    def find(
        self,
        article_id: int | None,
        *parts,
        depends_on: Iterable = (),
        version: Version | None = None,
    ) -> Entry:
        """The entry identified by ``parts`` in the thread of ``article_id`` (None: in
        every thread), tagged with everything else it ``depends_on``.

        Without ``version``, the thread's current version and the entry come in one
        round trip to the cache. With it, the entry is tagged with that version: markup
        built from rows read just before a decision carries the old version's tag, so it
        can never be served as the thread after the decision.
        """
        key = entry_key(*parts)
        own_key = version_key(ALL_THREADS if article_id is None else article_id)
        if version is None:
            found = cache.get_many([own_key, key])
            stored_version = found.get(own_key)
            version = Version(*stored_version) if stored_version else self._start(own_key)
            stored = found.get(key)
        else:
            stored = cache.get(key)
        return Entry(key, version.tag(key, *depends_on), version, own_key, stored)

    def _start(self, key: str) -> Version:
        fresh = (secrets.token_hex(8), time.time())
        cache.add(key, fresh, VERSION_TIMEOUT)
        # Another reader may have started it first; its version is the one others see.
        return Version(*(cache.get(key) or fresh))

    def invalidate(self, *article_ids: int) -> None:
        """The approved comments of these articles changed: replace their threads' versions.

        Called inside the transaction that makes the change. The version is
        replaced at once, so later reads in the same transaction see the change,
        and again once the transaction commits: in between, a reader on another
        connection may have cached the rows as they were before the commit under
        the first new version. Caches in front of Agora are told once it commits.
        An import changes a thousand threads at a time: one write to the cache covers
        them all.
        """
        if not article_ids:
            return
        self._replace_versions(article_ids)
        transaction.on_commit(partial(self._replace_versions, article_ids), robust=True)
        edge.purge_later(*article_ids)

    def _replace_versions(self, article_ids: tuple[int, ...]) -> None:
        now = time.time()
        cache.set_many(
            {version_key(key): (secrets.token_hex(8), now) for key in (*article_ids, ALL_THREADS)},
            VERSION_TIMEOUT,
        )


thread_cache = ThreadCache()


# --- What readers see ------------------------------------------------------------


@dataclass(slots=True)
class ThreadComment:
    """An approved comment as the public thread shows it (``THREAD_FIELDS``, nothing more),
    with its place in the thread. A plain record: building 200 model instances for every
    page read cost more than rendering the cached page around them."""

    id: int
    parent_id: int | None
    author_name: str
    body: str
    created_at: datetime
    thread_replies: list[ThreadComment] = field(default_factory=list)
    orphaned: bool = False


def approved_comments(article: Article) -> tuple[list[ThreadComment], Version]:
    """The article's approved comments, oldest first, and the version of the thread they
    were read under (for :func:`rendered`).

    One query, or none when the cache holds the thread's current version.
    """
    # The field names are part of the key: cached rows are read back by position.
    # Ids come back after a database restore or a rolled-back transaction while
    # cache entries live on; the publication time tells two such articles apart.
    entry = thread_cache.find(
        article.pk, "rows", *THREAD_FIELDS, article.pk, depends_on=(article.published_at,)
    )
    rows = entry.value(
        lambda: list(
            Comment.objects.approved()
            .filter(article=article)
            .order_by("created_at", "id")
            .values_list(*THREAD_FIELDS)
        )
    )
    return [ThreadComment(*row) for row in rows], entry.version


def approved_thread(
    article: Article, order: str
) -> tuple[list[ThreadComment], dict[int, ThreadComment], Version]:
    """The approved comments of an article as top-level comments with their replies.

    One query, or none when the cache holds the current thread. Each top-level comment
    gets ``thread_replies`` (oldest first, so a conversation reads in order whatever the
    top-level order). A reply whose parent is no longer approved is shown at the top
    level with ``orphaned`` set, so the count always equals what the reader sees.
    Returns the threads (newest first when ``order`` is ``"newest"``), an id index and
    the version of the thread they were read under.
    """
    comments, version = approved_comments(article)
    by_id = {comment.id: comment for comment in comments}
    threads = []
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            # Replies are one level deep; a reply to a reply joins the top-level thread.
            root = by_id.get(parent.parent_id, parent) if parent.parent_id else parent
            root.thread_replies.append(comment)
        else:
            comment.orphaned = comment.parent_id is not None
            threads.append(comment)
    if order == NEWEST:
        threads.reverse()
    return threads, by_id, version


def rendered(article: Article, version: Version, parts: tuple, render: Callable[[], str]) -> str:
    """Markup that ``render()`` builds from comments read under ``version``, cached under
    that version; ``parts`` is everything else the markup depends on."""
    entry = thread_cache.find(
        article.pk, "html", article.pk, *parts, depends_on=(article.published_at,), version=version
    )
    return entry.value(render)


def public_comments(article: Article, fields: Iterable[str]) -> QuerySet:
    """The article's approved comments as rows of ``fields``, for any page of the thread
    (the caller orders and cuts it)."""
    return Comment.objects.approved().filter(article=article).values(*fields)


def approved_count(article: Article) -> int:
    return Comment.objects.approved().filter(article=article).count()


def with_comment_counts(articles: QuerySet) -> QuerySet:
    """``articles``, each with ``comment_count``: its approved comments, in the same query."""
    return articles.annotate(
        comment_count=Count("comments", filter=Q(comments__status=Status.APPROVED))
    )


# Changes that happen outside ``actions``: articles are written in the admin or
# created by the embed, the closing setting is changed on the settings page, and
# comments are deleted only when a reader's data is erased.


@receiver(post_save, sender=Article, dispatch_uid="threads.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="threads.article_deleted")
def article_changed(sender, instance, **kwargs):
    thread_cache.invalidate(instance.pk)


@receiver(knobs.changed, dispatch_uid="threads.settings_changed")
def settings_changed(sender, names, **kwargs):
    # Whether each article takes comments, and until when, follows the closing setting:
    # every article's page and embed say it, and no change to a thread announces it.
    if "close_comments_after_days" in names:
        thread_cache.invalidate(*Article.objects.values_list("pk", flat=True))


@receiver(post_delete, sender=Comment, dispatch_uid="threads.comment_deleted")
def comment_deleted(sender, instance, **kwargs):
    if instance.status == Status.APPROVED:
        thread_cache.invalidate(instance.article_id)
