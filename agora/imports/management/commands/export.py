import sys

from django.core.management.base import BaseCommand

from agora.imports import export


class Command(BaseCommand):
    help = (
        "Write every article, comment, decision and reason as JSON Lines "
        "(schema: docs/import.md); `agora import agora FILE` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--no-emails", action="store_true", help="Leave out the commenters' emails."
        )

    def handle(self, *args, format, output, no_emails, **options):
        lines = export.lines(emails=not no_emails)
        if output is None:
            sys.stdout.writelines(lines)
            return
        with open(output, "w", encoding="utf-8") as file:
            file.writelines(lines)
