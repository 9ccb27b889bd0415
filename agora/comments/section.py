"""The comment section under an article: the approved thread, the form, the reply target.

The article page (agora/pages) shows it, and the posting view redisplays it with a
form's errors; only approved comments ever reach it, and it never loads an email address.
"""

import secrets

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from agora.articles.models import Article
from agora.comments.forms import CommentPageForm
from agora.comments.reading import NEWEST, ThreadComment, Version, approved_thread, rendered


def read_order(request) -> str:
    """Oldest first unless the reader asked for ``?order=newest``."""
    return NEWEST if request.GET.get("order") == NEWEST else "oldest"


def thread_html(
    article: Article, version: Version, threads: list[ThreadComment], order: str
) -> str:
    """The list of approved comments as HTML, rendered once per thread version, order,
    language and time zone (dates and labels depend on them): rendering 200 comments
    takes about a tenth of a second, reading them from the cache almost nothing. The
    per-visitor parts of the section (form, token, messages) stay outside it. Whether the
    article takes comments is part of the key, as the reply links depend on it and it
    changes with no change to the thread (the closing time passes, the setting moves)."""
    context = {"article": article, "threads": threads, "order": order}
    parts = (order, get_language(), timezone.get_current_timezone_name(), article.accepts_comments)
    html = rendered(
        article, version, parts, lambda: render_to_string("comments/_thread.html", context)
    )
    return mark_safe(html)  # rendered by the template engine, which escaped every comment


def comment_id(value: str) -> int | None:
    """The comment id in a query or form value, or None when it is not a number."""
    try:
        return int(value)
    except ValueError:
        return None


def new_token() -> str:
    return secrets.token_urlsafe(16)


def section_context(
    request,
    article: Article,
    form: CommentPageForm | None = None,
    *,
    per_reader: bool = True,
    confirmation: str = "",
) -> dict:
    """Everything the comment section template needs, for a fresh page or a form with errors.

    ``per_reader=False``: the page every anonymous reader shares (agora.pages.views): its
    form carries no token of its own (article.js makes one in the browser, and the post is
    checked by agora.protection.origin). ``confirmation``: what this reader's last post
    became, on a page sent to that reader only.
    """
    order = read_order(request)
    threads, by_id, version = approved_thread(article, order)
    if form is None:
        form = CommentPageForm(article=article)
        reply_to = request.GET.get("reply_to", "")
        token = new_token() if per_reader else ""
    else:
        # Redisplaying a submission with errors: keep its reply target and token
        # (nothing was stored), unless they are what was wrong.
        reply_to = "" if "parent_id" in form.errors else form.data.get("parent_id", "")
        token = form.data.get("idempotency_token", "")
        if "idempotency_token" in form.errors or not token:
            token = new_token()
    reply_target = by_id.get(comment_id(reply_to))
    return {
        # A post refused because comments closed meanwhile (by a moderator, or on their
        # own): the page has no form then, so the reader's words are shown back to them
        # to copy, and nothing else of the post (never the email).
        "unsent_body": form.data.get("body", "") if not article.accepts_comments else "",
        "article": article,
        "threads": threads,
        # An article without comments shows none: no cached list to look up.
        "thread_html": thread_html(article, version, threads, order) if threads else "",
        "comment_count": len(by_id),
        "order": order,
        "form": form,
        "idempotency_token": token,
        "per_reader": per_reader,
        "confirmation": confirmation,
        "reply_target": reply_target,
        "reply_unavailable": bool(reply_to) and reply_target is None and not form.errors,
    }
