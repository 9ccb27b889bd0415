"""Keyset ("cursor") pagination.

An offset shifts when comments are approved or rejected between two page
loads, so a reader would miss or repeat comments; a cursor remembers the sort
key of the last row served and the next page starts strictly after it. The
cursor is signed, so clients cannot forge one: treat it as opaque.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query

SALT = "agora.api.cursor"
MAX_CURSOR_LENGTH = 500

# The paging parameters of every listing endpoint.
Limit = Query(50, ge=1, le=200, description="Page size, 1 to 200.")
Cursor = Query(None, description="The `next` value of the previous page.")


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Ordering:
    """A named sort order; the last key must be unique (the id) so it is total."""

    name: str
    keys: tuple[tuple[str, bool], ...]  # (field, descending)

    def order_by(self) -> list[str]:
        return [("-" if descending else "") + field for field, descending in self.keys]

    def after(self, values: list) -> Q:
        """Rows that sort strictly after a row whose keys are ``values``."""
        clauses, equal = [], Q()
        for (field, descending), value in zip(self.keys, values, strict=True):
            clauses.append(equal & Q(**{f"{field}__{'lt' if descending else 'gt'}": value}))
            equal &= Q(**{field: value})
        return reduce(or_, clauses)


# Rows by creation, the oldest first: threads and the moderation queue both offer it.
OLDEST_FIRST = Ordering("oldest", (("created_at", False), ("id", False)))


def encode_cursor(ordering: Ordering, row: dict) -> str:
    # Django parses ISO strings back for DateTimeField lookups.
    values = [
        row[field].isoformat() if isinstance(row[field], datetime) else row[field]
        for field, _descending in ordering.keys
    ]
    return signing.dumps({"o": ordering.name, "k": values}, salt=SALT, compress=True)


def decode_cursor(ordering: Ordering, cursor: str) -> list:
    unknown = _("This cursor is not one the API gave out; start again without a cursor.")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(unknown)
    try:
        payload = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise InvalidCursor(unknown) from None
    if payload["o"] != ordering.name:
        raise InvalidCursor(
            _("This cursor belongs to order=%(order)s; keep the order while paging.")
            % {"order": payload["o"]}
        )
    return payload["k"]


def cursor_checked(ordering: Ordering, cursor: str | None) -> str | None:
    """``cursor``, checked now: a bad cursor is a 400 even when a conditional request
    would otherwise get a 304."""
    if cursor:
        decode_cursor(ordering, cursor)
    return cursor


def paginate(queryset, ordering: Ordering, limit: int, cursor: str | None):
    """One page of ``queryset`` (rows as dicts from ``.values()``, which must
    include every key field) and the cursor of the next page, or None."""
    queryset = queryset.order_by(*ordering.order_by())
    if cursor:
        queryset = queryset.filter(ordering.after(decode_cursor(ordering, cursor)))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(ordering, rows[-1])
