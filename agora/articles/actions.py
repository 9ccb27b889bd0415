"""Changes to articles made by Agora itself (the CMS and the admin write the rest)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from agora.articles.models import Article

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
# Room left for the number that makes a slug unique.
SLUG_BASE_LENGTH = Article._meta.get_field("slug").max_length - 12


@transaction.atomic
def confirm(articles) -> int:
    """Publish articles created from unsigned embeds; returns how many were waiting.

    Saved one by one so the thread cache hears of each (agora.comments.threads)."""
    waiting = list(articles.filter(confirmed=False).select_for_update())
    for article in waiting:
        article.confirmed = True
        article.save(update_fields=["confirmed"])
    return len(waiting)


def announce(fields: dict, *, signed: bool, existing: Article | None = None):
    """Store the article an embed announced (``fields``: slug, title, url, language),
    or correct ``existing`` with them. Returns (article, created).

    Signed by the site it is confirmed, that is published at once; unsigned it stays
    off the public lists until a moderator confirms it (:func:`confirm`)."""
    article = existing if existing is not None else Article()
    for name, value in fields.items():
        setattr(article, name, value)
    article.confirmed = signed
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        # Two first readers at once: the other request created it.
        return Article.objects.get(slug=fields["slug"]), False
    return article, existing is None


@dataclass(frozen=True)
class ImportedThread:
    """A thread of another comment system, as an article to find or create."""

    url: str
    title: str
    published_at: datetime


def find_or_create_for_import(
    threads: list[ImportedThread], language: str
) -> tuple[dict[str, Article], int]:
    """The article at each thread's address, created if there is none; returns them by
    address, and how many were created.

    A new article gets a slug made from its title, made unique with a number, as the old
    system's threads have no slugs of their own. Looked up and created a batch at a time:
    an archive brings tens of thousands of threads."""
    by_url = {thread.url: thread for thread in threads}
    # Where several articles share an address, the newest is the one matched.
    existing = Article.objects.filter(url__in=list(by_url)).order_by("published_at", "id")
    found = {article.url: article for article in existing}
    new = []
    bases = {
        url: slugify(thread.title or url)[:SLUG_BASE_LENGTH] or "imported"
        for url, thread in by_url.items()
        if url not in found
    }
    taken = set(Article.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True))
    for url, base in bases.items():
        thread = by_url[url]
        slug = base if base not in taken else _free_slug(base, taken)
        taken.add(slug)
        new.append(
            Article(
                slug=slug,
                title=(thread.title or url)[:TITLE_MAX_LENGTH],
                url=url,
                language=language,
                published_at=thread.published_at,
            )
        )
    Article.objects.bulk_create(new)
    found.update((article.url, article) for article in new)
    return found, len(new)


def _free_slug(base: str, taken: set[str]) -> str:
    """``base`` numbered until free, in the database and in ``taken``."""
    taken = taken | set(
        Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def restore(fields: dict):
    """The article with ``fields["slug"]``, created from an Agora export if missing.

    Returns (article, created); an existing article is left as the site has it."""
    return Article.objects.get_or_create(slug=fields["slug"], defaults=fields)


def set_comments_open(article: Article, open_: bool) -> None:
    """Open or close comments on ``article`` (a moderator's choice; the automatic closing
    after ``AGORA_CLOSE_COMMENTS_AFTER_DAYS`` needs no action). Saved through the model so
    the cached thread, whose reply links depend on it, is rebuilt."""
    article.comments_open = open_
    article.save(update_fields=["comments_open"])
