"""Filters for showing readers' words safely, shared by every page that shows a comment."""

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter

register = template.Library()


@register.filter
def comment_body(text: str) -> str:
    """A comment as paragraphs of plain text: escaped, blank lines start a new paragraph.

    Nothing a reader types is ever interpreted as HTML, whatever the template's
    autoescape setting.
    """
    return linebreaks_filter(text, autoescape=True)


@register.filter
def text_direction(language_code: str) -> str:
    """``rtl`` for right-to-left languages (Arabic, Persian, Sorani ...), else ``ltr``."""
    return "rtl" if language_code in settings.LANGUAGES_BIDI else "ltr"
