"""Desks are created and changed here (the moderator pages' settings), each change
recorded in the newsroom's audit trail with the desk as it was and as it became."""

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
        after = described(desk)
        if after != before:
            record(Change.DESK, desk.name, before, after, moderator)
    return desk
