import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.protection import readonly

# Recognisable in logs and by secret scanners, so a leaked token is spotted and revoked.
TOKEN_PREFIX = "agora_"
# Long enough for any token we issue; longer strings are not worth hashing.
TOKEN_MAX_LENGTH = 100
# Recording every single use would turn each moderator read into a write.
LAST_USED_RESOLUTION = 60  # seconds


def digest(raw_token: str) -> str:
    """SHA-256 of a token. Tokens are 256 random bits, so a fast hash is enough:
    there is nothing to brute-force, and the database never holds a usable token."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, user, label: str = "") -> tuple["ApiToken", str]:
        """Create a token for ``user``; return it with the raw secret, which is never stored."""
        token = self.model(user=user, label=label)
        raw = token.assign_new_secret()
        token.save()
        return token, raw

    def find(self, raw_token: str) -> "ApiToken | None":
        """The token matching a raw secret sent by a client, with its user, or None."""
        if not raw_token or len(raw_token) > TOKEN_MAX_LENGTH:
            return None
        return self.select_related("user").filter(digest=digest(raw_token)).first()


class ApiToken(models.Model):
    """A moderator's key to the moderation API (``Authorization: Bearer <token>``).

    Only the hash is stored, so the raw token is shown once, when it is created.
    Revoke a token by deleting it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("What the token is for.")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.label})" if self.label else str(self.user)

    def assign_new_secret(self) -> str:
        """Give this (unsaved) token a fresh secret; return the raw secret."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.digest = digest(raw)
        return raw

    def record_use(self) -> None:
        now = timezone.now()
        if self.last_used_at and (now - self.last_used_at).total_seconds() < LAST_USED_RESOLUTION:
            return
        # Only a record: a database that cannot write must not lock moderators out of reading.
        readonly.unless_cannot_write(type(self).objects.filter(pk=self.pk).update, last_used_at=now)
        self.last_used_at = now
