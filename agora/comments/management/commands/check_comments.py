"""Check every comment still waiting for its verdict, here and now.

For when the task worker was down, or its tasks were lost: comments posted meanwhile
wait in the moderator queue as "being checked" until this (or the worker) judges them.
"""

from django.core.management.base import BaseCommand

from agora.comments.tasks import check_waiting_comments


class Command(BaseCommand):
    help = "Judge every comment still waiting for the guideline engine's verdict."

    def handle(self, *args, **options):
        stored = check_waiting_comments.call()
        self.stdout.write(f"{stored} comment(s) checked.")
