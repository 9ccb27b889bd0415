from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agora.api.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create a moderation API token for a staff user and print it. Only its hash is "
        "stored, so this is the one time the token is shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="What the token is for.")

    def handle(self, *args, username, label, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not (user.is_active and user.is_staff):
            raise CommandError(
                f"{username!r} is not an active staff user; only moderators get API tokens."
            )
        if len(label) > 100:
            raise CommandError("The label is limited to 100 characters.")
        _token, raw = ApiToken.objects.issue(user, label=label)
        # The bare token on stdout, so scripts can capture it.
        self.stdout.write(raw)
