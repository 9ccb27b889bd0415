from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from agora.newsroom import knobs


class ArticleManager(models.Manager):
    def by_slug(self, slug: str, fields: Sequence[str] = ()) -> "Article | None":
        """The article with this slug (only ``fields`` and the id loaded, if given), or None.

        Every post and every thread read starts here, so it is one raw query: building the
        equivalent queryset costs Django 0.4-0.6 ms of CPU, twenty times what SQLite takes
        to answer it (bench/post_cost.py measures the whole post)."""
        quote = connections[self.db].ops.quote_name
        meta = self.model._meta
        columns = (
            ", ".join(quote(meta.get_field(name).column) for name in dict.fromkeys(("id", *fields)))
            if fields
            else "*"
        )
        query = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote('slug')} = %s"
        return next(iter(self.raw(query, [slug])), None)

    def by_slug_or_404(self, slug: str) -> "Article":
        """:meth:`by_slug` for the pages: a missing or unconfirmed article is their 404."""
        article = self.by_slug(slug)
        if article is None or not article.confirmed:
            raise Http404("No article has this address.")
        return article

    def listed(self) -> models.QuerySet:
        """The articles the public lists show: all but those awaiting confirmation."""
        return self.filter(confirmed=True)


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
    # An article a reader's browser announced through an unsigned embed stays off the
    # public lists and pages until a moderator confirms it (agora/embed/signing.py).
    confirmed = models.BooleanField(
        default=True, help_text="Shown on the home page, the article list and its own page."
    )
    # The relevance model's embeddings of the article's chunks, computed when it is first
    # commented on (agora.comments.screening), so no app server recomputes them. The key
    # names the model version and text they were computed from: an edit makes them stale.
    relevance_vectors = models.BinaryField(null=True, editable=False)
    relevance_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at"]
        # Imports match threads to articles by address, as Coral's embed matches stories.
        indexes = [models.Index(fields=["url"], name="article_url")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("comments_close_at", None)
        # The closing time is kept on the instance: read afresh with the rest.
        super().refresh_from_db(*args, **kwargs)

    @cached_property
    def comments_close_at(self) -> datetime | None:
        """When comments close on their own (the newsroom's ``close_comments_after_days`` after
        publication), or None when the publisher closes none automatically. Read once per
        loaded article: a page asks for each comment's reply link."""
        days = knobs.current("close_comments_after_days")
        return self.published_at + timedelta(days=days) if days > 0 else None

    @property
    def accepts_comments(self) -> bool:
        """Open to new comments: not closed by a moderator, nor by the automatic closing."""
        closes = self.comments_close_at
        return self.comments_open and (closes is None or timezone.now() < closes)
