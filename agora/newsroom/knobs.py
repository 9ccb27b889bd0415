"""The newsroom's moderation settings, and the one way code reads them: :func:`current`.

Each setting's default is the operator's environment variable (read from Django's
settings when asked, so it is never copied); a chief moderator may set another value in
the moderator pages (``agora.newsroom.actions``), stored in the database and then used
by every app server. The stored values are kept in Django's cache, which a change
replaces once it commits: with a shared cache (Redis, a database table), every server
sees a change on its next read; with each process's own memory, within
``CACHE_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agora.newsroom.models import StoredSetting

CACHE_KEY = "newsroom:settings"
CACHE_SECONDS = 60
# The longest period any of the day counts below may name: ten years.
MAX_DAYS = 3650

#: Sent inside the transaction that changes settings, with ``names``, the settings whose
#: value changed: an app that keeps what a setting shapes (cached pages, say) refreshes it
#: there, as this app imports none of them.
changed = Signal()


@dataclass(frozen=True)
class Knob:
    """One setting: its name, what the page says of it, its kind of value and bounds,
    and its default (read from the environment's Django setting)."""

    name: str
    environment: str
    label: str | Promise
    help: str | Promise
    default: Callable[[], int | bool]
    minimum: int = 0
    maximum: int = 0

    @property
    def is_switch(self) -> bool:
        return self.maximum == 0


KNOBS = (
    Knob(
        "reports_withdraw_after",
        "AGORA_REPORTS_WITHDRAW_AFTER",
        _("Reports that withdraw a comment"),
        _(
            "A published comment reported by this many different readers leaves the thread "
            "until a moderator decides. 0: never."
        ),
        lambda: settings.AGORA_REPORTS_WITHDRAW_AFTER,
        maximum=1000,
    ),
    Knob(
        "close_comments_after_days",
        "AGORA_CLOSE_COMMENTS_AFTER_DAYS",
        _("Close comments after (days)"),
        _("Comments close on their own this many days after an article is published. 0: never."),
        lambda: settings.AGORA_CLOSE_COMMENTS_AFTER_DAYS,
        maximum=MAX_DAYS,
    ),
    Knob(
        "repeat_offender_rejections",
        "AGORA_REPEAT_OFFENDER_REJECTIONS",
        _("Repeat offenders: rejected comments"),
        _(
            "This many rejected comments within the period below suspend the commenter. "
            "0: the policy is off."
        ),
        lambda: settings.AGORA_REPEAT_OFFENDERS["rejections"],
        maximum=1000,
    ),
    Knob(
        "repeat_offender_days",
        "AGORA_REPEAT_OFFENDER_DAYS",
        _("Repeat offenders: within (days)"),
        _("The period in which rejections are counted."),
        lambda: settings.AGORA_REPEAT_OFFENDERS["days"],
        minimum=1,
        maximum=MAX_DAYS,
    ),
    Knob(
        "repeat_offender_suspend_days",
        "AGORA_REPEAT_OFFENDER_SUSPEND_DAYS",
        _("Repeat offenders: suspended for (days)"),
        _("How long the automatic suspension lasts."),
        lambda: settings.AGORA_REPEAT_OFFENDERS["suspend_days"],
        minimum=1,
        maximum=MAX_DAYS,
    ),
    Knob(
        "trusted_auto_approve",
        "AGORA_TRUSTED_AUTO_APPROVE",
        _("Approve trusted commenters automatically"),
        _("Comments from trusted commenters are approved when the engine finds nothing."),
        lambda: settings.AGORA_TRUSTED_AUTO_APPROVE,
    ),
)
BY_NAME = {knob.name: knob for knob in KNOBS}


def stored() -> dict[str, int | bool]:
    """The values chief moderators set, by name (one query, or none from the cache)."""
    found: dict[str, int | bool] | None = cache.get(CACHE_KEY)
    if found is None:
        found = dict(StoredSetting.objects.values_list("name", "value"))
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def current(name: str) -> int | bool:
    """The value of the setting ``name`` now: the one stored, else the environment's."""
    knob = BY_NAME[name]
    values = stored()
    return values[name] if name in values else knob.default()


def forget_stored() -> None:
    cache.delete(CACHE_KEY)
