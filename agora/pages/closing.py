"""Opening and closing comments on articles, from the moderator pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.articles import actions
from agora.articles.models import Article
from agora.comments.models import Status
from agora.moderation.access import decider_required, staff_required

ARTICLES_PER_PAGE = 50


@staff_required
def articles(request):
    """Articles, newest first, with their published and pending comments and whether
    readers may comment."""
    listed = Article.objects.annotate(
        published=Count("comments", filter=Q(comments__status=Status.APPROVED)),
        pending=Count("comments", filter=Q(comments__status=Status.PENDING)),
    ).order_by("-published_at", "-id")
    page = Paginator(listed, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/moderation.html", {"page": page})


@decider_required
@require_POST
def set_comments(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    opening = request.POST.get("open") == "1"
    actions.set_comments_open(article, opening)
    if opening:
        message = _("Comments are open on “%(title)s”.")
    else:
        message = _("Comments are closed on “%(title)s”.")
    messages.success(request, message % {"title": article.title})
    return redirect("articles:moderation")
