"""Reports on the JSON API: a reader reports a published comment; a moderator (with a
token) reads the Reported queue and dismisses reports. Rejecting a reported comment is
the moderation API's ordinary reject, which settles its reports."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as WithStatus

from agora.api.auth import ModeratorToken
from agora.api.errors import (
    BAD_INPUT,
    BODY_ERRORS,
    MODERATOR_ERRORS,
    NOT_FOUND,
    ApiError,
    comment_or_404,
)
from agora.api.pagination import Limit
from agora.api.schemas import ErrorOut, Input
from agora.comments.schemas import CleanStr
from agora.moderation.access import must_decide
from agora.moderation.access import token_visible as visible
from agora.protection import ratelimit
from agora.reports import actions
from agora.reports.forms import ReportForm
from agora.reports.views import reported_comments, thanks

router = Router(tags=["reports"])


class ReportIn(Input):
    reason: CleanStr = Field(description="A guideline code, or 'illegal'.")
    email: CleanStr = Field(description="Where the moderators' answer is sent; never shown.")
    explanation: CleanStr = Field(default="", description="Required for 'illegal'.")
    law: CleanStr = Field(default="", description="The law or ground; required for 'illegal'.")


class ReportedOut(Schema):
    id: int
    created: bool = Field(description="False when this reader had reported the comment already.")
    message: str


@router.post(
    "/comments/{int:comment_id}/reports",
    response={201: ReportedOut, 200: ReportedOut, **BAD_INPUT, **NOT_FOUND, 429: ErrorOut},
)
def report_comment(request, comment_id: int, payload: ReportIn):
    """Report a published comment. One report per reader (email) and comment; a repeat
    answers 200 with the first report."""
    form = ReportForm(data=payload.dict())
    if not form.is_valid():
        raise ApiError.invalid_form(form)
    new = form.new_report()
    if not actions.already_reported(comment_id, new.email):
        wait = actions.rate_wait(ratelimit.client_ip(request), new.email)
        if wait:
            raise ApiError(
                429,
                _("You have sent many reports in a short time; try again later."),
                retry_after=wait,
                headers={"Retry-After": str(wait)},
            )
    try:
        report, created = actions.file_report(comment_id, new)
    except actions.NotReportable:
        raise ApiError(
            404, _("There is no published comment with id %(id)d.") % {"id": comment_id}
        ) from None
    return WithStatus(
        201 if created else 200, {"id": report.pk, "created": created, "message": thanks(created)}
    )


# --- Moderators ----------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    reason: str
    law: str
    explanation: str
    email: str
    created_at: str


class ReportedCommentOut(Schema):
    id: int
    article: str = Field(description="The article's slug.")
    author_name: str
    author_email: str
    body: str
    status: str = Field(description="'approved', or 'pending' once withdrawn by reports.")
    risk: float
    open_reports: int
    reports: list[ReportOut]


class ReportedQueueOut(Schema):
    comments: list[ReportedCommentOut]


class DismissedOut(Schema):
    id: int
    status: str
    dismissed: int


@router.get(
    "/moderation/reported",
    auth=ModeratorToken(),
    response={200: ReportedQueueOut, **BAD_INPUT, **MODERATOR_ERRORS},
)
def reported_queue(request, limit: int = Limit):
    """Comments with open reports, most reported and riskiest first."""
    comments = reported_comments(visible(request))[:limit]
    return {
        "comments": [
            {
                "id": c.pk,
                "article": c.article.slug,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "body": c.body,
                "status": c.status,
                "risk": c.risk,
                "open_reports": c.open_reports,
                "reports": [
                    {
                        "id": r.pk,
                        "reason": r.reason,
                        "law": r.law,
                        "explanation": r.explanation,
                        "email": r.email,
                        "created_at": r.created_at.isoformat(),
                    }
                    for r in c.open_report_list
                ],
            }
            for c in comments
        ]
    }


@router.post(
    "/moderation/comments/{int:comment_id}/reports/dismiss",
    auth=ModeratorToken(),
    response={200: DismissedOut, **MODERATOR_ERRORS, **NOT_FOUND, 409: ErrorOut, **BODY_ERRORS},
)
def dismiss_reports(request, comment_id: int):
    """Close a comment's open reports: it stays published, or is published again if the
    reports had withdrawn it."""
    must_decide(request)
    comment = comment_or_404(visible(request), comment_id)
    dismissed = actions.dismiss(comment, request.auth)
    if not dismissed:
        raise ApiError(409, _("Comment #%(id)s has no open reports.") % {"id": comment_id})
    return {"id": comment.pk, "status": comment.status, "dismissed": dismissed}
