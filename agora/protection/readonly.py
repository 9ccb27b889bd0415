"""A database that cannot write (read-only files, a read-only PostgreSQL, a full disk).

Readers go on reading; whatever needed a write gets 503 with ``Retry-After``, a
JSON body on the API and a page elsewhere, and nothing is half-stored (every
write runs in a transaction). A connection that failed to write is closed when
its request ends: SQLite opens a file it may not write read-only and stays so,
and the next request's fresh connection writes again as soon as it can.
"""

import sqlite3

from django.core.signals import request_finished
from django.db import DatabaseError, connections
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# Seconds a client should wait: an operator freeing disk space or fixing permissions.
RETRY_AFTER = 30
SQLITE_CODES = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL}
# read_only_sql_transaction, disk_full.
POSTGRES_STATES = {"25006", "53100"}


def cannot_write(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database refused a write."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in SQLITE_CODES:
            return True
        if getattr(error, "sqlstate", None) in POSTGRES_STATES:
            return True
        error = error.__cause__ or error.__context__
    return False


def reopen_after_request() -> None:
    """Have every connection this thread opened closed when its request ends."""
    for connection in connections.all(initialized_only=True):
        connection.agora_cannot_write = True


@receiver(request_finished, dispatch_uid="readonly.close_connections")
def close_connections_that_could_not_write(**kwargs) -> None:
    for connection in connections.all(initialized_only=True):
        if getattr(connection, "agora_cannot_write", False):
            connection.agora_cannot_write = False
            connection.close()


def unless_cannot_write(write, *args, otherwise=None, **kwargs):
    """``write(*args, **kwargs)``, or ``otherwise`` when the database refuses it: for writes a
    read can do without (a cache entry, a token's last use)."""
    try:
        return write(*args, **kwargs)
    except DatabaseError as error:
        if not cannot_write(error):
            raise
        reopen_after_request()
        return otherwise


def unavailable(request):
    """The 503 for a request that needed a write the database refused (its connection
    is then reopened for the next request)."""
    reopen_after_request()
    message = _("Agora cannot store anything right now; nothing was saved. Please try again soon.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "protection/unavailable.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
