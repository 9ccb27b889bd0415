"""Reporting a comment (the reader's page) and the Reported queue (the moderator's).

Views stay thin: ``ReportForm`` validates, ``agora.reports.actions`` stores and settles."""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agora.comments.models import Comment, Status
from agora.moderation.access import decider_required, staff_required, visible
from agora.moderation.answers import add_author_records, reply
from agora.protection import ratelimit
from agora.reports import actions
from agora.reports.forms import ReportForm
from agora.reports.models import Report, Resolution

REPORTED_PAGE_SIZE = 50


def thanks(created: bool) -> str:
    if created:
        return _(
            "Thank you. Your report was received; a moderator will read the comment and "
            "we will write to you with the answer."
        )
    return _("You have already reported this comment. A moderator will answer you.")


@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    """The reader's form for reporting one published comment, and the answer to it."""
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=pk, status=Status.APPROVED
    )
    form = ReportForm(request.POST or None)
    context = {"comment": comment, "article": comment.article, "form": form}
    if request.method == "GET" or not form.is_valid():
        return render(request, "reports/report.html", context, status=400 if form.errors else 200)
    new = form.new_report()
    if not actions.already_reported(comment.pk, new.email):
        wait = actions.rate_wait(ratelimit.client_ip(request), new.email)
        if wait:
            form.add_error(None, _("You have sent many reports in a short time; try again later."))
            response = render(request, "reports/report.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
    try:
        _report, created = actions.file_report(comment.pk, new)
    except actions.NotReportable:
        raise Http404("This comment is not published.") from None
    context["answer"] = thanks(created)
    return render(request, "reports/report.html", context, status=201 if created else 200)


# --- The Reported queue -----------------------------------------------------------


def reported_comments(comments):
    """Those of ``comments`` with open reports, most reported first, then riskiest, then
    oldest; each with ``open_reports`` (the count) and ``open_report_list`` (the reports)."""
    return (
        comments.filter(reports__resolution=Resolution.OPEN)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolution=Resolution.OPEN)))
        .select_related("article")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.open().order_by("created_at", "id"),
                to_attr="open_report_list",
            )
        )
        .order_by("-open_reports", "-risk", "created_at", "id")
    )


@staff_required
def reported(request):
    page = Paginator(reported_comments(visible(request)), REPORTED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    add_author_records(items)
    for comment in items:
        comment.return_to = request.get_full_path()
    return render(request, "reports/reported.html", {"page": page, "comments": items})


@decider_required
@require_POST
def dismiss(request, pk: int):
    comment = get_object_or_404(visible(request), pk=pk)
    count = actions.dismiss(comment, request.user)
    if not count:
        return reply(
            request,
            comment,
            ok=False,
            message=_("Comment #%(id)s has no open reports.") % {"id": comment.pk},
            status=409,
            next_url=request.POST.get("next", ""),
        )
    message = _("Dismissed the reports on comment #%(id)s; it stays published.") % {
        "id": comment.pk
    }
    return reply(request, comment, ok=True, message=message, next_url=request.POST.get("next", ""))
