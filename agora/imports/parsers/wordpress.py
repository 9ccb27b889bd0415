"""WordPress's WXR export (1.0 to 1.2): an RSS <item> per post, its <wp:comment>s inside."""

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from agora.imports.parsers.xmlstream import child_text, local_name, records
from agora.imports.records import Post, SourceStatus, Thread, utc_datetime
from agora.imports.text import html_to_text

STATUSES = {
    "1": SourceStatus.APPROVED,
    "0": SourceStatus.PENDING,
    "spam": SourceStatus.SPAM,
    "trash": SourceStatus.DELETED,
}
# Notices other sites sent about a post: not comments anyone wrote on it.
NOTIFICATION_TYPES = {"pingback", "trackback"}


def read(path, options) -> Iterator[Thread | Post]:
    site = ""
    for element in records(path, depth=2):
        # The blog's own address: wordpress.com's blogs share one base_site_url.
        if local_name(element) == "base_blog_url":
            site = urlsplit((element.text or "").strip()).netloc
        if local_name(element) != "item":
            continue
        url = child_text(element, "link")
        # WordPress numbers posts and comments per site: the site makes them unique.
        prefix = f"{site or urlsplit(url).netloc}#"
        key = prefix + child_text(element, "post_id")
        yield Thread(
            key=key,
            url=url,
            title=child_text(element, "title"),
            created_at=utc_datetime(child_text(element, "post_date_gmt"))
            or _rss_date(child_text(element, "pubDate")),
        )
        for comment in element:
            if local_name(comment) == "comment":
                yield _post(comment, key, prefix)


def _post(element, thread_key: str, prefix: str) -> Post:
    kind = child_text(element, "comment_type")
    parent = child_text(element, "comment_parent")
    original_id = child_text(element, "comment_id")
    return Post(
        original_id=prefix + original_id,
        thread_key=thread_key,
        parent_id="" if parent in ("", "0") else prefix + parent,
        author_name=child_text(element, "comment_author"),
        author_email=child_text(element, "comment_author_email"),
        body=html_to_text(child_text(element, "comment_content")),
        created_at=utc_datetime(child_text(element, "comment_date_gmt"))
        or utc_datetime(child_text(element, "comment_date")),
        status=STATUSES.get(child_text(element, "comment_approved"), SourceStatus.PENDING),
        skip_reason=kind if kind in NOTIFICATION_TYPES else ("" if original_id else "no id"),
    )


def _rss_date(value: str):
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
