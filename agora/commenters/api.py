"""Commenters on the moderation API (with a token): a commenter's record, and measures."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as WithStatus

from agora.api.auth import ModeratorToken
from agora.api.errors import BAD_INPUT, BODY_ERRORS, MODERATOR_ERRORS, ApiError
from agora.api.schemas import Input
from agora.commenters import actions
from agora.commenters.forms import CommenterActionForm
from agora.commenters.models import CommenterAction, standing
from agora.commenters.views import commenter_comments
from agora.comments.models import email_key
from agora.comments.schemas import CleanStr
from agora.desks import roles

router = Router(tags=["commenters"], auth=ModeratorToken())

COMMENTS_LIMIT = 200


class MeasureOut(Schema):
    measure: str
    lifted: bool
    until: datetime | None
    reason: str
    moderator: str | None
    automatic: bool
    created_at: datetime


class CommenterCommentOut(Schema):
    id: int
    article: str
    body: str
    status: str
    created_at: datetime
    reasons: list[str] = Field(description="Reason codes of the decisions that rejected it.")
    reports: int


class CommenterOut(Schema):
    email: str
    in_force: list[str] = Field(
        description="Measures in force: suspend, ban, always_review, trusted."
    )
    suspended_until: datetime | None
    comments: list[CommenterCommentOut] = Field(
        description=f"Newest first, at most {COMMENTS_LIMIT}."
    )
    actions: list[MeasureOut]


class MeasureIn(Input):
    email: CleanStr
    measure: CleanStr = Field(description="suspend, ban, always_review or trusted.")
    reason: CleanStr = Field(description="Recorded with the measure; required.")
    days: int | None = Field(default=None, description="How long a suspension lasts.")
    lift: bool = Field(default=False, description="True lifts a measure in force.")


def measure_dict(action: CommenterAction) -> dict:
    return {
        "measure": action.measure,
        "lifted": action.lifted,
        "until": action.until,
        "reason": action.reason,
        "moderator": action.moderator.get_username() if action.moderator else None,
        "automatic": action.automatic,
        "created_at": action.created_at,
    }


def commenter_dict(email: str, user) -> dict:
    current = standing(email)
    comments = commenter_comments(email, user)[:COMMENTS_LIMIT]
    history = CommenterAction.objects.filter(email_key=email_key(email)).select_related("moderator")
    return {
        "email": email,
        "in_force": sorted(current.active),
        "suspended_until": current.suspended.until if current.suspended else None,
        "comments": [
            {
                "id": c.pk,
                "article": c.article.slug,
                "body": c.body,
                "status": c.status,
                "created_at": c.created_at,
                "reasons": [d.reason for d in c.history if d.reason],
                "reports": c.report_count,
            }
            for c in comments
        ],
        "actions": [measure_dict(a) for a in history],
    }


@router.get("/commenters", response={200: CommenterOut, **BAD_INPUT, **MODERATOR_ERRORS})
def commenter(request, email: str = Query(..., max_length=254)):
    """A commenter (by email): measures in force, their comments and every measure taken."""
    return commenter_dict(email.strip(), request.auth)


@router.post(
    "/commenters/measures",
    response={201: CommenterOut, **BAD_INPUT, **MODERATOR_ERRORS, **BODY_ERRORS},
)
def take_measure(request, payload: MeasureIn):
    """Take a measure on a commenter (or lift one with `lift`), recorded with its reason."""
    if not roles.may_manage(request.auth):
        raise ApiError(
            403, _("This token's owner may not take measures on commenters (chief moderators may).")
        )
    form = CommenterActionForm(data=payload.dict())
    if not form.is_valid():
        raise ApiError.invalid_form(form)
    data = form.cleaned_data
    try:
        form.carry_out(request.auth)
    except actions.CommenterError as error:
        raise ApiError.bad_input({"__all__": [str(error)]}) from None
    return WithStatus(201, commenter_dict(data["email"], request.auth))
