"""Changes to articles made by Agora itself (the CMS and the admin write the rest)."""

from django.db import transaction


@transaction.atomic
def confirm(articles) -> int:
    """Publish articles created from unsigned embeds; returns how many were waiting.

    Saved one by one so the thread cache hears of each (agora.comments.threads)."""
    waiting = list(articles.filter(confirmed=False).select_for_update())
    for article in waiting:
        article.confirmed = True
        article.save(update_fields=["confirmed"])
    return len(waiting)
