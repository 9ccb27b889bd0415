"""Isso: its SQLite database is its export (tables ``threads`` and ``comments``); files in
Isso's generic JSON import format (threads with their comments) are read too.

Threads are paths on the site; ``--base-url`` makes them addresses."""

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from agora.imports.records import ImportFileError, Post, SourceStatus, Thread, utc_datetime

SQLITE_HEADER = b"SQLite format 3\x00"
MODES = {1: SourceStatus.APPROVED, 2: SourceStatus.PENDING, 4: SourceStatus.DELETED}


def read(path, options) -> Iterator[Thread | Post]:
    with open(path, "rb") as file:
        header = file.read(len(SQLITE_HEADER))
    base_url = options.get("base_url", "")
    if header == SQLITE_HEADER:
        yield from _read_database(path, base_url)
    else:
        yield from _read_generic_json(path, base_url)


def _read_database(path, base_url: str) -> Iterator[Thread | Post]:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for thread_id, uri, title in _rows(database, "SELECT id, uri, title FROM threads"):
            yield Thread(str(thread_id), base_url + uri, title or "", None)
        query = (
            "SELECT id, tid, parent, created, mode, author, email, text FROM comments ORDER BY id"
        )
        for comment_id, tid, parent, created, mode, author, email, text in _rows(database, query):
            yield Post(
                original_id=str(comment_id),
                thread_key=str(tid),
                parent_id=str(parent) if parent else "",
                author_name=author or "",
                author_email=email or "",
                body=(text or "").strip(),
                created_at=datetime.fromtimestamp(created, UTC) if created else None,
                status=MODES.get(mode, SourceStatus.PENDING),
            )
    finally:
        database.close()


def _rows(database, query: str):
    try:
        yield from database.execute(query)
    except sqlite3.DatabaseError as error:
        raise ImportFileError(f"This is not an Isso database ({error}).") from error


def _read_generic_json(path, base_url: str) -> Iterator[Thread | Post]:
    try:
        with open(path, encoding="utf-8") as file:
            threads = json.load(file)
        if not isinstance(threads, list):
            raise TypeError("the top level is not a list of threads")
        for thread in threads:
            yield Thread(thread["id"], base_url + thread["id"], unquote_plus(thread["title"]), None)
            for comment in thread["comments"]:
                yield Post(
                    # Ids in this format count from 0 within each thread.
                    original_id=f"{thread['id']}#{comment['id']}",
                    thread_key=thread["id"],
                    parent_id="",
                    author_name=comment.get("author") or "",
                    author_email=comment.get("email") or "",
                    body=(comment.get("text") or "").strip(),
                    created_at=utc_datetime(comment.get("created") or ""),
                    status=SourceStatus.APPROVED,
                )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ImportFileError(
            f"{path} is neither an Isso database nor Isso's JSON import format ({error!r})."
        ) from error
