"""The rows of every audit trail (decisions on comments, measures on commenters, changes
to the word lists, the settings and the desks) are only ever added: one base for them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class AppendOnly(models.Model):
    """A model whose rows, once stored, are never changed nor deleted one by one (erasing
    a person's data deletes through a queryset, as the law asks: agora.privacy)."""

    trail = "The audit trail"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(f"{self.trail} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(f"{self.trail} is append-only.")
