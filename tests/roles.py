"""Users in each moderation role, for the tests of desks, roles and word lists."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agora.desks.models import Desk
from agora.desks.roles import AUDITOR, CHIEF, MODERATOR


def user_in(role: str | None, name: str, *, staff: bool = True, desks=()):
    """A user with ``role`` (a group name, or None for none) and the given desks."""
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", "a-long-test-password", is_staff=staff
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    for desk in desks:
        desk.members.add(user)
    return user


def arabic_desk() -> Desk:
    return Desk.objects.create(name="Arabic", languages=["ar"])


ROLES = (MODERATOR, CHIEF, AUDITOR)
