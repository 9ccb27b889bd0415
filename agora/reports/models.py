"""Readers' reports of published comments."""

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from agora.comments.models import Comment, Reason

ILLEGAL = "illegal"
# A reader reports a comment for breaking one of the guidelines, or the law.
REPORT_REASONS = [*Reason.choices, (ILLEGAL, _("Illegal content"))]
EXPLANATION_MAX_LENGTH = 2000
LAW_MAX_LENGTH = 300


class Resolution(models.TextChoices):
    OPEN = "", _("Open")
    DISMISSED = "dismissed", _("Dismissed: the comment stays")
    UPHELD = "upheld", _("Upheld: the comment was rejected")


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolution=Resolution.OPEN)


class Report(models.Model):
    """One reader's report of one comment. A reader (an email address, as compared by
    ``email_key``) reports a comment once; the report stays once settled."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=REPORT_REASONS)
    # For illegal content: the law or ground the reader invokes.
    law = models.CharField(max_length=LAW_MAX_LENGTH, blank=True)
    explanation = models.TextField(max_length=EXPLANATION_MAX_LENGTH, blank=True)
    email = models.EmailField(max_length=254)
    reporter_key = models.CharField(max_length=254, editable=False)
    # The reader's language, for the answer.
    lang = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, blank=True, default=Resolution.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="one_report_per_reader"
            )
        ]
        indexes = [models.Index(fields=["resolution", "comment"])]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.reason}"

    def as_dict(self) -> dict:
        """The report as JSON-ready data, less the reader's email (privacy exports, the
        site export)."""
        return {
            "reason": self.reason,
            "law": self.law,
            "explanation": self.explanation,
            "lang": self.lang,
            "created_at": self.created_at.isoformat(),
            "resolution": self.resolution,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }


def reported(comments):
    """Those of ``comments`` that have open reports."""
    return comments.filter(pk__in=Report.objects.open().values("comment_id"))


def reports_version() -> tuple:
    """Changes whenever a report is filed or settled: the newest report and the latest
    settlement (each one indexed lookup)."""
    newest = Report.objects.order_by("-id").values_list("id", flat=True).first()
    return newest, Report.objects.aggregate(settled=Max("resolved_at"))["settled"]
