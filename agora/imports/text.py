"""Comment text between other systems' HTML and Agora's plain text: Agora never renders a
comment as HTML."""

import html
import re
from html import unescape
from html.parser import HTMLParser

# Tags that end a line or a paragraph in the source's rendering.
LINE_BREAKS = {"br"}
BLOCKS = {"p", "div", "blockquote", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


class _PlainText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.link: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in LINE_BREAKS:
            self.parts.append("\n")
        elif tag == "a":
            self.link = dict(attrs).get("href") or None
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.link is not None:
            # A link keeps its address next to its words, unless the words are the address.
            words = "".join(self.link_text).strip()
            if self.link.rstrip("/") != words.rstrip("/"):
                self.parts.append(f" ({self.link})")
            self.link = None

    def handle_data(self, data):
        self.parts.append(data)
        if self.link is not None:
            self.link_text.append(data)


# The blank lines and trailing spaces the tags leave, tidied.
_SPACE_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """Plain text of an HTML comment: paragraphs as blank lines, links as "words (address)"."""
    parser = _PlainText()
    if not _read_simple(html, parser):
        parser = _PlainText()
        parser.feed(html)
        parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    if "\n" in text:
        text = _BLANK_LINES.sub("\n\n", _SPACE_BEFORE_NEWLINE.sub("\n", text))
    return text.strip()


# Comments are mostly paragraphs, line breaks, links and emphasis: for those, one regular
# expression finds the tags ``HTMLParser`` would find, as it would read them, in half its
# time. Anything else (a lone "<", a comment, an unquoted attribute, a tag outside
# this list, such as <script> whose content HTMLParser reads differently) goes to it.
SIMPLE_TAGS = {
    *LINE_BREAKS,
    *BLOCKS,
    *("a", "b", "i", "u", "s", "em", "strong", "span", "code", "small", "sub", "sup"),
    *("del", "ins", "cite", "q", "ul", "ol", "hr", "img", "table", "tbody", "thead"),
    *("td", "th"),
}
_NAME = r"[a-zA-Z][a-zA-Z0-9]*"
_ATTRIBUTE = r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"<>]*"|'[^'<>]*'))?"""
_TAG = re.compile(
    rf"</(?P<closing>{_NAME})\s*>"
    rf"|<(?P<opening>{_NAME})(?P<attributes>(?:\s+{_ATTRIBUTE})*)\s*(?P<self_closing>/?)>"
)
_ATTRIBUTES = re.compile(_ATTRIBUTE)


def _read_simple(html: str, parser: _PlainText) -> bool:
    """Make the calls ``HTMLParser`` would make on ``parser`` reading ``html``; False, as
    soon as it meets anything but text and the simple tags, for ``parser`` to be dropped."""
    position = 0
    for tag in _TAG.finditer(html):
        if not _read_data(html[position : tag.start()], parser):
            return False
        position = tag.end()
        closing, opening, attributes, _, _, self_closing = tag.groups()
        name = (closing or opening).lower()
        if name not in SIMPLE_TAGS:
            return False
        if closing:
            parser.handle_endtag(name)
            continue
        parser.handle_starttag(
            name,
            [
                (key.lower(), unescape(value[1:-1]) if value else None)
                for key, value in _ATTRIBUTES.findall(attributes)
            ]
            if attributes
            else [],
        )
        if self_closing:
            parser.handle_endtag(name)
    return _read_data(html[position:], parser)


def _read_data(data: str, parser: _PlainText) -> bool:
    if "<" in data:
        return False
    if data:
        parser.handle_data(unescape(data))
    return True


def text_to_html(text: str) -> str:
    """HTML of a plain-text comment, for systems that store HTML: paragraphs as ``<p>``,
    line breaks as ``<br>``, everything else escaped. ``html_to_text`` reads it back."""
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text.strip()))
    return "".join(
        f"<p>{'<br>'.join(html.escape(line) for line in p.splitlines())}</p>"
        for p in paragraphs
        if p
    )
