"""Every change to the newsroom's settings happens here, recorded in the audit trail
(``Change``) in the same transaction; the desks' changes are recorded through
:func:`record` too (``agora.desks.actions``)."""

from django.db import transaction

from agora.newsroom import knobs
from agora.newsroom.models import Change, StoredSetting


def record(subject: str, name: str, old, new, moderator) -> Change:
    return Change.objects.create(subject=subject, name=name, old=old, new=new, moderator=moderator)


def change_settings(moderator, wanted: dict[str, int | bool]) -> list[Change]:
    """Store the settings in ``wanted`` (by name, values already checked by the form)
    whose value differs from the current one; return the changes recorded."""
    unknown = set(wanted) - set(knobs.BY_NAME)
    if unknown:
        raise ValueError(f"Unknown settings: {', '.join(sorted(unknown))}")
    changes = []
    with transaction.atomic():
        # Locked, so two chief moderators saving at once record each other's values as old.
        list(StoredSetting.objects.select_for_update())
        for name, value in wanted.items():
            old = knobs.current(name)
            if value == old:
                continue
            StoredSetting.objects.update_or_create(name=name, defaults={"value": value})
            changes.append(record(Change.SETTING, name, old, value, moderator))
        if changes:
            # At once, for the rest of this transaction, and again once it commits: a
            # server that read the values meanwhile cached them as they were before.
            knobs.forget_stored()
            transaction.on_commit(knobs.forget_stored, robust=True)
            knobs.changed.send(sender=Change, names={change.name for change in changes})
    return changes
