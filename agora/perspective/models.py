import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from agora.api.models import TOKEN_MAX_LENGTH, digest

# Recognisable in logs and by secret scanners, like the moderation API's tokens.
KEY_PREFIX = "agora_pk_"


class ApiKeyQuerySet(models.QuerySet):
    def issue(self, label: str = "", **quota) -> tuple["ApiKey", str]:
        """Create a key; return it with the raw secret, which is never stored."""
        key = self.model(label=label, **quota)
        raw = key.assign_new_secret()
        key.full_clean()
        key.save()
        return key, raw

    def find(self, raw_key: str) -> "ApiKey | None":
        """The key matching a raw secret sent as ``?key=`` (active or not), or None."""
        if not raw_key or len(raw_key) > TOKEN_MAX_LENGTH:
            return None
        return self.filter(digest=digest(raw_key)).first()


class ApiKey(models.Model):
    """A caller's key to ``/v1alpha1/comments:*``, with its own quota.

    Only the hash is stored; the raw key is shown once, when it is issued. A quota of 0
    means no limit for that window. Disable a key to refuse it without losing its label.
    """

    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Who or what uses the key.")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    per_second = models.PositiveIntegerField(
        _("queries per second"), default=10, help_text=_("0: no limit.")
    )
    per_day = models.PositiveIntegerField(
        _("queries per day"), default=100_000, help_text=_("0: no limit. Days are UTC days.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Perspective API key")
        verbose_name_plural = _("Perspective API keys")

    def __str__(self) -> str:
        return self.label or f"key {self.pk}"

    def assign_new_secret(self) -> str:
        """Give this (unsaved) key a fresh secret; return the raw secret."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        self.digest = digest(raw)
        return raw

    @property
    def rates(self) -> list[tuple[int, int]]:
        """The key's quota as rate-limit windows ``(count, seconds)``."""
        return [
            (count, seconds)
            for count, seconds in ((self.per_second, 1), (self.per_day, 86_400))
            if count
        ]


class SuggestedScore(models.Model):
    """A caller's own judgement of a comment (``comments:suggestscore``), kept as labelled
    data for the publisher's retraining when ``AGORA_PERSPECTIVE_FEEDBACK`` is on."""

    key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    #: The language the caller named, or the one Agora read in the text.
    lang = models.CharField(max_length=8)
    #: Attribute name -> the caller's score, 0 to 1 (e.g. ``{"TOXICITY": 1.0}``).
    scores = models.JSONField()
    context = models.JSONField(default=list, blank=True)
    community_id = models.CharField(max_length=500, blank=True)
    client_token = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suggested score")
        verbose_name_plural = _("suggested scores")

    def __str__(self) -> str:
        return (
            f"{', '.join(f'{k}={v}' for k, v in self.scores.items())} ({self.created_at:%Y-%m-%d})"
        )
