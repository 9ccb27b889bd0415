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

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])
