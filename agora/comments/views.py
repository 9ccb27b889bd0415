"""Reader-side comment views: posting to the comment section (built by section.py).

Views stay thin: the form validates, ``actions.post_comment`` stores. Only approved
comments ever reach a template, and the public thread never loads an email address.

The article page is shared by every anonymous reader (docs/caching.md), so its form
carries no CSRF token: a post is accepted when the browser says it comes from this
site (agora.protection.origin), or, from a browser that does not say, with the CSRF
token of a form sent back to that reader alone. What the reader sees after posting is
on a page of its own, never on the shared one.
"""

from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from agora.articles.decorators import article_page
from agora.articles.models import Article
from agora.comments.actions import post_comment
from agora.comments.forms import EXPIRED, CommentPageForm
from agora.comments.reading import NEWEST
from agora.comments.section import read_order, section_context
from agora.protection.origin import Source, csrf_token_passes, form_source
from agora.protection.posting import PostingRefused
from agora.protection.ratelimit import client_ip

# The confirmation's link names the stored comment, signed, and lasts this long: a
# reload shows it again, a made-up or old link shows the plain article.
SENT_SALT = "agora.comments.sent"
SENT_MAX_AGE = 3600


@csrf_exempt  # checked in the view: the shared page's form has no token (see above)
@require_http_methods(["GET", "POST"])
@article_page
def post(request, article: Article):
    """Receive a comment (POST, then redirect to its confirmation), or show that
    confirmation (GET), or send any other GET back to the article."""
    order_query = "?order=newest" if read_order(request) == NEWEST else ""
    if request.method == "GET":
        return confirmation(request, article, order_query)
    source = form_source(request)
    if source is Source.OTHER_SITE:
        # Django's own refusal of a forged form, with nothing of the post in it.
        return csrf_failure(request, reason="The form was posted from another site.")
    form = CommentPageForm(request.POST, article=article)
    if source is Source.UNKNOWN and not csrf_token_passes(request):
        # Nothing says where it comes from: this reader's own form, with what they wrote
        # and a CSRF token, and one more click.
        form.add_error(None, EXPIRED)
        return form_again(request, article, form, 403)
    if not form.is_valid():
        return form_again(request, article, form, 400)
    new = form.new_comment(idempotency_key=form.idempotency_key())
    try:
        comment, _new = post_comment(new, form.guard(client_ip(request)))
    except PostingRefused as refused:
        form.add_error(None, refused.message)
        response = form_again(request, article, form, refused.status_code)
        for header, value in refused.headers.items():
            response[header] = value
        return response
    sent = signing.TimestampSigner(salt=SENT_SALT).sign(str(comment.pk))
    query = f"?sent={sent}" + (f"&order={NEWEST}" if order_query else "")
    return redirect(f"{request.path}{query}#comment-form")


def form_again(request, article: Article, form: CommentPageForm, status: int):
    """The article page for this reader alone, with their form, its errors and their words
    (the words alone, to copy, when comments closed meanwhile: section.section_context)."""
    context = section_context(request, article, form)
    return render(request, "articles/detail.html", context, status=status)


def confirmation(request, article: Article, order_query: str):
    """The article page for the reader who just posted, saying what became of the comment
    (private, like every page that does not say otherwise: agora.comments.edge)."""
    try:
        signing.TimestampSigner(salt=SENT_SALT).unsign(
            request.GET.get("sent", ""), max_age=SENT_MAX_AGE
        )
    except signing.BadSignature:
        # A reload of a page that showed form errors, or an old confirmation, lands here.
        return redirect(f"{article.get_absolute_url()}{order_query}#comment-form")
    message = _(
        "Thank you. Your comment was received and will appear here once a moderator "
        "has approved it."
    )
    context = section_context(request, article, confirmation=message)
    return render(request, "articles/detail.html", context)
