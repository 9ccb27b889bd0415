"""Desks are created and changed here (the moderator pages' settings), each change
recorded in the newsroom's audit trail with the desk as it was and as it became; the
admin records its changes through :func:`record_change` too."""

from django.db import transaction

from agora.desks.models import Desk
from agora.newsroom.actions import record
from agora.newsroom.models import Change


def described(desk: Desk) -> dict:
    """A desk as the audit trail keeps it: members by user name, so the entry reads the
    same after an account is renamed or removed."""
    return {
        "name": desk.name,
        "languages": list(desk.languages),
        "sections": list(desk.sections),
        "members": sorted(user.get_username() for user in desk.members.all()),
    }


def save_desk(moderator, desk: Desk | None, *, name, languages, sections, members) -> Desk:
    """Create a desk (``desk`` None) or change one: its name, languages, sections and
    members. Records the change unless nothing changed."""
    with transaction.atomic():
        if desk is None:
            desk, before = Desk(), None
        else:
            desk = Desk.objects.select_for_update().get(pk=desk.pk)
            before = described(desk)
        desk.name, desk.languages, desk.sections = name, list(languages), list(sections)
        desk.save()
        desk.members.set(members)
        record_change(moderator, before, desk)
    return desk


def record_change(moderator, before: dict | None, desk: Desk | None) -> None:
    """Record a desk's change from ``before`` (None: it was just created) to ``desk`` as it
    is now (None: it was deleted), unless nothing changed."""
    after = described(desk) if desk is not None else None
    if after != before:
        name = (after or before or {}).get("name", "")
        record(Change.DESK, name, before, after, moderator)
