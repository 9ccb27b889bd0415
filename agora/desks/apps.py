from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DesksConfig(AppConfig):
    name = "agora.desks"
    verbose_name = "Desks and roles"

    def ready(self):
        from agora.desks import roles

        # After every migrate, once all apps' permissions exist.
        post_migrate.connect(roles.grant_role_permissions, sender=self)
