"""Comment text between other systems' HTML and Agora's plain text: Agora never renders a
comment as HTML."""

import html
import re
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


def html_to_text(html: str) -> str:
    """Plain text of an HTML comment: paragraphs as blank lines, links as "words (address)"."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def text_to_html(text: str) -> str:
    """HTML of a plain-text comment, for systems that store HTML: paragraphs as ``<p>``,
    line breaks as ``<br>``, everything else escaped. ``html_to_text`` reads it back."""
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text.strip()))
    return "".join(
        f"<p>{'<br>'.join(html.escape(line) for line in p.splitlines())}</p>"
        for p in paragraphs
        if p
    )
