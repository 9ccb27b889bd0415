"""Staff users who moderated before roles existed keep doing so: they join the
Moderator group (its permissions are granted after migrate, by agora.desks.roles)."""

from django.conf import settings
from django.db import migrations


def staff_join_moderators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    moderators, _ = Group.objects.get_or_create(name="Moderator")
    for user in User.objects.filter(is_staff=True, is_superuser=False):
        user.groups.add(moderators)


class Migration(migrations.Migration):
    dependencies = [
        ("desks", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(staff_join_moderators, migrations.RunPython.noop)]
