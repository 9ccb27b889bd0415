"""The cache in a database table (``AGORA_CACHE_URL=db://table``), for a database that
may refuse writes: reads must go on while it does."""

from django.core.cache.backends import db
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from agora.protection import readonly


class DatabaseCache(db.DatabaseCache):
    """Django's table cache, except that a write the database refuses (storing an
    entry, or deleting the expired ones a read found) is skipped: the entry is
    simply not cached."""

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        return readonly.unless_cannot_write(
            super()._base_set, mode, key, value, timeout, otherwise=False
        )

    def _base_delete_many(self, keys):
        return readonly.unless_cannot_write(super()._base_delete_many, keys, otherwise=False)
