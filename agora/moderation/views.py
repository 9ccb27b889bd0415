"""The moderator's pages: login, the queue, one comment's history, the audit trail,
and the approve/reject endpoints.

Views stay thin: state changes go through ``agora.comments.actions``, which records
every decision and refuses one made on a stale view of the comment.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.desks import roles
from agora.moderation import queue as queues
from agora.moderation.access import (
    decider_required,
    staff_required,
    visible,
)
from agora.moderation.answers import add_author_records, reply, safe_next
from agora.moderation.forms import AuditFilterForm, BulkForm, DecisionForm, QueueFilterForm

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50
# Comments decided by one "all matching" bulk action; the rest wait for the next one, so
# a request never holds the database for long.
BULK_LIMIT = 500


# --- Login ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    # Password guessing is slowed down for every login by agora.protection's
    # LoginThrottleMiddleware, not here.
    template_name = "moderation/login.html"


class LogoutView(auth_views.LogoutView):
    next_page = "moderation:login"


# --- Queue ---------------------------------------------------------------------


def queue_page(request, filters: queues.QueueFilters):
    comments = queues.as_cards(queues.comments(filters, request.user))
    page = Paginator(comments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    add_author_records(items)
    return page, items


@staff_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    page, items = queue_page(request, filters)
    if queues.every_pending(filters):
        # The page counted what the navigation's pending count counts: say it once.
        request.live_counts = {"pending": page.paginator.count}
    matching = queues.comments(filters, request.user)
    newest = matching.order_by("-id").values_list("id", flat=True).first() or 0
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
        {
            "form": form,
            "page": page,
            "comments": items,
            "may_decide": roles.may_decide(request.user),
            "bulk_selectable": True,
            "newest": newest,
            # New comments belong at the end of the oldest-first pending queue: the page
            # showing that end takes them in as they come.
            "live_append": filters.status == Status.PENDING
            and filters.sort == queues.Sort.OLDEST
            and not page.has_next(),
        },
    )


@staff_required
def queue_items(request):
    """The queue's comments newer than ``after`` (an id), as items to append to the page:
    the live queue adds them at the end, where they never move what the moderator is on."""
    form = QueueFilterForm(request.GET or None)
    after = form.row_id("after") or 0
    comments = queues.as_cards(
        queues.comments(form.filters(), request.user).filter(pk__gt=after)
    ).order_by("id")[:QUEUE_PAGE_SIZE]
    items = list(comments)
    add_author_records(items)
    for comment in items:
        comment.return_to = reverse("moderation:queue")
    return render(request, "moderation/_items.html", {"comments": items})


@staff_required
def counts(request):
    """The live queue's cheap question (see ``queue.live_counts``)."""
    return JsonResponse(queues.live_counts(request.user))


@staff_required
def comment_detail(request, pk: int):
    comment = get_object_or_404(visible(request).select_related("article"), pk=pk)
    add_author_records([comment])
    comment.return_to = request.get_full_path()
    history = comment.decisions.select_related("moderator").order_by("created_at", "id")
    return render(
        request,
        "moderation/comment_detail.html",
        {"comment": comment, "history": history},
    )


# --- Decisions -----------------------------------------------------------------


def decide(request, pk: int, *, to_status: str):
    comment = get_object_or_404(visible(request), pk=pk)
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


@decider_required
@require_POST
def approve(request, pk: int):
    return decide(request, pk, to_status=Status.APPROVED)


@decider_required
@require_POST
def reject(request, pk: int):
    return decide(request, pk, to_status=Status.REJECTED)


@decider_required
@require_POST
def bulk(request):
    """Approve or reject many comments with one reason: the ticked ones, or every one
    matching the queue's filters (up to ``BULK_LIMIT``). Each is decided and recorded on
    its own; one another moderator decided meanwhile is left as it is and counted."""
    form = BulkForm(request.POST)
    back = request.POST.get("next", "")
    if not form.is_valid():
        messages.error(request, " ".join(form.problems()))
        return redirect(safe_next(request, back))
    filters = QueueFilterForm(request.POST).filters()
    chosen = queues.comments(filters, request.user)
    if not form.cleaned_data["everything"]:
        chosen = chosen.filter(pk__in=form.cleaned_data["ids"])
    decided = conflicts = 0
    for comment in chosen.only("id", "status", "article_id")[:BULK_LIMIT]:
        try:
            if form.cleaned_data["action"] == "reject":
                actions.reject(
                    comment,
                    request.user,
                    form.cleaned_data["reason"],
                    expected_status=filters.status,
                    note=form.cleaned_data["note"],
                )
            else:
                actions.approve(
                    comment,
                    request.user,
                    expected_status=filters.status,
                    note=form.cleaned_data["note"],
                )
        except actions.ConflictError:
            conflicts += 1
        else:
            decided += 1
    messages.success(request, form.summary(decided, conflicts))
    return redirect(safe_next(request, back))


# --- Audit ---------------------------------------------------------------------


@staff_required
def audit(request):
    form = AuditFilterForm(request.GET or None)
    chosen = form.filters()
    decisions = Decision.objects.select_related("comment__article", "moderator")
    scope = roles.visible_comments(request.user)
    if scope:  # a moderator with desks reads the trail of her desks' comments only
        decisions = decisions.filter(comment__in=Comment.objects.filter(scope).values("pk"))
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
