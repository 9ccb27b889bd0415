"""How a commenter's standing shapes posting: refused while banned or suspended, never
approved automatically under review, approved automatically when trusted (if the
newsroom allows it, ``trusted_auto_approve``) and the engine finds nothing."""

from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from agora.commenters.models import standing
from agora.newsroom import knobs


def refusal(email: str) -> tuple[str, str] | None:
    """``(code, message for the commenter)`` when ``email`` may not post now, else None."""
    current = standing(email)
    if current.banned:
        return "banned", gettext(
            "Your comment was not accepted: the moderators have banned this email address "
            "from commenting."
        )
    suspension = current.suspended
    if suspension is None:
        return None
    until = formats.date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT")
    message = gettext(
        "Your comment was not accepted: the moderators have suspended this email address "
        "from commenting until %(until)s."
    ) % {"until": until}
    if suspension.automatic:
        message += " " + ngettext(
            "This happens automatically when %(count)d of your comments are rejected "
            "within %(days)d days.",
            "This happens automatically when %(count)d of your comments are rejected "
            "within %(days)d days.",
            suspension.rejections,
        ) % {"count": suspension.rejections, "days": suspension.window_days}
    return "suspended", message


def automatic_action(email: str, automatic: str | None, engine_decision: str) -> str | None:
    """The engine's automatic action (``"approve"``, ``"reject"`` or None) on a comment
    from ``email``, as the commenter's standing changes it."""
    if automatic == "reject":
        return automatic
    trust_may_approve = knobs.current("trusted_auto_approve") and engine_decision == "approve"
    if automatic is None and not trust_may_approve:
        return None  # nothing the standing could change: no query
    current = standing(email)
    if current.always_review:
        return None
    if current.trusted and trust_may_approve:
        return "approve"
    return automatic
