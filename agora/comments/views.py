"""Reader-side comment views: posting to the comment section (built by section.py).

Views stay thin: the form validates, ``actions.post_comment`` stores. Only approved
comments ever reach a template, and the public thread never loads an email address.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agora.articles.decorators import article_page
from agora.articles.models import Article
from agora.comments.actions import post_comment
from agora.comments.forms import CommentPageForm
from agora.comments.reading import NEWEST
from agora.comments.section import read_order, section_context
from agora.protection.posting import PostingRefused
from agora.protection.ratelimit import client_ip


@require_http_methods(["GET", "POST"])
@article_page
def post(request, article: Article):
    """Receive a comment (POST, then redirect) or send a stray GET back to the article."""
    order_query = "?order=newest" if read_order(request) == NEWEST else ""
    if request.method == "GET":
        # A reload of a page that showed form errors lands here.
        return redirect(f"{article.get_absolute_url()}{order_query}#comment-form")
    form = CommentPageForm(request.POST, article=article)
    if not form.is_valid():
        context = section_context(request, article, form)
        return render(request, "articles/detail.html", context, status=400)
    new = form.new_comment(idempotency_key=form.idempotency_key())
    try:
        post_comment(new, form.guard(client_ip(request)))
    except PostingRefused as refused:
        form.add_error(None, refused.message)
        context = section_context(request, article, form)
        response = render(request, "articles/detail.html", context, status=refused.status_code)
        for header, value in refused.headers.items():
            response[header] = value
        return response
    messages.success(
        request,
        _(
            "Thank you. Your comment was received and will appear here once a moderator "
            "has approved it."
        ),
    )
    return redirect(f"{article.get_absolute_url()}{order_query}#comment-form")
