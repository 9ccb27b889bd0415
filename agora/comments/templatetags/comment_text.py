"""Filters for showing readers' words safely, shared by every page that shows a comment."""

import re

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


# As the embed finds them (URL_PATTERN in agora/embed/static/embed/embed.js): plain
# http(s) addresses, less the punctuation that ends a sentence after them.
ADDRESS = re.compile(r"\bhttps?://[^\s<>\"']+")
SENTENCE_END = re.compile(r"[.,;:!?)\]]+$")


def linked(line: str) -> str:
    """One line of a comment, escaped, with its plain addresses as links that pass on no
    reputation (``nofollow ugc``) and no access to this page (``noopener``)."""
    parts, last = [], 0
    for match in ADDRESS.finditer(line):
        address = SENTENCE_END.sub("", match.group())
        parts.append(escape(line[last : match.start()]))
        parts.append(
            format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', address, address)
        )
        last = match.start() + len(address)
    parts.append(escape(line[last:]))
    return "".join(parts)


@register.filter
def comment_body(text: str) -> str:
    """A comment as paragraphs of plain text: escaped, blank lines start a new paragraph,
    plain addresses are links, as in the embed.

    Nothing a reader types is ever interpreted as HTML, whatever the template's
    autoescape setting.
    """
    blocks = re.split(r"\n{2,}", re.sub(r"\r\n?", "\n", text.strip()))
    paragraphs = ("<br>".join(linked(line) for line in block.split("\n")) for block in blocks)
    return mark_safe("\n\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))


@register.filter
def text_direction(language_code: str) -> str:
    """``rtl`` for right-to-left languages (Arabic, Persian, Sorani ...), else ``ltr``."""
    return "rtl" if language_code in settings.LANGUAGES_BIDI else "ltr"
