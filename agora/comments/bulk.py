"""Inserting many rows at once without building a model instance for each.

An import stores millions of comments, each with its decision and its origin. Django's
``bulk_create`` spends most of that time building an object per row and preparing every
field of it; here only the values a row gives are prepared (by their field), and the
fields it leaves out take their default, prepared once per call. No signal is sent and
no ``save()`` runs, as with ``bulk_create``.
"""

from django.db import connection, models
from django.utils import timezone

# Rows per statement when the database sets no limit on parameters (PostgreSQL).
ROWS_PER_STATEMENT = 500
# Field types whose preparation gives a string back as it is (subclasses may not).
TEXT_FIELDS = {models.CharField, models.TextField, models.EmailField}


def insert(model, rows: list[dict], *, returning_ids: bool = False) -> list[int]:
    """Insert ``rows`` (dicts keyed by field attname, all with the same keys) into
    ``model``'s table; return their new primary keys, in order, if ``returning_ids``.

    A field missing from the rows takes its default; ``auto_now``/``auto_now_add``
    fields take the time of the call. Callers hold the transaction."""
    if not rows:
        return []
    given = list(rows[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    by_name = {field.attname: field for field in fields}
    unknown = set(given) - set(by_name)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    constant = {
        field.attname: field.get_db_prep_save(_default(field, now), connection)
        for field in fields
        if field.attname not in given
    }
    columns = given + list(constant)
    prepare = [_preparer(by_name[name]) for name in given]
    fixed = tuple(constant.values())
    values = [
        tuple(p(row[name], connection) for p, name in zip(prepare, given, strict=True)) + fixed
        for row in rows
    ]
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(by_name[name].column) for name in columns)
    one_row = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one_row}", values)
            return []
        pk = ops.quote_name(model._meta.pk.column)
        limit = connection.features.max_query_params
        per_statement = limit // len(columns) if limit else ROWS_PER_STATEMENT
        ids = []
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(chunk))} "
                f"RETURNING {pk}",
                [value for row in chunk for value in row],
            )
            # Rows come back in the order of VALUES, as Django's bulk_create expects too.
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def _preparer(field):
    # A foreign key's own preparation looks its target up again for every value.
    prepare = (field.target_field if field.is_relation else field).get_db_prep_save
    if type(field) not in TEXT_FIELDS:
        return prepare
    # A text field prepares a string as itself, through five calls: skip them.
    return lambda value, connection: value if type(value) is str else prepare(value, connection)


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
    names = [name for name in rows[0] if name != "pk"]
    fields = [model._meta.get_field(name) for name in names]
    prepare = [_preparer(field) for field in fields]
    ops = connection.ops
    assignments = ", ".join(f"{ops.quote_name(field.column)} = %s" for field in fields)
    pk = ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} WHERE {pk} = %s",
            [
                (
                    *(p(row[name], connection) for p, name in zip(prepare, names, strict=True)),
                    row["pk"],
                )
                for row in rows
            ],
        )
