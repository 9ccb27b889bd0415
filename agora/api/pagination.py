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

SALT = "agora.api.cursor"
MAX_CURSOR_LENGTH = 500


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
