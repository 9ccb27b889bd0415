"""The site as a Disqus XML export, for a newsroom leaving Agora for a system that imports
Disqus (Disqus itself, Isso, Remark42, Agora again).

Written as Disqus writes its exports: one category, a ``<thread>`` per article (``dsq:id``
its id, ``<id>`` its slug, ``<link>`` its address), then a ``<post>`` per comment (``dsq:id``
its id, the text as HTML, replies naming their ``<parent>``). Disqus's format has no
"waiting for moderation": comments still pending are left out, as any importer would
publish them. Rejected comments are kept the way Disqus marks removed ones, as spam
(rejected as promotion) or deleted (any other reason), which importers skip by default.
Streamed from the database in chunks, so the file can be as large as the site.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from agora.articles.models import Article
from agora.comments.models import Comment, Reason, Status
from agora.imports.text import text_to_html

CHUNK = 2000
CATEGORY_ID = 1
HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd '
    'http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
)


class MissingAddress(Exception):
    """Articles without an address, and no site address to make one from."""


def lines(*, forum: str, site_url: str = "", emails: bool = True) -> Iterator[str]:
    """The export, a few lines at a time. ``site_url`` makes the address of an article that
    has none from its page on Agora. Raises ``MissingAddress`` before writing anything if
    an article has no address and no ``site_url`` is given."""
    articles = Article.objects.order_by("id")
    if not site_url:
        missing = articles.filter(url="").count()
        if missing:
            raise MissingAddress(
                f"{missing} article(s) have no address (url): give --site-url to link them "
                "to their page on this site."
            )
    yield HEADER
    yield _element("category", CATEGORY_ID, [_text("forum", forum), _text("title", "General")])
    for article in articles.iterator(chunk_size=CHUNK):
        yield _thread(article, forum, site_url)
    comments = (
        Comment.objects.exclude(status=Status.PENDING)
        .order_by("id", "decisions__id")
        .values_list(
            "id",
            "article_id",
            "parent_id",
            "author_name",
            "author_email",
            "body",
            "status",
            "created_at",
            "decisions__reason",
        )
    )
    for row in _latest_reason(comments.iterator(chunk_size=CHUNK)):
        yield _post(*row, emails=emails)
    yield "</disqus>\n"


def _latest_reason(rows) -> Iterator[tuple]:
    """One row per comment (the join gives one per decision), with the reason of its
    latest decision: the one that put it where it is."""
    previous = None
    for row in rows:
        if previous is not None and previous[0] != row[0]:
            yield previous
        previous = row
    if previous is not None:
        yield previous


def _thread(article: Article, forum: str, site_url: str) -> str:
    link = article.url or site_url.rstrip("/") + article.get_absolute_url()
    return _element(
        "thread",
        article.pk,
        [
            _text("id", article.slug),
            _text("forum", forum),
            f'<category dsq:id="{CATEGORY_ID}"/>',
            _text("link", link),
            _text("title", article.title),
            "<message/>",
            _text("createdAt", _date(article.published_at)),
            _text("isClosed", _bool(not article.comments_open)),
            _text("isDeleted", "false"),
        ],
    )


def _post(
    comment_id, article_id, parent_id, name, email, body, status, created_at, reason, *, emails
) -> str:
    rejected = status == Status.REJECTED
    spam = rejected and reason == Reason.PROMOTION
    author = [_text("name", name), _text("isAnonymous", "false")]
    if emails and email:
        author.insert(0, _text("email", email))
    parts = [
        _text("message", text_to_html(body)),
        _text("createdAt", _date(created_at)),
        _text("isDeleted", _bool(rejected and not spam)),
        _text("isSpam", _bool(spam)),
        f"<author>{''.join(author)}</author>",
        f'<thread dsq:id="{article_id}"/>',
    ]
    if parent_id is not None:
        parts.append(f'<parent dsq:id="{parent_id}"/>')
    return _element("post", comment_id, parts)


def _element(tag: str, dsq_id: int, children: list[str]) -> str:
    return f"<{tag} dsq:id={quoteattr(str(dsq_id))}>{''.join(children)}</{tag}>\n"


def _text(tag: str, value: str) -> str:
    return f"<{tag}>{escape(value)}</{tag}>"


def _date(value: datetime) -> str:
    # Disqus writes whole seconds in UTC.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bool(value: bool) -> str:
    return "true" if value else "false"
