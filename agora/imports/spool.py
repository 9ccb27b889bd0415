"""The posts an import keeps, held on disk between reading and storing.

An import checks the whole export before storing anything, then stores top-level comments
before replies, each reply attached to its top-level comment. Parsing XML and turning HTML
into text is most of the cost of reading an export, so the first reading keeps what it
parsed here, a column per field, and the storing passes read it back. It is a temporary
SQLite database on disk, so memory stays flat whatever the size of the archive (a Disqus
export of millions of comments would otherwise hold every id in memory). SQLite removes its
file as soon as it opens it: an import that is killed leaves nothing behind.
"""

import sqlite3
from collections.abc import Iterator
from datetime import datetime

from agora.imports.records import Post, SourceStatus

# Rows read back at a time.
FETCH = 1000
COLUMNS = "id, thread, parent, name, email, body, created, status"
STATUSES = {status.value: status for status in SourceStatus}
# A post is top-level unless its parent is another post kept.
TOP_LEVEL = (
    "post.parent = '' OR post.parent = post.id "
    "OR NOT EXISTS (SELECT 1 FROM post AS up WHERE up.id = post.parent)"
)


class Spool:
    def __init__(self):
        # "" is SQLite's private temporary database, in the system's temporary folder.
        # Nothing here must survive a crash: no journal, no syncing.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
            "CREATE TABLE post (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
            "thread TEXT NOT NULL, parent TEXT NOT NULL, name TEXT NOT NULL, "
            "email TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL, "
            "status TEXT NOT NULL);"
        )
        self.count = 0

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def __len__(self) -> int:
        return self.count

    def add(self, post: Post) -> bool:
        """Keep ``post`` (which has a date); False (and nothing kept) if a post with its id
        is kept already."""
        added = self.db.execute(
            f"INSERT OR IGNORE INTO post ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                post.original_id,
                post.thread_key,
                post.parent_id,
                post.author_name,
                post.author_email,
                post.body,
                post.created_at.isoformat(),
                post.status.value,
            ),
        ).rowcount
        self.count += added
        return bool(added)

    def __contains__(self, original_id: str) -> bool:
        return self.parent(original_id) is not None

    def parent(self, original_id: str) -> str | None:
        """The parent id of the kept post ``original_id`` ("" for none), None if not kept."""
        row = self.db.execute("SELECT parent FROM post WHERE id = ?", (original_id,)).fetchone()
        return None if row is None else row[0]

    def __iter__(self) -> Iterator[Post]:
        """Every post kept, in the order added; may be read any number of times."""
        return self._posts("1")

    def top_level(self) -> Iterator[Post]:
        """The posts whose parent is not kept (or who have none), in the order added."""
        return self._posts(TOP_LEVEL)

    def replies(self) -> Iterator[Post]:
        """The posts whose parent is kept, in the order added."""
        return self._posts(f"NOT ({TOP_LEVEL})")

    def _posts(self, condition: str) -> Iterator[Post]:
        cursor = self.db.execute(f"SELECT {COLUMNS} FROM post WHERE {condition} ORDER BY seq")
        while rows := cursor.fetchmany(FETCH):
            for original_id, thread, parent, name, email, body, created, status in rows:
                yield Post(
                    original_id,
                    thread,
                    parent,
                    name,
                    email,
                    body,
                    datetime.fromisoformat(created),
                    STATUSES[status],
                )

    def ids(self) -> Iterator[str]:
        cursor = self.db.execute("SELECT id FROM post ORDER BY seq")
        while rows := cursor.fetchmany(FETCH):
            yield from (original_id for (original_id,) in rows)
