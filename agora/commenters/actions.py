"""Every measure on a commenter is taken or lifted here, and recorded.

A moderator suspends (for a number of days), bans, puts under review or trusts a
commenter, always with a reason; lifting a measure is an action of its own. The
repeat-offender policy (the newsroom's ``repeat_offender_*`` settings, off by default) suspends a
commenter automatically after too many rejected comments."""

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.commenters.models import CommenterAction, Measure, standing
from agora.comments.models import Comment, Decision, Status, email_key
from agora.newsroom import knobs

MAX_SUSPENSION_DAYS = 3650


class CommenterError(Exception):
    """A measure that cannot be taken or lifted as asked."""


def take(email: str, measure: str, moderator, reason: str, *, days: int | None = None):
    """Take ``measure`` on the commenter ``email``; a suspension lasts ``days``."""
    if measure not in Measure.values:
        raise CommenterError(
            _("Unknown measure %(measure)r; use one of %(measures)s.")
            % {"measure": measure, "measures": ", ".join(Measure.values)}
        )
    reason = reason.strip()
    if not reason:
        raise CommenterError(_("Give a reason: it is recorded with the measure."))
    until = None
    if measure == Measure.SUSPEND:
        if days is None or not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise CommenterError(
                _("A suspension lasts 1 to %(days)d days.") % {"days": MAX_SUSPENSION_DAYS}
            )
        until = timezone.now() + timedelta(days=days)
    elif measure in standing(email).active:
        raise CommenterError(
            _("This measure is already in force: %(measure)s.")
            % {"measure": Measure(measure).label}
        )
    return CommenterAction.objects.create(
        email_key=email_key(email),
        measure=measure,
        until=until,
        reason=reason,
        moderator=moderator,
    )


def lift(email: str, measure: str, moderator, reason: str):
    """End a measure in force on the commenter ``email``."""
    reason = reason.strip()
    if not reason:
        raise CommenterError(_("Give a reason: it is recorded with the measure."))
    if measure not in standing(email).active:
        raise CommenterError(_("This measure is not in force on this commenter."))
    return CommenterAction.objects.create(
        email_key=email_key(email), measure=measure, lifted=True, reason=reason, moderator=moderator
    )


def rejection_recorded(sender, instance: Decision, created: bool, **kwargs) -> None:
    """After a rejection is committed, apply the repeat-offender policy to its author."""
    if (
        created
        and instance.to_status == Status.REJECTED
        and knobs.current("repeat_offender_rejections")
    ):
        transaction.on_commit(partial(suspend_repeat_offender, instance.comment_id), robust=True)


def suspend_repeat_offender(comment_id: int) -> CommenterAction | None:
    """Suspend the author of ``comment_id`` if the policy's number of their comments were
    rejected within its window, counting only rejections since the last measure on
    suspension or ban (a moderator who lifted one starts the count again)."""
    policy = {
        "rejections": knobs.current("repeat_offender_rejections"),
        "days": knobs.current("repeat_offender_days"),
        "suspend_days": knobs.current("repeat_offender_suspend_days"),
    }
    key = Comment.objects.filter(pk=comment_id).values_list("email_key", flat=True).first()
    if key is None or not policy["rejections"]:
        return None
    current = standing(key)
    if current.banned or current.suspended:
        return None
    since = timezone.now() - timedelta(days=policy["days"])
    last_measure = CommenterAction.objects.filter(
        email_key=key, measure__in=[Measure.SUSPEND, Measure.BAN]
    ).aggregate(last=Max("created_at"))["last"]
    if last_measure is not None:
        since = max(since, last_measure)
    rejected = (
        Comment.objects.filter(
            email_key=key,
            status=Status.REJECTED,
            decisions__to_status=Status.REJECTED,
            decisions__created_at__gte=since,
        )
        .distinct()
        .count()
    )
    if rejected < policy["rejections"]:
        return None
    return CommenterAction.objects.create(
        email_key=key,
        measure=Measure.SUSPEND,
        until=timezone.now() + timedelta(days=policy["suspend_days"]),
        reason=f"Repeat offender: {rejected} comments rejected within {policy['days']} days.",
        automatic=True,
        rejections=rejected,
        window_days=policy["days"],
    )


def restore_measure(exported: dict, moderator) -> bool:
    """Store a measure exported from an Agora site (``CommenterAction.as_dict`` with the
    commenter's ``email``) as it was there, dates included; False when it is stored
    already (a second run of the same import)."""
    created_at = datetime.fromisoformat(exported["created_at"])
    fields = {
        "email_key": email_key(exported["email"]),
        "measure": exported["measure"],
        "lifted": exported["lifted"],
        "until": datetime.fromisoformat(exported["until"]) if exported["until"] else None,
        "reason": exported["reason"],
        "automatic": exported["automatic"],
        "rejections": exported["rejections"],
        "window_days": exported["window_days"],
    }
    with transaction.atomic():
        if CommenterAction.objects.filter(created_at=created_at, **fields).exists():
            return False
        action = CommenterAction.objects.create(moderator=moderator, **fields)
        CommenterAction.objects.filter(pk=action.pk).update(created_at=created_at)
    return True
