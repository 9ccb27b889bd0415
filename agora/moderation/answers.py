"""How a moderator's page answers a decision: JSON for moderation.js, else a message and
a redirect back to a page of this site; and the author's record the pages show."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from agora.comments.models import Comment
from agora.moderation import queue as queues


def add_author_records(comments: list[Comment]) -> None:
    """Set ``earlier_approved`` and ``earlier_rejected`` on each comment (see
    ``queue.author_records``)."""
    records = queues.author_records(c.pk for c in comments)
    for comment in comments:
        comment.earlier_approved, comment.earlier_rejected = records.get(comment.pk, (0, 0))


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
    return redirect(safe_next(request, next_url))


def safe_next(request, next_url: str) -> str:
    """``next_url`` if it stays on this site, else the queue."""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("moderation:queue")
