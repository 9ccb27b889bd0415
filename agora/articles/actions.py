"""Changes to articles made by Agora itself (the CMS and the admin write the rest)."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from agora.articles.models import Article


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


def find_or_create_for_import(url: str, title: str, published_at, language: str):
    """The article at ``url``, or a new one for a thread brought from another comment system.

    Returns (article, created). A new article gets a slug made from its title, made
    unique with a number, as the old system's threads have no slugs of their own."""
    existing = Article.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    title = (title or url)[: Article._meta.get_field("title").max_length]
    article = Article.objects.create(
        slug=_free_slug(slugify(title) or "imported"),
        title=title,
        url=url,
        language=language,
        published_at=published_at,
    )
    return article, True


def _free_slug(base: str) -> str:
    base = base[: Article._meta.get_field("slug").max_length - 12]
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
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
