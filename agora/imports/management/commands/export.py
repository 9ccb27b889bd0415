import sys

from django.core.management.base import BaseCommand, CommandError

from agora.imports import export, export_disqus


class Command(BaseCommand):
    help = (
        "Write every article, comment, decision and reason as JSON Lines "
        "(schema: docs/import.md; `agora import agora FILE` reads it back), or the "
        "articles and comments as a Disqus XML export."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl", "disqus"], default="jsonl")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--no-emails", action="store_true", help="Leave out the commenters' emails."
        )
        parser.add_argument(
            "--forum", default="agora", help="Disqus: the forum (site) short name to write."
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="Disqus: address of this site, to link articles that have no url of their own.",
        )

    def handle(self, *args, format, output, no_emails, forum, site_url, **options):
        if format == "disqus":
            lines = export_disqus.lines(forum=forum, site_url=site_url, emails=not no_emails)
        else:
            lines = export.lines(emails=not no_emails)
        try:
            first = next(lines)  # any refusal comes before a file is opened
        except export_disqus.MissingAddress as error:
            raise CommandError(f"Nothing was exported: {error}") from error
        if output is None:
            sys.stdout.write(first)
            sys.stdout.writelines(lines)
            return
        with open(output, "w", encoding="utf-8") as file:
            file.write(first)
            file.writelines(lines)
