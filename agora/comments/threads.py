"""The approved thread of an article, served from the cache.

Reading a thread is the hot path: every article page, embed and API client
reads it, while it changes only when a comment is published or withdrawn. So
each article has a *version* in Django's cache, and whatever is cached from its
thread is stored with a tag computed from that version. Changing the thread
replaces the version; entries with an old tag are rebuilt on the next read, so
nothing has to find and delete them.

The cache is shared by every app server when ``AGORA_CACHE_URL`` points at
Redis or a database table, so a decision taken on one server is seen by all.

The version is a random token, not a counter: a counter lost with an evicted
cache entry would start again at a number that stale entries were tagged with.
It also records when it was set, which HTTP clients get as Last-Modified.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agora.articles.models import Article
from agora.comments.models import Comment, Status

# An unread thread's version may expire; the next reader starts a new one.
VERSION_TIMEOUT = 7 * 24 * 3600
# Bounds how long a change made behind this module's back (raw SQL, a restored
# backup) stays hidden; changes made through Agora show at once.
ENTRY_TIMEOUT = 15 * 60
# The article list shows every thread's count, so it has one version for all.
ALL_THREADS = "all"
# Everything the public thread shows, and nothing more (no email, no engine scores).
THREAD_FIELDS = ("id", "parent_id", "author_name", "body", "created_at")


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


def entry_key(*parts) -> str:
    """A cache key for content identified by ``parts`` (cursors can be long, so hashed)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16)
    return f"thread:entry:{digest.hexdigest()}"


def version_key(article_id) -> str:
    return f"thread:version:{article_id}"


def lookup(article_id: int | None, key: str) -> tuple[Version, tuple | None]:
    """The current version of an article's thread (None: of all threads) and the
    entry cached under ``key``, in one round trip to the cache."""
    own_key = version_key(ALL_THREADS if article_id is None else article_id)
    found = cache.get_many([own_key, key])
    stored = found.get(own_key)
    return (Version(*stored) if stored else start(own_key)), found.get(key)


def start(key: str) -> Version:
    fresh = (secrets.token_hex(8), time.time())
    cache.add(key, fresh, VERSION_TIMEOUT)
    # Another reader may have started it first; its version is the one others see.
    return Version(*(cache.get(key) or fresh))


def cached(key: str, tag: str, entry: tuple | None, build):
    """``entry``'s value if it was built under ``tag``, else ``build()`` (stored under ``key``)."""
    if entry is not None and entry[0] == tag:
        return entry[1]
    value = build()
    cache.set(key, (tag, value), ENTRY_TIMEOUT)
    return value


def invalidate(article_id: int) -> None:
    """The approved comments of an article changed: replace its thread's version.

    Called inside the transaction that makes the change. The version is
    replaced at once, so later reads in the same transaction see the change,
    and again once the transaction commits: in between, a reader on another
    connection may have cached the rows as they were before the commit under
    the first new version.
    """
    replace_versions(article_id)
    transaction.on_commit(partial(replace_versions, article_id), robust=True)


def replace_versions(article_id: int) -> None:
    fresh = {key: (secrets.token_hex(8), time.time()) for key in (article_id, ALL_THREADS)}
    cache.set_many({version_key(key): value for key, value in fresh.items()}, VERSION_TIMEOUT)


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


def rows_key(article_id: int) -> str:
    # The field names are part of the key: cached rows are read back by position.
    return entry_key("rows", *THREAD_FIELDS, article_id)


def approved_comments(article: Article) -> tuple[list[ThreadComment], Version]:
    """The article's approved comments, oldest first, and the version of the thread they
    were read under (for :func:`rendered`).

    One query, or none when the cache holds the thread's current version.
    """
    key = rows_key(article.pk)
    version, entry = lookup(article.pk, key)
    # Ids come back after a database restore or a rolled-back transaction while
    # cache entries live on; the publication time tells two such articles apart.
    tag = version.tag(key, article.published_at)
    rows = cached(
        key,
        tag,
        entry,
        lambda: list(
            Comment.objects.approved()
            .filter(article=article)
            .order_by("created_at", "id")
            .values_list(*THREAD_FIELDS)
        ),
    )
    return [ThreadComment(*row) for row in rows], version


def rendered(article: Article, version: Version, parts: tuple, render) -> str:
    """Markup that ``render()`` builds from comments read under ``version``, cached under
    that version; ``parts`` is everything else the markup depends on.

    The version is the one the comments were read under, not the current one: markup
    built from rows read just before a decision is tagged with the old version, so it
    can never be served as the thread after the decision.
    """
    key = entry_key("html", article.pk, *parts)
    return cached(key, version.tag(key, article.published_at), cache.get(key), render)


# Changes that happen outside ``actions``: articles are written in the admin or
# created by the embed, and comments are deleted only when a reader's data is erased.


@receiver(post_save, sender=Article, dispatch_uid="threads.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="threads.article_deleted")
def article_changed(sender, instance, **kwargs):
    invalidate(instance.pk)


@receiver(post_delete, sender=Comment, dispatch_uid="threads.comment_deleted")
def comment_deleted(sender, instance, **kwargs):
    if instance.status == Status.APPROVED:
        invalidate(instance.article_id)
