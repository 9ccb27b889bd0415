"""The moderator's pages: login, the queue, one comment's history, the audit trail,
and the approve/reject endpoints.

Views stay thin: state changes go through ``agora.comments.actions``, which records
every decision and refuses one made on a stale view of the comment.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.moderation.forms import AuditFilterForm, DecisionForm, QueueFilterForm, Sort

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def staff_required(view):
    """Anonymous visitors go to the login page; signed-in readers without staff
    rights get 403 (sending them to a login they already passed would loop)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            # After logging in, a decision endpoint could only answer GET with 405:
            # send the moderator back to the queue instead.
            back = (
                request.get_full_path() if request.method == "GET" else reverse("moderation:queue")
            )
            return redirect_to_login(back)
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Login ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    # Password guessing is slowed down for every login by agora.protection's
    # LoginThrottleMiddleware, not here.
    template_name = "moderation/login.html"


class LogoutView(auth_views.LogoutView):
    next_page = "moderation:login"


# --- Queue ---------------------------------------------------------------------


def queue_order(sort: str) -> list:
    if sort == Sort.OLDEST:
        return ["created_at", "id"]
    # Comments the engine never scored have no risk to sort by: keep them after the
    # scored ones instead of passing them off as clean (risk 0).
    unscored = ExpressionWrapper(Q(verdict__isnull=True), output_field=BooleanField())
    risk = "-risk" if sort == Sort.RISKIEST else "risk"
    return [unscored.asc(), risk, "created_at", "id"]


def add_author_records(comments: list[Comment]) -> None:
    """Set ``earlier_approved`` and ``earlier_rejected`` on each comment: how many
    comments from the same email, received before it, were approved or rejected.

    One query for the whole page. The status is tested inside the count, not in the
    WHERE clause: there it would tempt SQLite (which keeps no statistics unless
    ANALYZE ran) into the (status, created_at) index and a scan of every decided
    comment; this way only the index on author_email fits.
    """

    def earlier(status):
        return Coalesce(
            Subquery(
                Comment.objects.filter(
                    author_email=OuterRef("author_email"), created_at__lt=OuterRef("created_at")
                )
                .order_by()
                .values("author_email")
                .annotate(n=Count("pk", filter=Q(status=status)))
                .values("n")
            ),
            0,
        )

    records = {
        pk: (approved, rejected)
        for pk, approved, rejected in Comment.objects.filter(pk__in=[c.pk for c in comments])
        .annotate(approved=earlier(Status.APPROVED), rejected=earlier(Status.REJECTED))
        .values_list("pk", "approved", "rejected")
    }
    for comment in comments:
        comment.earlier_approved, comment.earlier_rejected = records.get(comment.pk, (0, 0))


@staff_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    chosen = form.filters()
    comments = Comment.objects.filter(status=chosen["status"]).select_related("article")
    if chosen["article"]:
        comments = comments.filter(article=chosen["article"])
    if chosen["lang"]:
        comments = comments.filter(lang=chosen["lang"])
    if chosen["guideline"]:
        comments = comments.flagged_for(chosen["guideline"])
    page = Paginator(comments.order_by(*queue_order(chosen["sort"])), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    add_author_records(items)
    here = request.get_full_path()
    for position, comment in enumerate(items):
        # Without JavaScript the page reloads after an action; the fragment brings
        # the moderator back to the item that was next to the one just decided.
        neighbour = items[position + 1] if position + 1 < len(items) else None
        neighbour = neighbour or (items[position - 1] if position else None)
        comment.return_to = f"{here}#comment-{neighbour.pk}" if neighbour else here
    return render(
        request,
        "moderation/queue.html",
        {"form": form, "page": page, "comments": items},
    )


@staff_required
def comment_detail(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    add_author_records([comment])
    comment.return_to = request.get_full_path()
    history = comment.decisions.select_related("moderator").order_by("created_at", "id")
    return render(
        request, "moderation/comment_detail.html", {"comment": comment, "history": history}
    )


# --- Decisions -----------------------------------------------------------------


def wants_json(request) -> bool:
    """moderation.js asks for JSON; a plain form post (no JavaScript) gets a page."""
    return request.accepts("application/json") and not request.accepts("text/html")


def reply(request, comment: Comment, *, ok: bool, message: str, status: int = 200, next_url=""):
    if wants_json(request):
        return JsonResponse(
            {"ok": ok, "id": comment.pk, "status": comment.status, "message": message},
            status=status,
        )
    (messages.success if ok else messages.error)(request, message)
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("moderation:queue")
    return redirect(next_url)


def decide(request, pk: int, *, to_status: str):
    comment = get_object_or_404(Comment, pk=pk)
    rejecting = to_status == Status.REJECTED
    form = DecisionForm(request.POST, reason_required=rejecting)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label}: {error}"
            for name, errors in form.errors.items()
            for error in errors
        ]
        return reply(
            request,
            comment,
            ok=False,
            message=" ".join(problems),
            status=400,
            next_url=request.POST.get("next", ""),
        )
    expected = form.cleaned_data["expected_status"]
    note = form.cleaned_data["note"]
    try:
        if rejecting:
            actions.reject(
                comment,
                request.user,
                form.cleaned_data["reason"],
                expected_status=expected,
                note=note,
            )
        else:
            actions.approve(comment, request.user, expected_status=expected, note=note)
    except actions.ConflictError:
        comment.refresh_from_db(fields=["status"])
        if comment.status != expected:
            message = _(
                "Not changed: comment #%(id)s is already %(status)s. Another moderator "
                "decided it while you were looking."
            )
        else:
            message = _("Not changed: comment #%(id)s is already %(status)s.")
        message %= {"id": comment.pk, "status": comment.get_status_display().lower()}
        next_url = form.cleaned_data["next"]
        return reply(request, comment, ok=False, message=message, status=409, next_url=next_url)
    if rejecting:
        message = _("Rejected comment #%(id)s by %(name)s.")
    else:
        message = _("Approved comment #%(id)s by %(name)s.")
    message %= {"id": comment.pk, "name": comment.author_name}
    return reply(request, comment, ok=True, message=message, next_url=form.cleaned_data["next"])


@staff_required
@require_POST
def approve(request, pk: int):
    return decide(request, pk, to_status=Status.APPROVED)


@staff_required
@require_POST
def reject(request, pk: int):
    return decide(request, pk, to_status=Status.REJECTED)


# --- Audit ---------------------------------------------------------------------


@staff_required
def audit(request):
    form = AuditFilterForm(request.GET or None)
    chosen = form.filters()
    decisions = Decision.objects.select_related("comment__article", "moderator")
    if chosen["moderator"] == AuditFilterForm.AUTOMATIC:
        decisions = decisions.filter(automatic=True)
    elif chosen["moderator"]:
        decisions = decisions.filter(moderator_id=int(chosen["moderator"]))
    if chosen["comment"]:
        decisions = decisions.filter(comment_id=chosen["comment"])
    page = Paginator(decisions.order_by("-created_at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "moderation/audit.html", {"form": form, "page": page})
