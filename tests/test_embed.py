"""The embed's server side (agora/embed): embed.js, CORS, the embed endpoints, the demo host."""

import gzip
import json
import re
import threading
import urllib.error
import urllib.request

import pytest

from agora.articles import actions as article_actions
from agora.articles.models import Article
from agora.comments.models import Comment, Status
from agora.embed import demo, origins, signing
from agora.embed.views import EMBED_JS
from agora.pages import demo as demo_content

SITE = "https://news.example.org"
THREAD = "/api/v1/articles/river-dam-vote/comments"
SETUP = "/api/v1/embed/articles/river-dam-vote"
CREATE = "/api/v1/embed/articles"


SECRET = "the-courier-embed-secret"


@pytest.fixture(autouse=True)
def allowed_site(settings):
    settings.AGORA_ALLOWED_ORIGINS = [SITE]
    settings.AGORA_EMBED_AUTOCREATE = True
    settings.AGORA_EMBED_SECRETS = {SITE: SECRET}


def comment(article, status=Status.APPROVED, n=0, parent=None):
    return Comment.objects.create(
        article=article,
        parent=parent,
        author_name=f"Reader {n}",
        author_email=f"reader{n}@example.org",
        body=f"Comment number {n} about the dam.",
        status=status,
    )


def post_json(client, url, payload, **headers):
    return client.post(url, json.dumps(payload), content_type="application/json", **headers)


# --- embed.js -------------------------------------------------------------------


def test_embed_js_is_served_as_javascript_with_an_etag(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.content == EMBED_JS.read_bytes()
    assert "max-age=600" in response["Cache-Control"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    again = client.get("/embed.js", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_embed_js_is_under_15_kb_gzipped(client):
    response = client.get("/embed.js", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 15 * 1024
    assert gzip.decompress(response.content) == EMBED_JS.read_bytes()


def test_embed_js_never_parses_strings_as_html():
    source = EMBED_JS.read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


# --- CORS -------------------------------------------------------------------------


def test_an_allowed_site_may_read_the_thread(client, article):
    comment(article)
    response = client.get(THREAD, headers={"Origin": SITE})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_other_sites_get_no_cors_answer(client, article):
    for origin in ("https://evil.example", "null", "https://news.example.org.evil.example"):
        response = client.get(THREAD, headers={"Origin": origin})
        assert response.status_code == 200  # the data is public; the browser just won't share it
        assert "Access-Control-Allow-Origin" not in response
        assert "Origin" in response["Vary"]


def test_a_preflight_from_an_allowed_site_permits_posting_json_with_a_key(client, article):
    response = client.options(
        THREAD,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "idempotency-key" in allowed
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_from_another_site_permits_nothing(client, article):
    response = client.options(
        THREAD, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert not [name for name in response.headers if name.startswith("Access-Control-")]


def test_an_allowed_site_may_post_a_comment(client, article):
    response = post_json(
        client,
        THREAD,
        {"author_name": "Leyla", "author_email": "leyla@example.org", "body": "From the embed."},
        headers={"Origin": SITE, "Idempotency-Key": "embed-0123456789abcdef"},
    )
    assert response.status_code == 202
    assert response["Access-Control-Allow-Origin"] == SITE
    assert Comment.objects.get().status == Status.PENDING


def test_errors_carry_the_cors_answer_so_the_embed_can_show_them(client, article):
    response = post_json(client, THREAD, {"author_name": ""}, headers={"Origin": SITE})
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response.status_code == 400 and "errors" in response.json()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/moderation/queue", "/api/v1/openapi.json", "/articles/river-dam-vote/", "/embed.js"],
)
def test_cors_is_limited_to_the_public_api(client, article, path):
    response = client.get(path, headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response
    preflight = client.options(
        path, headers={"Origin": SITE, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight


@pytest.mark.parametrize(
    "setting, origin, allowed",
    [
        ("https://news.example.org/", "https://news.example.org", True),
        ("HTTPS://News.Example.org", "https://news.example.org", True),
        ("https://news.example.org:443", "https://news.example.org", True),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001", True),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8002", False),
        ("https://news.example.org", "http://news.example.org", False),
        ("https://news.example.org/path", "https://news.example.org", False),
        ("https://news.example.org", "null", False),
    ],
)
def test_origins_are_compared_in_their_normal_form(settings, setting, origin, allowed):
    settings.AGORA_ALLOWED_ORIGINS = [setting]
    assert origins.is_allowed(origin) is allowed


# --- GET /api/v1/embed/articles/<slug> ----------------------------------------------


def test_setup_gives_the_article_count_and_messages(client, article):
    comment(article, n=1)
    comment(article, n=2)
    comment(article, Status.PENDING, n=3)
    comment(article, Status.REJECTED, n=4)
    data = client.get(SETUP, headers={"Origin": SITE}).json()
    assert data["article"] == {
        "slug": "river-dam-vote",
        "title": article.title,
        "url": "",
        "language": "en",
        "comments_open": True,
        "comments_close_at": None,
    }
    assert (data["lang"], data["dir"]) == ("en", "ltr")
    assert (data["count"], data["count_label"]) == (2, "2 comments")
    assert data["strings"]["send"] == "Send for moderation"
    assert data["guidelines"]["title"] == "Community guidelines"
    assert len(data["guidelines"]["items"]) == 5
    assert data["dates"]["pattern"] == "{N} {j}, {Y}, {P}"
    assert data["dates"]["months"][2] == "March"
    assert "@" not in json.dumps(data)


def test_setup_speaks_data_lang_then_the_article_language_then_the_browser(client, article):
    article.language = "fa"
    article.save()
    assert client.get(SETUP + "?lang=ar").json()["lang"] == "ar"
    assert client.get(SETUP + "?lang=AR-iq").json()["lang"] == "ar"
    assert client.get(SETUP + "?lang=xx", headers={"Accept-Language": "tr"}).json()["lang"] == "fa"
    unknown = "/api/v1/embed/articles/no-such-story"
    assert client.get(unknown, headers={"Accept-Language": "tr"}).json()["lang"] == "tr"
    assert client.get(unknown, headers={"Accept-Language": "de"}).json()["lang"] == "en"


def test_setup_in_arabic_is_right_to_left_and_arabic(client, article):
    for n in range(3):
        comment(article, n=n)
    data = client.get(SETUP + "?lang=ar").json()
    assert data["dir"] == "rtl"
    assert data["count_label"] == "3 تعليقات"
    assert data["strings"]["send"] == "إرسال للمراجعة"
    assert data["dates"]["months"][2] == "مارس"


def test_setup_of_an_unknown_article_says_so(client, db):
    data = client.get("/api/v1/embed/articles/no-such-story").json()
    assert data["article"] is None
    assert data["count"] == 0


def test_setup_reports_closed_comments(client, article):
    article.comments_open = False
    article.save()
    assert client.get(SETUP).json()["article"]["comments_open"] is False


# --- POST /api/v1/embed/articles ---------------------------------------------------

NEW = {
    "slug": "market-hall-opens",
    "title": "Market hall opens",
    "url": f"{SITE}/2026/market-hall",
    "language": "ar",
}


def test_an_unknown_article_is_created_for_an_allowed_site(client, db):
    response = post_json(client, CREATE, NEW, headers={"Origin": SITE})
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    article = Article.objects.get(slug="market-hall-opens")
    assert (article.title, article.url, article.language) == (
        "Market hall opens",
        f"{SITE}/2026/market-hall",
        "ar",
    )
    assert article.comments_open
    again = post_json(client, CREATE, {**NEW, "title": "Another title"}, headers={"Origin": SITE})
    assert again.status_code == 200
    assert again.json()["title"] == "Market hall opens"  # the first announcement stands
    assert Article.objects.count() == 1


def signed(payload, secret=SECRET):
    fields = [payload.get(name, "") for name in ("slug", "title", "url", "language")]
    return {**payload, "signature": signing.signature(secret, *fields)}


def public_slugs(client):
    api = [a["slug"] for a in client.get("/api/v1/articles").json()["articles"]]
    page = client.get("/").content.decode()
    return api, page


def test_an_unsigned_article_stays_off_the_public_lists_until_confirmed(client, article):
    spam = {**NEW, "slug": "cheap-pills", "title": "Visit http://spam.example for CHEAP PILLS"}
    assert post_json(client, CREATE, spam, headers={"Origin": SITE}).status_code == 201
    created = Article.objects.get(slug="cheap-pills")
    assert not created.confirmed
    api, page = public_slugs(client)
    assert api == ["river-dam-vote"]
    assert "CHEAP PILLS" not in page
    assert client.get("/articles/cheap-pills/").status_code == 404
    # Its embed still works: readers may comment, and moderators see the comments.
    assert client.get("/api/v1/embed/articles/cheap-pills").json()["article"]["slug"]
    assert article_actions.confirm(Article.objects.filter(slug="cheap-pills")) == 1
    api, page = public_slugs(client)
    assert "cheap-pills" in api and "CHEAP PILLS" in page
    assert client.get("/articles/cheap-pills/").status_code == 200


def test_a_signed_article_is_published_at_once(client, article):
    response = post_json(client, CREATE, signed(NEW), headers={"Origin": SITE})
    assert response.status_code == 201
    assert Article.objects.get(slug=NEW["slug"]).confirmed
    assert NEW["slug"] in public_slugs(client)[0]


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Visit http://spam.example for CHEAP PILLS"},
        {"signature": signing.signature("guessed", *NEW.values())},
        {"signature": "00" * 32},
    ],
)
def test_a_wrong_signature_creates_nothing(client, db, change):
    payload = {**signed(NEW), **change}
    response = post_json(client, CREATE, payload, headers={"Origin": SITE})
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]
    assert not Article.objects.exists()


def test_a_site_without_a_secret_cannot_sign(client, db, settings):
    settings.AGORA_EMBED_SECRETS = {}
    response = post_json(client, CREATE, signed(NEW), headers={"Origin": SITE})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_a_signed_announcement_corrects_and_confirms_an_unsigned_one(client, db):
    squatted = {**NEW, "title": "Visit http://spam.example for CHEAP PILLS"}
    assert post_json(client, CREATE, squatted, headers={"Origin": SITE}).status_code == 201
    response = post_json(client, CREATE, signed(NEW), headers={"Origin": SITE})
    assert response.status_code == 200
    article = Article.objects.get()
    assert (article.title, article.confirmed) == (NEW["title"], True)


def test_moderators_confirm_articles_in_the_admin(client, db, django_user_model):
    Article.objects.create(slug="waiting", title="Waiting story", confirmed=False)
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-long-1234")
    client.force_login(admin)
    listing = client.get("/admin/articles/article/?confirmed__exact=0")
    assert "Waiting story" in listing.content.decode()
    response = client.post(
        "/admin/articles/article/",
        {"action": "confirm", "_selected_action": [Article.objects.get().pk]},
        follow=True,
    )
    assert "1 article published." in response.content.decode()
    assert Article.objects.get().confirmed


def test_without_data_lang_the_site_default_language_is_used(client, db):
    payload = {key: value for key, value in NEW.items() if key != "language"}
    assert post_json(client, CREATE, payload, headers={"Origin": SITE}).status_code == 201
    assert Article.objects.get().language == "en"


@pytest.mark.parametrize("origin", [None, "https://evil.example", "null"])
def test_no_article_is_created_for_other_sites(client, db, origin):
    headers = {"Origin": origin} if origin else {}
    response = post_json(client, CREATE, NEW, headers=headers)
    assert response.status_code == 403
    assert "publisher's own sites" in response.json()["detail"]
    assert not Article.objects.exists()


def test_no_article_is_created_when_autocreation_is_off(client, db, settings):
    settings.AGORA_EMBED_AUTOCREATE = False
    response = post_json(client, CREATE, NEW, headers={"Origin": SITE})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_the_article_address_must_be_on_the_embedding_site(client, db):
    payload = {**NEW, "url": "https://evil.example/2026/market-hall"}
    response = post_json(client, CREATE, payload, headers={"Origin": SITE})
    assert response.status_code == 400
    assert response.json()["errors"]["url"] == [
        "The article's address must be on the site that embeds it."
    ]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"slug": "not a slug!"}, "slug"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"language": "de"}, "language"),
        ({"publisher": "me"}, "publisher"),
    ],
)
def test_bad_article_data_is_refused_with_the_field_named(client, db, change, field):
    response = post_json(client, CREATE, {**NEW, **change}, headers={"Origin": SITE})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Article.objects.exists()


def test_article_creation_is_rate_limited(client, db, settings):
    settings.AGORA_RATELIMITS = {**settings.AGORA_RATELIMITS, "embed-article": [(2, 3600)]}
    for n in range(2):
        payload = {**NEW, "slug": f"story-{n}"}
        assert post_json(client, CREATE, payload, headers={"Origin": SITE}).status_code == 201
    response = post_json(client, CREATE, {**NEW, "slug": "story-3"}, headers={"Origin": SITE})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Article.objects.count() == 2


# --- The demo publisher (agora embeddemo) --------------------------------------------


@pytest.fixture
def demo_host():
    server = demo.make_server("http://agora.test:8000/", port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_the_demo_host_serves_pages_with_the_snippet(demo_host):
    for path in demo.PAGES:
        status, html = fetch(demo_host.host_url + path)
        assert status == 200
        assert '<script src="http://agora.test:8000/embed.js" async></script>' in html
        assert 'id="agora-comments"' in html
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(demo_host.host_url + "/../settings.py")
    assert missing.value.code == 404


def test_the_demo_host_embeds_demo_articles_and_one_new_story(demo_host):
    known = {article.slug for article in demo_content.ARTICLES}
    embedded = set()
    for page in set(demo.PAGES.values()):
        _, html = fetch(f"{demo_host.host_url}/{page}")
        slug = re.search(r'data-article="([^"]+)"', html).group(1)
        assert f'data-url="{demo_host.host_url}/' in html
        embedded.add(slug)
    assert embedded - known == {"courier-tirsan-orchard-cooperative"}
    assert len(embedded & known) == 2
