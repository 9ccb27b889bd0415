"""Who may do what on the moderator's pages and endpoints, by role (agora.desks.roles).

The pages of every app that moderators use (the queue, reports, commenters, word
lists, the article list) guard their views with these decorators, and the token
endpoints with :func:`must_decide`; the comments each one may see are :func:`visible`
(signed in) or :func:`token_visible` (with a token).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from agora.api.errors import ApiError
from agora.comments.models import Comment
from agora.desks import roles


def role_required(allowed):
    """Anonymous visitors go to the login page; signed-in users whose role does not
    allow the page (``allowed(user)`` false) get 403 (sending them to a login they
    already passed would loop)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                # After logging in, a decision endpoint could only answer GET with 405:
                # send the moderator back to the queue instead.
                back = (
                    request.get_full_path()
                    if request.method == "GET"
                    else reverse("moderation:queue")
                )
                return redirect_to_login(back)
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Reading pages: moderators, chief moderators, auditors. Deciding: not auditors.
staff_required = role_required(roles.may_read)
decider_required = role_required(roles.may_decide)
manager_required = role_required(roles.may_manage)


def visible(request):
    """The comments the signed-in moderator may see (her desks')."""
    return Comment.objects.filter(roles.visible_comments(request.user))


def token_visible(request):
    """The comments the token's owner may see (her desks')."""
    return Comment.objects.filter(roles.visible_comments(request.auth))


def must_decide(request) -> None:
    if not roles.may_decide(request.auth):
        raise ApiError(403, _("This token's owner may read the queue but not decide (auditor)."))
