"""Inserting many rows at once without building a model instance for each.

An import stores millions of comments, each with its decision and its origin. Django's
``bulk_create`` spends most of that time building an object per row and preparing every
field of it; here only the values a row gives are prepared (by their field, a column at a
time), and the fields it leaves out take their default, prepared once per call. No signal
is sent and no ``save()`` runs, as with ``bulk_create``. On PostgreSQL the rows go in by
``COPY``, which the server reads several times faster than ``INSERT`` statements.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

# Rows per statement when the database sets no limit on parameters (PostgreSQL).
ROWS_PER_STATEMENT = 500
# Field types whose preparation gives a string back as it is (subclasses may not).
TEXT_FIELDS = {models.CharField, models.TextField, models.EmailField}
# SQLite settings while many rows are written: 64 MB of page cache instead of 2 MB (a
# batch touches pages all over the comments' ten indexes), and the write-ahead log copied
# into the database every 40 MB instead of every 4 MB (each copy waits for the disk).
# Neither changes what a commit guarantees: the journal and its syncing stay as they are.
SQLITE_BULK_PRAGMAS = {"cache_size": -64 * 1024, "wal_autocheckpoint": 10_000}


@contextmanager
def tuned_for_writing() -> Iterator[None]:
    """Within: the connection set for writing many rows (on SQLite), then as it was."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite":
        yield
        return
    with db.cursor() as cursor:
        saved = {
            name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in SQLITE_BULK_PRAGMAS
        }
        for name, value in SQLITE_BULK_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


def insert(model, rows: list[dict], *, returning_ids: bool = False) -> list[int]:
    """Insert ``rows`` (dicts keyed by field attname, all with the same keys) into
    ``model``'s table; return their new primary keys, in order, if ``returning_ids``.

    A field missing from the rows takes its default; ``auto_now``/``auto_now_add``
    fields take the time of the call; generated ones are the database's. Callers hold the
    transaction."""
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    given = list(rows[0])
    # The database fills generated columns (Comment.scored) itself.
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    by_name = {field.attname: field for field in fields}
    unknown = set(given) - set(by_name)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    constant = {
        field.attname: field.get_db_prep_save(_default(field, now), db)
        for field in fields
        if field.attname not in given
    }
    columns = [by_name[name].column for name in [*given, *constant]]
    values = [
        (*row, *constant.values()) for row in zip(*_prepared(given, by_name, rows, db), strict=True)
    ]
    table = model._meta.db_table
    if db.vendor == "postgresql":
        return _copy(db, table, model._meta.pk.column, columns, values, returning_ids)
    ops = db.ops
    names = ", ".join(ops.quote_name(column) for column in columns)
    one_row = f"({', '.join(['%s'] * len(columns))})"
    with db.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(
                f"INSERT INTO {ops.quote_name(table)} ({names}) VALUES {one_row}", values
            )
            return []
        limit = db.features.max_query_params
        per_statement = limit // len(columns) if limit else ROWS_PER_STATEMENT
        ids = []
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {ops.quote_name(table)} ({names}) "
                f"VALUES {', '.join([one_row] * len(chunk))} "
                f"RETURNING {ops.quote_name(model._meta.pk.column)}",
                [value for row in chunk for value in row],
            )
            # Rows come back in the order of VALUES, as Django's bulk_create expects too.
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def _copy(db, table: str, pk: str, columns: list[str], values: list, returning_ids: bool):
    """``COPY`` the rows into ``table``; with ``returning_ids``, the primary keys are taken
    from the table's sequence first (as ``INSERT`` would take them) and copied with them."""
    quote = db.ops.quote_name
    ids: list[int] = []
    with db.cursor() as cursor:
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk, len(values)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            columns = [pk, *columns]
            values = [(new_id, *row) for new_id, row in zip(ids, values, strict=True)]
        names = ", ".join(quote(column) for column in columns)
        # Django's cursor wrapper has no COPY: the driver's cursor does it, with errors
        # turned into Django's as its wrapper would.
        with db.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
    return ids


def _prepared(names: list[str], fields: dict, rows: list[dict], db) -> list[list]:
    """The values of ``rows`` under ``names``, prepared for the database, a list per name."""
    return [_column_preparer(fields[name], db)([row[name] for row in rows]) for name in names]


def _column_preparer(field, db) -> Callable[[list], list]:
    """What prepares a column of ``field``'s values for ``db``: its field's preparation,
    skipped for the values it would give back as they are."""
    # A foreign key's own preparation looks its target up again for every value.
    target = field.target_field if field.is_relation else field
    prepare = target.get_db_prep_save
    if type(field) in TEXT_FIELDS:
        # A text field prepares a string as itself, through five calls.
        return lambda values: [v if type(v) is str else prepare(v, db) for v in values]
    if isinstance(target, AutoFieldMixin):
        # An id is prepared as int(id), which the database then checks.
        validate = db.ops.validate_autopk_value
        return lambda values: [validate(v) if type(v) is int else prepare(v, db) for v in values]
    return lambda values: [prepare(v, db) for v in values]


def _default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def update(model, rows: list[dict]) -> None:
    """Set fields of existing rows of ``model``: each dict holds the primary key under
    ``"pk"`` and the new values by field attname, all rows the same fields. One statement
    run for all of them (``bulk_update`` builds a CASE per field, slower than the writes).
    Callers hold the transaction."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    names = [name for name in rows[0] if name != "pk"]
    fields = {name: model._meta.get_field(name) for name in names}
    ops = db.ops
    assignments = ", ".join(f"{ops.quote_name(fields[name].column)} = %s" for name in names)
    pk = ops.quote_name(model._meta.pk.column)
    with db.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} WHERE {pk} = %s",
            list(
                zip(
                    *_prepared(names, fields, rows, db),
                    (row["pk"] for row in rows),
                    strict=True,
                )
            ),
        )
