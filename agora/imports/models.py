from django.db import models

from agora.comments.models import Comment


class ImportedComment(models.Model):
    """Where an imported comment came from: re-running an import skips what is recorded here.

    The original parent is kept even when Agora attached the comment to another one
    (it shows one level of replies, so deeper replies hang from their top-level comment).
    """

    source = models.CharField(max_length=20)
    original_id = models.CharField(max_length=200)
    original_parent_id = models.CharField(max_length=200, blank=True)
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="origin")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "original_id"], name="one_import_per_id")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.original_id}"
