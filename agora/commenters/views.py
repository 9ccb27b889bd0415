"""A commenter's page in the moderator pages: their comments, the reports against them,
the measures taken on them, and the forms to take or lift one."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.commenters import actions
from agora.commenters.forms import CommenterActionForm
from agora.commenters.models import CommenterAction, Measure, standing
from agora.comments.models import Comment, Decision, email_key
from agora.desks import roles
from agora.moderation.access import manager_required, staff_required
from agora.reports.models import Report

COMMENTS_PAGE_SIZE = 50


def commenter_url(email: str) -> str:
    return f"{reverse('commenters:page')}?{urlencode({'email': email})}"


def commenter_comments(email: str, user):
    """The commenter's comments that ``user`` may see (her desks'), newest first, with
    their decisions and report counts."""
    return (
        Comment.objects.filter(roles.visible_comments(user), email_key=email_key(email))
        .select_related("article")
        .annotate(report_count=Count("reports"))
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("moderator").order_by("created_at", "id"),
                to_attr="history",
            )
        )
        .order_by("-created_at", "-id")
    )


@staff_required
def page(request):
    email = request.GET.get("email", "").strip()
    if not email:
        return render(request, "commenters/page.html", {"email": ""})
    key = email_key(email)
    comments = Paginator(commenter_comments(email, request.user), COMMENTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "email": email,
        "standing": standing(email),
        "comments": comments,
        "may_manage": roles.may_manage(request.user),
        "reports": Report.objects.filter(comment__in=commenter_comments(email, request.user))
        .select_related("comment", "resolved_by")
        .order_by("-created_at", "-id"),
        "actions": CommenterAction.objects.filter(email_key=key).select_related("moderator"),
        "measures": Measure.choices,
    }
    return render(request, "commenters/page.html", context)


@manager_required
@require_POST
def act(request):
    form = CommenterActionForm(request.POST)
    email = request.POST.get("email", "")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(commenter_url(email))
    data = form.cleaned_data
    try:
        form.carry_out(request.user)
    except actions.CommenterError as error:
        messages.error(request, str(error))
    else:
        label = Measure(data["measure"]).label
        if data["lift"]:
            message = _("Lifted: %(measure)s") % {"measure": label}
        else:
            message = _("Recorded: %(measure)s") % {"measure": label}
        messages.success(request, message)
    return redirect(commenter_url(data["email"]))
