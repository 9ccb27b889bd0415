from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "agora.reports"
    verbose_name = "Reader reports"

    def ready(self):
        # A moderator's decision on a reported comment settles its open reports.
        from django.db.models.signals import post_save

        from agora.comments.models import Decision
        from agora.reports import actions

        post_save.connect(actions.settle_on_decision, sender=Decision, dispatch_uid="reports")

        # The moderator pages count the Reported queue live, as they count the pending one.
        from agora.moderation.queue import LiveCount, register_live_count
        from agora.reports.models import reported, reports_version

        register_live_count(
            LiveCount("reported", lambda comments: reported(comments).count(), reports_version)
        )
