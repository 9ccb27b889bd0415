"""The interface in six languages: catalogues, language choice, right to left, dates."""

import ast
import gettext
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import get_language_info
from roles import user_in

from agora.articles.models import Article
from agora.comments.forms import CommentForm
from agora.comments.models import Comment, Status
from agora.desks.roles import CHIEF
from agora.embed import strings
from agora.languages import django_strings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = ("ckb", "kmr", "ar", "tr", "fa")
RIGHT_TO_LEFT = {"ckb", "ar", "fa"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]")
MARCH_5 = datetime(2024, 3, 5, 14, 7, tzinfo=UTC)
# Interface phrases of the article page that must not survive translation.
ENGLISH_PHRASES = (
    "Community guidelines",
    "We never edit comments",
    "Add your comment",
    "All fields are required",
    "Required, never shown",
    "Send for moderation",
    "Order of comments",
    "Oldest first",
    ">Reply<",
    "Make the article text larger",
    "Skip to content",
)


# --- The catalogues -------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags, files."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry or {"msgstr": {}, "flags": "", "files": []}
        if line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#:"):
            entry["files"] += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
        else:
            name, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", name)
            key = int(match.group(1)) if match else name
            if key == "msgstr":
                key = 0
            if isinstance(key, int):
                entry["msgstr"][key] = ast.literal_eval(rest)
            else:
                entry[key] = ast.literal_eval(rest)
    return [e for e in entries if e["msgid"]]


def catalogue(lang: str) -> list[dict]:
    return parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")


def is_djangos_own(entry: dict) -> bool:
    """A message Django's own catalogues translate (Kurmanji aside, which Django lacks)."""
    return "agora/languages/django_strings.py" in entry["files"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_agora_message_is_translated(lang):
    entries = catalogue(lang)
    assert len(entries) > 200
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        if lang != "kmr" and is_djangos_own(entry):
            continue
        assert all(entry["msgstr"].values()), f"{lang}: {entry['msgid']!r} is not translated"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_placeholders_and_markup(lang):
    for entry in catalogue(lang):
        if not any(entry["msgstr"].values()):
            continue
        singular = set(PLACEHOLDER.findall(entry["msgid"]))
        if "msgid_plural" not in entry:
            assert set(PLACEHOLDER.findall(entry["msgstr"][0])) == singular, entry["msgid"]
        else:
            # A form for one or two may say the number in words ("تعليقان").
            plural = set(PLACEHOLDER.findall(entry["msgid_plural"]))
            for form in entry["msgstr"].values():
                assert set(PLACEHOLDER.findall(form)) <= plural, entry["msgid"]
        for tag in re.findall(r"</?bdi>", entry["msgid"]):
            assert tag in entry["msgstr"][0], entry["msgid"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogues_match_the_po_files(lang):
    """The .mo files are committed so no gettext is needed at install; `make messages`
    rebuilds them, and this fails when someone edits a .po and forgets."""
    path = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)._catalog
    for entry in catalogue(lang):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if not any(entry["msgstr"].values()):
            continue
        if "msgid_plural" in entry:
            for index, form in entry["msgstr"].items():
                assert mo[(msgid, index)] == form
        else:
            assert mo[msgid] == entry["msgstr"][0]


def test_kurmanji_is_a_language_django_knows():
    info = get_language_info("kmr")
    assert info["name_local"] == "Kurdî (Kurmancî)"
    assert info["bidi"] is False
    assert translation.check_for_language("kmr")
    assert formats.get_format("DATE_FORMAT", lang="kmr") == "j F Y"
    assert set(settings.LANGUAGES_BIDI) >= RIGHT_TO_LEFT


@pytest.mark.parametrize("lang", TRANSLATED)
def test_djangos_own_messages_read_in_every_language(lang):
    values = {"limit_value": 2, "show_value": 1, "count": 2, "num": 2, "delta": "X"}
    values |= {"value": "X", "username": "X"}
    messages = [*django_strings.FORMS, *django_strings.DATES, *django_strings.NATURAL_TIME]
    for message in messages:
        with translation.override("en"):
            english = str(message % values)
        with translation.override(lang):
            translated = str(message % values)
        assert translated != english or english == ", ", f"{lang}: {english!r}"


def test_kurmanji_form_errors_come_from_agoras_catalogue(db):
    article = Article(slug="x", title="x", language="kmr")
    with translation.override("kmr"):
        form = CommentForm(
            data={"author_name": "", "author_email": "nope", "body": "x"}, article=article
        )
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    assert errors["author_name"] == ["Ev qad pêwîst e."]
    assert errors["author_email"] == ["Navnîşaneke e-nameyê ya derbasdar binivîsin."]
    assert errors["body"] == ["Divê herî kêm 2 tîp be (niha 1 tîp e)."]


# --- Pages in each language ---------------------------------------------------------


def story(lang: str, **fields) -> Article:
    article = Article.objects.create(
        slug=f"story-{lang}",
        title=f"Story ({lang})",
        byline="Rojda Bozan",
        body="One paragraph.",
        language=lang,
        published_at=MARCH_5,
        **fields,
    )
    comment = Comment.objects.create(
        article=article,
        author_name="Eve Smith",
        author_email="eve@example.org",
        body="A comment.",
        status=Status.APPROVED,
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=MARCH_5)
    return article


@pytest.mark.parametrize("lang", TRANSLATED)
def test_an_article_page_speaks_the_article_language(client, db, lang):
    article = story(lang)
    # The browser asks for English: the article's language wins.
    page = client.get(article.get_absolute_url(), headers={"Accept-Language": "en"})
    text = page.content.decode()
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in text
    assert page["Content-Language"] == lang
    assert "{#" not in text and "{%" not in text  # no template syntax leaks into the page
    for phrase in ENGLISH_PHRASES:
        assert phrase not in text, f"{lang}: {phrase!r} left in English"
    with translation.override(lang):
        for message in ("Community guidelines", "Send for moderation", "All fields are required."):
            assert html.escape(translation.gettext(message)) in text
        count = translation.ngettext("%(counter)s comment", "%(counter)s comments", 1)
        assert html.escape(count % {"counter": 1}) in text


def test_an_english_article_stays_english_for_an_arabic_browser(client, db):
    article = story("en")
    text = client.get(article.get_absolute_url(), headers={"Accept-Language": "ar"}).content
    assert b'<html lang="en" dir="ltr">' in text
    assert b"Community guidelines" in text


@pytest.mark.parametrize("lang", ["fa", "kmr"])
def test_pages_outside_an_article_follow_the_browser(client, db, lang):
    story("en")
    text = client.get("/", headers={"Accept-Language": lang}).content.decode()
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in text
    assert "Latest articles" not in text


@pytest.mark.parametrize(
    "lang, published, commented",
    [
        ("kmr", "5 Adar 2024", "5 Adar 2024, 14:07"),
        ("ar", "5 مارس، 2024", "5 مارس 2024، 2:07 م"),
        ("tr", "05 Mart 2024", "05 Mart 2024 14:07"),
        ("fa", "5 مارس 2024", "5 مارس 2024، ساعت 14:07"),
    ],
)
def test_dates_are_written_the_local_way(client, db, lang, published, commented):
    text = client.get(story(lang).get_absolute_url()).content.decode()
    assert f">{published}</time>" in text
    assert f">{commented}</time>" in text


def test_a_latin_name_in_an_arabic_thread_is_isolated(client, db):
    text = client.get(story("ar").get_absolute_url()).content.decode()
    assert re.search(r'<bdi class="comment-author"[^>]*>Eve Smith</bdi>', text)
    assert '<div class="comment-body" dir="auto">' in text


@pytest.mark.parametrize("lang", ["kmr", "ar"])
def test_form_errors_on_a_page_are_in_its_language(client, db, lang):
    article = story(lang)
    response = client.post(
        f"/articles/{article.slug}/comments/",
        {"author_name": "", "author_email": "nope", "body": "Fine words."},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    with translation.override(lang):
        for message in ("This field is required.", "Enter a valid email address."):
            assert html.escape(translation.gettext(message)) in text
    assert "This field is required." not in text


def test_the_api_answers_errors_in_the_language_asked_for(client, db):
    article = story("en")
    response = client.post(
        f"/api/v1/articles/{article.slug}/comments",
        json.dumps({"author_name": "", "author_email": "nope", "body": "Fine words."}),
        content_type="application/json",
        headers={"Accept-Language": "kmr"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["author_name"] == ["Ev qad pêwîst e."]


@pytest.mark.parametrize("lang", ["ar", "kmr"])
def test_moderator_pages_follow_the_moderators_browser(client, moderator, lang):
    client.force_login(moderator)
    text = client.get("/moderation/", headers={"Accept-Language": lang}).content.decode()
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in text
    with translation.override(lang):
        assert html.escape(translation.gettext("Moderation queue")) in text
    assert "Moderation queue" not in text and "Keyboard shortcuts" not in text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_settings_page_speaks_the_chief_moderators_language(client, db, lang):
    client.force_login(user_in(CHIEF, "chief"))
    text = client.get("/moderation/settings/", headers={"Accept-Language": lang}).content.decode()
    with translation.override(lang):
        for english in ("Moderation settings", "Reports that withdraw a comment", "New desk"):
            assert html.escape(translation.gettext(english)) in text
    for english in ("Moderation settings", "Reports that withdraw a comment", "Desk name"):
        assert english not in text


# --- The embed's messages ------------------------------------------------------------


@pytest.mark.parametrize("lang", ("en", *TRANSLATED))
def test_the_embed_guidelines_read_exactly_as_on_the_page(lang):
    with translation.override(lang):
        page = render_to_string("comments/_guidelines.html")
        embedded = strings.interface()["guidelines"]
    for text in [embedded["title"], embedded["intro"], *embedded["items"], embedded["outro"]]:
        assert html.escape(text) in page


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_embed_message_is_translated(lang):
    with translation.override("en"):
        english = strings.interface()["strings"]
    with translation.override(lang):
        translated = strings.interface()["strings"]
    for key, message in english.items():
        if key != "field_error":  # "%(label)s: %(error)s" is the same everywhere
            assert translated[key] != message, f"{lang}: {key}"


@pytest.mark.parametrize("lang", ("en", *TRANSLATED))
def test_the_embed_writes_dates_with_the_pages_format(lang):
    with translation.override(lang):
        pattern = strings.dates_spec()["pattern"]
        django_format = formats.get_format("DATETIME_FORMAT")
    assert re.sub(r"\{(\w)\}", r"\1", pattern) == django_format.replace("\\", "")


def test_a_date_format_the_embed_cannot_write_is_refused():
    assert strings.date_pattern(r"j \d\e F") == "{j} de {F}"
    with pytest.raises(ValueError, match="'l'"):
        strings.date_pattern("l, j F Y")
    with pytest.raises(ValueError, match="Braces"):
        strings.date_pattern("{j}")
