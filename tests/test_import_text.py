"""Comment HTML turned into plain text on import (agora.imports.text): the fast reading of
common markup gives exactly the text ``HTMLParser`` gives, and hands everything else to it."""

import random

import pytest

from agora.imports import text

PIECES = [
    *("<p>", "</p>", "<br>", "<br/>", "<br />", "<BR>", "<p\n>", "</p\n>", "</A >", "<hr>"),
    *('<a href="https://x.org/a">', "<a href='y'>", '<a href="">', "<a>", "</a>"),
    *('<a href="https://x.org/a" title="t">', '<A HREF="&amp;x">', '<a href="x"/>'),
    *('<a\thref="z">', '<a b="1"c="2">', "<a b c>", '<a href="a>b">', "<a href=x>"),
    *("<em>", "</em>", "<b>", "</b>", "<div>", "</div>", "<li>", "</li>", "<pre>"),
    *('<p class="c">', "<span id=x>", '<img src="a.png" alt="">', "<table><tr><td>"),
    *("<script>", "</script>", "<style>", "<!-- c -->", "<?pi?>", "<![CDATA[x]]>"),
    *("<unknown>", "</unknown>", "<3", " < ", "<", ">", "&amp;", "&lt;", "&", "&#39;"),
    *("&nbsp;", "&am", "&amp", "text", " words ", "\n", "\t", "  "),
    *("https://x.org/a", "https://x.org/a/"),
]


def htmlparser_text(html: str) -> str:
    parser = text._PlainText()
    parser.feed(html)
    parser.close()
    return text._tidy("".join(parser.parts))


def test_the_fast_reading_gives_htmlparsers_text():
    rng = random.Random(25)
    fast = 0
    for _ in range(20_000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        assert text.html_to_text(html) == htmlparser_text(html), html
        fast += text._read_simple(html, text._PlainText())
    # Both ways are exercised: a quarter of these snippets hold only the common markup.
    assert 2_000 < fast < 18_000


@pytest.mark.parametrize(
    ("html", "expected", "fast"),
    [
        (
            '<p>Read <a href="https://x.org/a">this</a>.</p><p>Then &amp; now</p>',
            "Read this (https://x.org/a).\n\nThen & now",
            True,
        ),
        ('<p>See <a href="https://x.org/a/">https://x.org/a</a></p>', "See https://x.org/a", True),
        ("first<br>second<br/>third", "first\nsecond\nthird", True),
        ("<p>a &lt;b&gt; c</p>", "a <b> c", True),
        ("<script>if (a < b) {}</script>after", "if (a < b) {}after", False),
        ("2 < 3 <!-- note --> <b>bold</b>", "2 < 3  bold", False),
    ],
)
def test_examples(html, expected, fast):
    assert text.html_to_text(html) == htmlparser_text(html) == expected
    assert text._read_simple(html, text._PlainText()) is fast
