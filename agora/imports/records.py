"""What every parser reads from its source: threads and the comments posted in them."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class SourceStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"


@dataclass(frozen=True)
class Thread:
    key: str
    url: str
    title: str
    created_at: datetime | None


@dataclass(frozen=True)
class Post:
    original_id: str
    thread_key: str
    parent_id: str
    author_name: str
    author_email: str
    body: str
    created_at: datetime | None
    status: SourceStatus
    # Set by a parser for a post it read but cannot import (a pingback, an empty id).
    skip_reason: str = ""


class ImportFileError(Exception):
    """The file cannot be read as the named source's export; nothing was imported."""


def utc_datetime(value: str) -> datetime | None:
    """An ISO 8601 date (with "T" or a space) as an aware datetime, UTC if no zone is
    given; None for an empty or impossible one (WordPress writes "0000-00-00 00:00:00")."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
