"""Disqus's XML export: <thread> and <post> elements under <disqus>, linked by dsq:id."""

from collections.abc import Iterator

from agora.imports.parsers.xmlstream import children, records, text
from agora.imports.records import Post, SourceStatus, Thread, utc_datetime
from agora.imports.text import html_to_text

INTERNAL_ID = "{http://disqus.com/disqus-internals}id"


def read(path, options) -> Iterator[Thread | Post]:
    for element in records(path, depth=1):
        if element.tag == "thread":
            fields = children(element)
            yield Thread(
                key=element.get(INTERNAL_ID, ""),
                url=text(fields.get("link")),
                title=text(fields.get("title")),
                created_at=utc_datetime(text(fields.get("createdAt"))),
            )
        elif element.tag == "post":
            yield _post(element)


def _post(element) -> Post:
    fields = children(element)
    author = children(fields["author"]) if "author" in fields else {}
    thread = fields.get("thread")
    parent = fields.get("parent")
    original_id = element.get(INTERNAL_ID, "")
    return Post(
        original_id=original_id,
        thread_key=thread.get(INTERNAL_ID, "") if thread is not None else "",
        parent_id=parent.get(INTERNAL_ID, "") if parent is not None else "",
        author_name=text(author.get("name")),
        author_email=text(author.get("email")),
        body=html_to_text(text(fields.get("message"))),
        created_at=utc_datetime(text(fields.get("createdAt"))),
        status=_status(fields),
        skip_reason="" if original_id else "no dsq:id",
    )


def _status(fields) -> SourceStatus:
    if text(fields.get("isDeleted")) == "true":
        return SourceStatus.DELETED
    if text(fields.get("isSpam")) == "true":
        return SourceStatus.SPAM
    return SourceStatus.APPROVED
