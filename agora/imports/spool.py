"""The posts an import keeps, held in a temporary file between reading and storing.

An import checks the whole export before storing anything, then stores top-level comments
before replies. Parsing XML and turning HTML into text is most of the cost of reading an
export, so the first reading keeps what it parsed here, and the storing passes read it
back, in memory that does not grow with the archive.
"""

import pickle
import tempfile
from collections.abc import Iterator

from agora.imports.records import Post

# Posts pickled together: large enough to pickle cheaply, small enough to stay light.
CHUNK = 1000


class Spool:
    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.pending: list[Post] = []

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def add(self, post: Post) -> None:
        self.pending.append(post)
        if len(self.pending) == CHUNK:
            self._flush()

    def __iter__(self) -> Iterator[Post]:
        """Every post added, in order; may be read any number of times."""
        self._flush()
        self.file.seek(0)
        while True:
            try:
                chunk = pickle.load(self.file)
            except EOFError:
                return
            yield from chunk

    def _flush(self) -> None:
        if self.pending:
            self.file.seek(0, 2)
            pickle.dump(self.pending, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.pending = []
