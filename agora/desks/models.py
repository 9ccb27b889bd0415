"""Desks: the share of the comments a group of moderators looks after."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Desk(models.Model):
    """Comments in some languages and/or under some sections of the site.

    A section is a path segment of the article's address on the publisher's site
    ("sport" takes https://paper.example/sport/...): Agora has no section field of its
    own, and news sites put the section in the address. An empty list means any."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="desks", blank=True, verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("decide_comments", "Can approve and reject comments on their desks"),
            ("read_all_desks", "Can read every desk's comments and the audit trail"),
            ("manage_moderation", "Can manage word lists, desks and commenters"),
        ]

    def __str__(self) -> str:
        return self.name

    def comments(self) -> Q:
        """The comments this desk covers, as a filter on comments."""
        covered = Q()
        if self.languages:
            covered &= Q(lang__in=self.languages)
        if self.sections:
            in_section = Q(pk__in=[])
            for section in self.sections:
                in_section |= Q(article__url__contains=f"/{section}/")
            covered &= in_section
        return covered
