"""Commento's JSON export: a list of comments and a list of commenters.

The export is one JSON document, read whole (Commento's exports are small next to
Disqus's). Threads are a domain and a path: the address is https://domain/path unless
``--base-url`` is given."""

import json
from collections.abc import Iterator

from agora.imports.records import ImportFileError, Post, SourceStatus, Thread, utc_datetime

STATES = {
    "approved": SourceStatus.APPROVED,
    "unapproved": SourceStatus.PENDING,
    "flagged": SourceStatus.PENDING,
}
ANONYMOUS = "anonymous"


def read(path, options) -> Iterator[Thread | Post]:
    try:
        with open(path, encoding="utf-8") as file:
            export = json.load(file)
        comments = export["comments"]
        people = {person["commenterHex"]: person for person in export.get("commenters") or []}
        records = list(_records(comments, people, options.get("base_url", "")))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise ImportFileError(f"{path} is not a Commento export ({e!r}).") from e
    yield from records


def _records(comments, people, base_url: str) -> Iterator[Thread | Post]:
    seen_threads = set()
    for comment in comments:
        key = comment["domain"] + comment["url"]
        if key not in seen_threads:
            seen_threads.add(key)
            url = base_url + comment["url"] if base_url else "https://" + key
            yield Thread(key, url, comment["url"], None)
        person = people.get(comment["commenterHex"], {})
        parent = comment.get("parentHex") or "root"
        yield Post(
            original_id=comment["commentHex"],
            thread_key=key,
            parent_id="" if parent == "root" else parent,
            author_name=person.get("name", ""),
            author_email=person.get("email", ""),
            body=(comment.get("markdown") or "").strip(),
            created_at=utc_datetime(comment.get("creationDate") or ""),
            status=SourceStatus.DELETED
            if comment.get("deleted")
            else STATES.get(comment.get("state"), SourceStatus.PENDING),
        )
