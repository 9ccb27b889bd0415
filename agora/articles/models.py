from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Article(models.Model):
    """A story that readers comment on.

    Articles are written in the publisher's CMS; Agora keeps what it needs to
    show the page, judge relevance and label the moderator queue.
    """

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    standfirst = models.TextField(blank=True, help_text="The summary printed under the headline.")
    byline = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    url = models.URLField(
        max_length=500, blank=True, help_text="Canonical address on the publisher's site."
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    published_at = models.DateTimeField(default=timezone.now)
    comments_open = models.BooleanField(default=True)
    # The relevance model's embeddings of the article's chunks, computed when it is first
    # commented on (agora.comments.screening), so no app server recomputes them. The key
    # names the model version and text they were computed from: an edit makes them stale.
    relevance_vectors = models.BinaryField(null=True, editable=False)
    relevance_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])
