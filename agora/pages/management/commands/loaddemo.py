from django.core.management.base import BaseCommand

from agora.pages import demo


class Command(BaseCommand):
    help = (
        "Load fictional demo articles (English, Arabic, Turkish, Persian, Sorani, Kurmanji), "
        "comments in every moderation state and a demo moderator. Safe to run again."
    )

    def handle(self, *args, **options):
        summary = demo.load()
        self.stdout.write(
            f"Demo loaded: {summary.articles_created} new articles, "
            f"{summary.comments_created} new comments, "
            f"{summary.decisions_recorded} new moderation decisions "
            f"({len(demo.ARTICLES)} demo articles in all)."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo moderator (staff) - username: {demo.MODERATOR_USERNAME}  "
                f"password: {demo.MODERATOR_PASSWORD}"
            )
        )
        self.stdout.write("Log in at /moderation/ (or /admin/) on the running server.")
