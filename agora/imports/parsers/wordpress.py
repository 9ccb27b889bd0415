"""WordPress's WXR export (1.0 to 1.2): an RSS <item> per post, its <wp:comment>s inside."""

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from agora.imports.parsers.xmlstream import children, records, text
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
        if element.tag == "base_blog_url":
            site = urlsplit(text(element)).netloc
        if element.tag != "item":
            continue
        fields = children(element)
        url = text(fields.get("link"))
        # WordPress numbers posts and comments per site: the site makes them unique.
        prefix = f"{site or urlsplit(url).netloc}#"
        key = prefix + text(fields.get("post_id"))
        yield Thread(
            key=key,
            url=url,
            title=text(fields.get("title")),
            created_at=utc_datetime(text(fields.get("post_date_gmt")))
            or _rss_date(text(fields.get("pubDate"))),
        )
        for comment in element:
            if comment.tag == "comment":
                yield _post(comment, key, prefix)


def _post(element, thread_key: str, prefix: str) -> Post:
    fields = {name: text(child) for name, child in children(element).items()}
    kind = fields.get("comment_type", "")
    parent = fields.get("comment_parent", "")
    original_id = fields.get("comment_id", "")
    return Post(
        original_id=prefix + original_id,
        thread_key=thread_key,
        parent_id="" if parent in ("", "0") else prefix + parent,
        author_name=fields.get("comment_author", ""),
        author_email=fields.get("comment_author_email", ""),
        body=html_to_text(fields.get("comment_content", "")),
        created_at=utc_datetime(fields.get("comment_date_gmt", ""))
        or utc_datetime(fields.get("comment_date", "")),
        status=STATUSES.get(fields.get("comment_approved", ""), SourceStatus.PENDING),
        skip_reason=kind if kind in NOTIFICATION_TYPES else ("" if original_id else "no id"),
    )


def _rss_date(value: str):
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
