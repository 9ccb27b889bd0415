from django.apps import AppConfig


class CommentersConfig(AppConfig):
    name = "agora.commenters"
    verbose_name = "Commenters"

    def ready(self):
        # The repeat-offender policy counts every rejection as it is recorded.
        from django.db.models.signals import post_save

        from agora.commenters import actions, rules
        from agora.comments import overrules
        from agora.comments.models import Decision

        post_save.connect(actions.rejection_recorded, sender=Decision, dispatch_uid="commenters")
        # A commenter's standing has its say over their posts (refused, never approved
        # automatically, or trusted).
        overrules.register_standing(rules)
