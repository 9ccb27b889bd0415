"""The posts an import keeps, held on disk between reading and storing.

An import checks the whole export before storing anything, then stores top-level comments
before replies, each reply attached to its top-level comment. Parsing XML and turning HTML
into text is most of the cost of reading an export, so the first reading keeps what it
parsed here, with each post's id and parent id, and the storing passes read it back. It is
a temporary SQLite database on disk, so memory stays flat whatever the size of the archive
(a Disqus export of millions of comments would otherwise hold every id in memory). SQLite
removes its file as soon as it opens it: an import that is killed leaves nothing behind.
"""

import pickle
import sqlite3
from collections.abc import Iterator

from agora.imports.records import Post

# Rows read back at a time.
FETCH = 1000


class Spool:
    def __init__(self):
        # "" is SQLite's private temporary database, in the system's temporary folder.
        # Nothing here must survive a crash: no journal, no syncing.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
            "CREATE TABLE post (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
            "parent TEXT NOT NULL, data BLOB NOT NULL);"
        )
        self.count = 0

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def __len__(self) -> int:
        return self.count

    def add(self, post: Post) -> bool:
        """Keep ``post``; False (and nothing kept) if a post with its id is kept already."""
        added = self.db.execute(
            "INSERT OR IGNORE INTO post (id, parent, data) VALUES (?, ?, ?)",
            (post.original_id, post.parent_id, pickle.dumps(post, pickle.HIGHEST_PROTOCOL)),
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
        cursor = self.db.execute("SELECT data FROM post ORDER BY seq")
        while rows := cursor.fetchmany(FETCH):
            for (data,) in rows:
                yield pickle.loads(data)

    def ids(self) -> Iterator[str]:
        cursor = self.db.execute("SELECT id FROM post ORDER BY seq")
        while rows := cursor.fetchmany(FETCH):
            yield from (original_id for (original_id,) in rows)
