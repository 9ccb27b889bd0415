"""The newsroom's moderation settings as chief moderators set them, and every change
made to them or to the desks.

A setting has a row only once someone changed it; until then its value is the
environment's (``agora.newsroom.knobs``). ``Change`` is the audit trail: rows are only
ever added."""

from django.conf import settings
from django.db import models

from agora.newsroom.audit import AppendOnly


class StoredSetting(models.Model):
    name = models.CharField(max_length=60, unique=True)
    value = models.JSONField()

    def __str__(self) -> str:
        return f"{self.name} = {self.value!r}"


class Change(AppendOnly):
    """One change to a setting or to a desk: who made it, when, the value before and
    after (None where there was none: a desk just created)."""

    trail = "The newsroom's audit trail"

    SETTING = "setting"
    DESK = "desk"

    subject = models.CharField(max_length=10, choices=[(SETTING, SETTING), (DESK, DESK)])
    # The setting's name, or the desk's name after the change.
    name = models.CharField(max_length=80)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} {self.name}: {self.old!r} -> {self.new!r}"
