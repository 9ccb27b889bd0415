"""The publisher's word lists: terms that reject a comment, hold it for review, or are
never flagged by a list.

A list is a (language, kind, guideline) triple; each ``Term`` row is one entry of one
list, so the lists need no table of their own. Every change is a ``TermChange`` row, and
the newest change's id is the lists' version (see ``agora.wordlists.matching``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.guidelines import GUIDELINES
from agora.newsroom.audit import AppendOnly

TERM_MAX_LENGTH = 200
# The reason codes a list may reject for: the engine's guidelines.
GUIDELINE_CHOICES = [(key, key) for key in GUIDELINES]


class Kind(models.TextChoices):
    BANNED = "banned", _("Banned: reject")
    SUSPECT = "suspect", _("Suspect: hold for review")
    ALLOWED = "allowed", _("Allowed: never flagged by a list")


class Term(models.Model):
    # Empty: the list for every language.
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The reason code a banned term rejects with (and a suspect term flags); empty for
    # allowed terms.
    guideline = models.CharField(max_length=20, blank=True, choices=GUIDELINE_CHOICES)
    text = models.CharField(max_length=TERM_MAX_LENGTH)
    # ``text`` after the engine's normalisation, as comments are matched.
    normalized = models.CharField(max_length=TERM_MAX_LENGTH * 4, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language", "kind", "normalized"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "kind", "normalized"], name="one_term_per_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.language or '*'}, {self.kind})"


class TermChange(AppendOnly):
    """One change to a list: the audit trail of the lists. Rows are only ever added."""

    trail = "The word lists' audit trail"

    ADDED = "added"
    REMOVED = "removed"

    action = models.CharField(max_length=10, choices=[(ADDED, ADDED), (REMOVED, REMOVED)])
    language = models.CharField(max_length=8, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    guideline = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=TERM_MAX_LENGTH)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.text!r} ({self.language or '*'}, {self.kind})"
