"""A database that cannot write (read-only files, a read-only PostgreSQL, a full disk).

Readers go on reading; whatever needed a write gets 503 with ``Retry-After``, a
JSON body on the API and a page elsewhere, and nothing is half-stored (every
write runs in a transaction).

SQLite opens a file it may not write read-only and stays so; worse, every
connection of a process to one file shares its lock and shared-memory (-shm)
handles, so as long as any thread keeps a connection made while the file was
read-only, the fresh connections of the others cannot write either. So a
refused write marks the moment, and every connection opened before it is closed
at the next start or end of a request on its thread: the refusing request's
at its end, readers' (which never fail) at their next request. Once the files
are writable, the next requests' fresh connections write.
"""

import sqlite3
import time

from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
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


# When a write was last refused in this process (time.monotonic()), 0 if never.
_last_refusal = 0.0


@receiver(connection_created, dispatch_uid="readonly.note_opening")
def note_opening(sender, connection, **kwargs) -> None:
    connection.agora_opened_at = time.monotonic()


def refused_a_write() -> None:
    """Note that the database refused a write now: every connection opened until now is
    closed at its thread's next request start or end (the current one's included)."""
    global _last_refusal
    _last_refusal = time.monotonic()


@receiver(request_started, dispatch_uid="readonly.close_at_start")
@receiver(request_finished, dispatch_uid="readonly.close_at_end")
def close_connections_opened_before_a_refusal(**kwargs) -> None:
    if not _last_refusal:
        return
    for connection in connections.all(initialized_only=True):
        opened = getattr(connection, "agora_opened_at", None)
        if opened is not None and opened <= _last_refusal and connection.connection is not None:
            connection.close()


def unless_cannot_write(write, *args, otherwise=None, **kwargs):
    """``write(*args, **kwargs)``, or ``otherwise`` when the database refuses it: for writes a
    read can do without (a cache entry, a token's last use)."""
    try:
        return write(*args, **kwargs)
    except DatabaseError as error:
        if not cannot_write(error):
            raise
        refused_a_write()
        return otherwise


def unavailable(request):
    """The 503 for a request that needed a write the database refused."""
    refused_a_write()
    message = _("Agora cannot store anything right now; nothing was saved. Please try again soon.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "protection/unavailable.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
