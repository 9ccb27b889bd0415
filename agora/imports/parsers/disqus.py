"""Disqus's XML export: <thread> and <post> elements under <disqus>, linked by dsq:id."""

from collections.abc import Iterator

from agora.imports.parsers.xmlstream import child, child_text, local_name, records
from agora.imports.records import Post, SourceStatus, Thread, utc_datetime
from agora.imports.text import html_to_text

INTERNAL_ID = "{http://disqus.com/disqus-internals}id"


def read(path, options) -> Iterator[Thread | Post]:
    for element in records(path, depth=1):
        kind = local_name(element)
        if kind == "thread":
            yield Thread(
                key=element.get(INTERNAL_ID, ""),
                url=child_text(element, "link"),
                title=child_text(element, "title"),
                created_at=utc_datetime(child_text(element, "createdAt")),
            )
        elif kind == "post":
            yield _post(element)


def _post(element) -> Post:
    author = child(element, "author")
    thread = child(element, "thread")
    parent = child(element, "parent")
    original_id = element.get(INTERNAL_ID, "")
    return Post(
        original_id=original_id,
        thread_key=thread.get(INTERNAL_ID, "") if thread is not None else "",
        parent_id=parent.get(INTERNAL_ID, "") if parent is not None else "",
        author_name=child_text(author, "name") if author is not None else "",
        author_email=child_text(author, "email") if author is not None else "",
        body=html_to_text(child_text(element, "message")),
        created_at=utc_datetime(child_text(element, "createdAt")),
        status=_status(element),
        skip_reason="" if original_id else "no dsq:id",
    )


def _status(element) -> SourceStatus:
    if child_text(element, "isDeleted") == "true":
        return SourceStatus.DELETED
    if child_text(element, "isSpam") == "true":
        return SourceStatus.SPAM
    return SourceStatus.APPROVED
