from django.core.management.base import BaseCommand, CommandError

from agora.privacy import records


class Command(BaseCommand):
    help = (
        "Delete every comment written with an email address, and the moderation decisions "
        "about them, in one transaction. Replies by other people are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--yes", action="store_true", help="Really delete (there is no undo and no prompt)."
        )

    def handle(self, *args, email, yes, **options):
        if not yes:
            found = records.comments_by(email).count()
            raise CommandError(
                f"{found} comment(s) would be deleted with their decisions. "
                "Nothing was deleted; run again with --yes to delete them."
            )
        counts = records.erase(email)
        self.stdout.write(
            f"Deleted {counts['comments']} comment(s) and {counts['decisions']} decision(s); "
            f"{counts['replies_detached']} reply(ies) by other people kept as top-level comments. "
            f"Also deleted {counts['reports']} report(s) filed and {counts['measures']} "
            "commenter measure(s)."
        )
        if not counts["log_emptied"]:
            self.stderr.write(
                "Readers kept SQLite's write-ahead log from being emptied: it may still hold "
                "the erased data until the next checkpoint. Run "
                "`agora dbshell` then `PRAGMA wal_checkpoint(TRUNCATE);` when traffic is low."
            )
