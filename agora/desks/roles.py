"""Who may do what in the moderator pages and the moderation API.

Three roles, each a Django group whose permissions are (re)granted after every migrate:

- **Moderator**: decides the comments of her desks (all comments while she has none);
- **Chief moderator**: decides every comment and manages word lists, desks and commenters;
- **Auditor**: reads every comment and the audit trail, decides nothing.

Every check reads the user's permissions, so a publisher may also grant them one by one
in the admin. Staff status is still required to enter the moderator pages at all.
"""

from django.db.models import Q

DECIDE = "desks.decide_comments"
READ_ALL = "desks.read_all_desks"
MANAGE = "desks.manage_moderation"

MODERATOR = "Moderator"
CHIEF = "Chief moderator"
AUDITOR = "Auditor"
# Chief moderators manage desks on the settings page, and with these in the admin too.
DESK_ADMIN = ["desks.view_desk", "desks.add_desk", "desks.change_desk", "desks.delete_desk"]
ROLE_PERMISSIONS = {
    MODERATOR: [DECIDE],
    CHIEF: [DECIDE, READ_ALL, MANAGE, *DESK_ADMIN],
    AUDITOR: [READ_ALL],
}


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def may_read(user) -> bool:
    """May open the queue, a comment's history and the audit trail."""
    return is_staff(user) and (user.has_perm(DECIDE) or user.has_perm(READ_ALL))


def may_decide(user) -> bool:
    return is_staff(user) and user.has_perm(DECIDE)


def may_manage(user) -> bool:
    return is_staff(user) and user.has_perm(MANAGE)


def visible_comments(user) -> Q:
    """The comments ``user`` may see, as a filter: all of them for those who read every
    desk or belong to none, otherwise those their desks cover."""
    if user.has_perm(READ_ALL):
        return Q()
    desks = list(user.desks.all())
    if not desks:
        return Q()
    visible = Q(pk__in=[])
    for desk in desks:
        visible |= desk.comments()
    return visible


def grant_role_permissions(**kwargs) -> None:
    """Create the role groups if missing and give each exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    for name, labels in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Q(pk__in=[])
        for label in labels:
            app_label, codename = label.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))


def deciders():
    """Staff who may decide comments (by role or by a permission of their own): the people
    a desk can have as members."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    app_label, codename = DECIDE.split(".", 1)
    decide = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(
            Q(groups__permissions__in=decide)
            | Q(user_permissions__in=decide)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )
