from django.db import models


class Counter(models.Model):
    """One rate-limit or flood counter: events counted in one clock-aligned window.

    A table of its own rather than a cache entry, because a counter must be exact and
    shared: every worker and server increments it in one atomic statement
    (:func:`agora.protection.ratelimit.hit_all`), nothing evicts it before its window ends,
    and the key holds a hash of the identity (an address, an email), never the identity.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.IntegerField()
    #: Unix time at which the window ends; expired rows are deleted from time to time.
    expires = models.FloatField(db_index=True)

    class Meta:
        db_table = "protection_counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
