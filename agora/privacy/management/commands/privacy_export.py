import json

from django.core.management.base import BaseCommand

from agora.privacy import records


class Command(BaseCommand):
    help = "Print, as JSON, everything Agora stores about an email address."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        self.stdout.write(json.dumps(records.export(email), ensure_ascii=False, indent=2))
