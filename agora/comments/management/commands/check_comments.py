"""Check every comment still waiting for its verdict, here and now.

For when the task worker was down, or its tasks were lost: comments posted meanwhile
wait in the moderator queue as "being checked" until this (or the worker) judges them.
"""

from django.core.management.base import BaseCommand

from agora.comments import actions
from agora.comments.models import Comment
from agora.comments.tasks import CHECK_BATCH


class Command(BaseCommand):
    help = "Judge every comment still waiting for the guideline engine's verdict."

    def handle(self, *args, **options):
        waiting = Comment.objects.filter(awaiting_verdict=True).order_by("pk")
        ids = list(waiting.values_list("pk", flat=True))
        stored = 0
        for start in range(0, len(ids), CHECK_BATCH):
            stored += actions.check_comments(ids[start : start + CHECK_BATCH])
        self.stdout.write(f"{stored} comment(s) checked.")
