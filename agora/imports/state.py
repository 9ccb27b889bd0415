"""What an import is asked to do and what it did, and what earlier runs stored."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from agora.imports.models import ImportedComment

BATCH_SIZE = 1000


@dataclass(frozen=True)
class ImportOptions:
    source: str
    language: str
    # Spam and deleted comments are stored as rejected instead of being left out.
    keep_removed: bool = False
    # Prefix for sources whose threads are paths (Isso, Commento).
    base_url: str = ""
    dry_run: bool = False
    progress: bool = False


@dataclass
class ImportSummary:
    threads: int = 0
    articles_created: int = 0
    articles_matched: int = 0
    # By Agora status: what the file holds to import, and what this run stored.
    planned: Counter = field(default_factory=Counter)
    imported: Counter = field(default_factory=Counter)
    already_imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    # Measures on commenters restored from an Agora export.
    measures: int = 0


def batches(records: Iterable) -> Iterator[list]:
    """Comments stored per transaction: whole ones only if a run stops midway."""
    records = iter(records)
    while batch := list(islice(records, BATCH_SIZE)):
        yield batch


def imported_comments(source: str, ids: list[str]) -> dict[str, int]:
    """The ids of the comments already imported from ``source`` under these original ids."""
    rows = ImportedComment.objects.filter(source=source, original_id__in=ids)
    return dict(rows.values_list("original_id", "comment_id"))
