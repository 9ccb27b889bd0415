"""What moderators decided about a commenter (an email address), not one comment.

Measures are only ever added (``CommenterAction`` is the audit trail); a commenter's
standing is read from the latest action on each measure."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.comments.models import email_key
from agora.newsroom.audit import AppendOnly

REASON_MAX_LENGTH = 500


class Measure(models.TextChoices):
    SUSPEND = "suspend", _("Suspended")
    BAN = "ban", _("Banned")
    ALWAYS_REVIEW = "always_review", _("Always reviewed")
    TRUSTED = "trusted", _("Trusted")


class CommenterAction(AppendOnly):
    """One measure taken on a commenter, or lifted (``lifted``), with its reason."""

    trail = "The commenters' audit trail"

    email_key = models.CharField(max_length=254)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    lifted = models.BooleanField(default=False)
    # When a suspension ends.
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=REASON_MAX_LENGTH)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Taken by the repeat-offender policy: the rejections it counted, within how many days.
    automatic = models.BooleanField(default=False)
    rejections = models.PositiveIntegerField(null=True, blank=True)
    window_days = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email_key", "created_at"])]

    def __str__(self) -> str:
        verb = "lifted" if self.lifted else "taken"
        return f"{self.email_key}: {self.measure} {verb}"

    def as_dict(self) -> dict:
        """The measure as JSON-ready data, less the address and the moderator (privacy
        exports, the site export)."""
        return {
            "measure": self.measure,
            "lifted": self.lifted,
            "until": self.until.isoformat() if self.until else None,
            "reason": self.reason,
            "automatic": self.automatic,
            "rejections": self.rejections,
            "window_days": self.window_days,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Standing:
    """The measures in force on one commenter: the actions that took them."""

    active: dict[str, CommenterAction]

    @property
    def banned(self) -> CommenterAction | None:
        return self.active.get(Measure.BAN)

    @property
    def suspended(self) -> CommenterAction | None:
        return self.active.get(Measure.SUSPEND)

    @property
    def always_review(self) -> bool:
        return Measure.ALWAYS_REVIEW in self.active

    @property
    def trusted(self) -> bool:
        return Measure.TRUSTED in self.active


def standing(email: str) -> Standing:
    """The measures in force on ``email``: one indexed query, no row for most commenters.
    A suspension whose end has passed is no longer in force.

    A raw query, as every post asks it: as a queryset it cost 0.28 ms of CPU, raw 0.06 ms."""
    query = (
        f"SELECT * FROM {CommenterAction._meta.db_table} WHERE email_key = %s"
        " ORDER BY created_at DESC, id DESC"
    )
    latest: dict[str, CommenterAction] = {}
    for action in CommenterAction.objects.raw(query, [email_key(email)]):
        latest.setdefault(action.measure, action)
    now = timezone.now()
    return Standing(
        {
            measure: action
            for measure, action in latest.items()
            if not action.lifted and (action.until is None or action.until > now)
        }
    )
