"""Every change to readers' reports happens here: filing one, withdrawing a comment that
enough readers reported, and settling reports when a moderator decides the comment."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from agora.comments import actions as comment_actions
from agora.comments.models import Comment, Decision, Status, email_key
from agora.newsroom import knobs
from agora.protection import ratelimit
from agora.reports.models import Report, Resolution


class NotReportable(Exception):
    """The comment is not published (or does not exist): there is nothing to report."""


@dataclass(frozen=True)
class NewReport:
    reason: str
    email: str
    explanation: str = ""
    law: str = ""


def rate_wait(ip: str, email: str) -> int:
    """Count a report from ``ip`` and ``email``; the seconds to wait if either sent too many."""
    return ratelimit.limit_all([("report-ip", ip), ("report-email", email_key(email))])


def already_reported(comment_id: int, email: str) -> bool:
    return Report.objects.filter(comment_id=comment_id, reporter_key=email_key(email)).exists()


def file_report(comment_id: int, new: NewReport) -> tuple[Report, bool]:
    """Store a reader's report of a published comment; return it and whether it is new
    (a reader who reported the comment before gets their first report back).

    The comment leaves the public thread once the newsroom's ``reports_withdraw_after`` different
    readers have open reports on it: it waits for a moderator, and the audit trail
    records the withdrawal as an automatic decision."""
    with transaction.atomic():
        # Locked so that concurrent reports count each other and withdraw once.
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None or comment.status != Status.APPROVED:
            raise NotReportable
        key = email_key(new.email)
        existing = Report.objects.filter(comment=comment, reporter_key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    comment=comment,
                    reason=new.reason,
                    law=new.law,
                    explanation=new.explanation,
                    email=new.email,
                    reporter_key=key,
                    lang=translation.get_language() or "",
                )
        except IntegrityError:
            return Report.objects.get(comment=comment, reporter_key=key), False
        _withdraw_if_reported_enough(comment)
    return report, True


def _withdraw_if_reported_enough(comment: Comment) -> None:
    threshold = knobs.current("reports_withdraw_after")
    if threshold <= 0:
        return
    readers = comment.reports.open().count()
    if readers >= threshold:
        comment_actions.withdraw(
            comment,
            note=f"Withdrawn from the thread after reports from {readers} different readers; "
            "waiting for a moderator.",
        )


def dismiss(comment: Comment, moderator) -> int:
    """Close the open reports of ``comment``: it stays (or goes back) in the public thread.

    A comment withdrawn by reports is published again, by a recorded approval (which
    settles its reports, see :func:`settle_on_decision`). Returns how many were open."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        open_reports = locked.reports.open()
        count = open_reports.count()
        if count and locked.status == Status.PENDING:
            comment_actions.approve(
                locked, moderator, expected_status=Status.PENDING, note="Reports dismissed."
            )
        else:
            _settle(open_reports, Resolution.DISMISSED, moderator)
    comment.status = locked.status
    return count


def settle_on_decision(sender, instance: Decision, created: bool, **kwargs) -> None:
    """A moderator rejected a reported comment (the reports are upheld) or published it
    (they are dismissed). Runs inside the decision's transaction."""
    if not created or instance.moderator_id is None:
        return
    outcome = {Status.REJECTED: Resolution.UPHELD, Status.APPROVED: Resolution.DISMISSED}
    resolution = outcome.get(instance.to_status)
    if resolution is not None:
        _settle(
            Report.objects.open().filter(comment_id=instance.comment_id),
            resolution,
            instance.moderator,
        )


def _settle(reports, resolution: str, moderator) -> None:
    settled = list(reports.select_related("comment__article"))
    if not settled:
        return
    Report.objects.filter(pk__in=[r.pk for r in settled]).update(
        resolution=resolution,
        resolved_by=moderator if getattr(moderator, "is_authenticated", False) else None,
        resolved_at=timezone.now(),
    )
    for report in settled:
        transaction.on_commit(partial(_answer, report, resolution), robust=True)


def _answer(report: Report, resolution: str) -> None:
    """Tell the reader, in the language they reported in, what became of their report."""
    with translation.override(report.lang or settings.LANGUAGE_CODE):
        if resolution == Resolution.UPHELD:
            outcome = gettext("A moderator agreed with you and removed the comment.")
        else:
            outcome = gettext("A moderator read the comment and found that it may stay published.")
        subject = gettext("Your report of a comment on “%(title)s”") % {
            "title": report.comment.article.title
        }
        body = "\n\n".join(
            [
                gettext("Thank you for your report of this comment:"),
                report.comment.body,
                outcome,
            ]
        )
    send_mail(subject, body, None, [report.email])


def restore_reports(comment: Comment, reports: list[dict], accounts: dict) -> None:
    """Store the reports of ``comment`` exported from an Agora site (``Report.as_dict``
    with the reader's ``email`` and ``resolved_by``, a username) as they were there, dates
    included; ``accounts`` are this site's users by username (one missing: None).
    Callers hold the transaction that stores the comment."""
    for exported in reports:
        report = Report.objects.create(
            comment=comment,
            reason=exported["reason"],
            law=exported["law"],
            explanation=exported["explanation"],
            email=exported["email"],
            reporter_key=email_key(exported["email"]),
            lang=exported["lang"],
            resolution=exported["resolution"],
            resolved_by=accounts.get(exported["resolved_by"]),
            resolved_at=_when(exported["resolved_at"]),
        )
        Report.objects.filter(pk=report.pk).update(created_at=_when(exported["created_at"]))


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
