"""Small steps the browser tests share."""

from agora.pages import demo

EMBED = "#agora-comments"
# The first demo article in each language (the English one is the council budget).
DEMO_SLUGS = {}
for article in demo.ARTICLES:
    DEMO_SLUGS.setdefault(article.language, article.slug)
LANGUAGES = ("en", "ckb", "kmr", "ar", "tr", "fa")


def wait_for_embed(page):
    """Wait until the embed has drawn itself (inside the host's shadow root)."""
    page.wait_for_function(
        "() => { const root = document.querySelector('#agora-comments').shadowRoot;"
        " return root && root.querySelector('.agora') && !root.querySelector('[aria-busy]'); }"
    )


def deep_active_id(page) -> str:
    """The id of the focused element, looking inside shadow roots."""
    return page.evaluate(
        """() => {
            let active = document.activeElement;
            while (active && active.shadowRoot && active.shadowRoot.activeElement) {
                active = active.shadowRoot.activeElement;
            }
            return active ? active.id : "";
        }"""
    )


def tab_to(page, element_id: str, limit: int = 60):
    """Press Tab until the element with ``element_id`` has focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if deep_active_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def log_in(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/moderation/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/moderation/")


def log_in_as_moderator(page, base_url: str):
    log_in(page, base_url, demo.MODERATOR_USERNAME, demo.MODERATOR_PASSWORD)


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def text_box(page, selector: str) -> dict:
    """Where the text of an element is drawn (a label's box may be wider than its words)."""
    return page.locator(selector).first.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                   const r = range.getBoundingClientRect();
                   return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""
    )


def embed_page(agora_url: str, slug: str, lang: str = "", title: str = "", style: str = "") -> str:
    """A bare publisher page with the snippet, for tests that need their own host page."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host</title><style>{style}</style></head>
<body>
<div id="agora-comments" data-article="{slug}" data-title="{title}" data-lang="{lang}"></div>
<script src="{agora_url}/embed.js" async></script>
</body></html>"""
