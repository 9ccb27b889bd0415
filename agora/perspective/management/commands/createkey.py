from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agora.perspective.models import ApiKey


class Command(BaseCommand):
    help = (
        "Create a key to the Perspective-compatible API (/v1alpha1/comments:analyze) and "
        "print it. Only its hash is stored, so this is the one time the key is shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--label", default="", help="Who or what uses the key.")
        parser.add_argument(
            "--per-second", type=int, default=10, help="Queries per second (0: no limit)."
        )
        parser.add_argument(
            "--per-day", type=int, default=100_000, help="Queries per UTC day (0: no limit)."
        )

    def handle(self, *args, label, per_second, per_day, **options):
        try:
            _key, raw = ApiKey.objects.issue(label, per_second=per_second, per_day=per_day)
        except ValidationError as error:
            messages = [
                f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
            ]
            raise CommandError("; ".join(messages)) from None
        # The bare key on stdout, so scripts can capture it.
        self.stdout.write(raw)
