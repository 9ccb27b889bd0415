import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agora.imports.actions import SOURCES, ImportOptions, ImportSummary, run_import
from agora.imports.records import ImportFileError
from agora.imports.scoring import score_imported


class Command(BaseCommand):
    help = (
        "Import another comment system's export: threads become articles (matched by "
        "address), comments keep their date, author and status. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=SOURCES)
        parser.add_argument(
            "file", help="The export file (Isso: its database; agora: `agora export`'s)."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _ in settings.LANGUAGES],
            help="Language of articles created for new threads (default: the site's).",
        )
        parser.add_argument(
            "--keep-removed",
            action="store_true",
            help="Store spam and deleted comments as rejected instead of leaving them out.",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="Address the thread paths of Isso and Commento are relative to.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read the file, say what would be imported."
        )
        parser.add_argument(
            "--score",
            action="store_true",
            help="Then judge the source's comments that have no verdict with the guideline "
            "engine (statuses stay as the source decided), so the queue shows their risk.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=max(1, min(4, os.cpu_count() or 1)),
            help="Processes judging comments with --score (default: the CPUs, at most 4).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, source, file, **options):
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        try:
            summary = run_import(
                file,
                ImportOptions(
                    source=source,
                    language=options["language"],
                    keep_removed=options["keep_removed"],
                    base_url=options["base_url"].rstrip("/"),
                    dry_run=options["dry_run"],
                    progress=not options["no_progress"],
                ),
            )
        except (ImportFileError, OSError) as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        self.stdout.write(describe(summary, dry_run=options["dry_run"]))
        if options["score"] and not options["dry_run"]:
            scored = score_imported(
                source, jobs=options["jobs"], progress=not options["no_progress"]
            )
            self.stdout.write(f"Scored by the guideline engine: {scored}")


def describe(summary: ImportSummary, *, dry_run: bool) -> str:
    counts = summary.planned if dry_run else summary.imported
    lines = [
        ("Would import" if dry_run else "Imported") + f" comments in {summary.threads} threads "
        f"({summary.articles_matched} matching existing articles, "
        f"{summary.articles_created} new):",
        *(f"  {status}: {counts[status]}" for status in sorted(counts)),
        f"Already imported before: {summary.already_imported}",
        f"Skipped: {sum(summary.skipped.values())}",
        *(f"  {reason}: {count}" for reason, count in sorted(summary.skipped.items())),
    ]
    if summary.measures:
        lines.append(f"Measures on commenters restored: {summary.measures}")
    return "\n".join(lines)
