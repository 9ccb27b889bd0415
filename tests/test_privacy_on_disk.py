"""After an erasure, nothing of the erased comments is left in the database files or
the cache: not in SQLite's write-ahead log, not in freed pages, not in a cached
rendered thread. The scenario runs on a SQLite file of its own (tests/own_database.py).
"""

import base64

import pytest
from own_database import database_files, print_result, run, set_up

EMAIL = "zelinda.erased@example.org"
NAME = "Zelinda Quarrington"
TEXT = "Marmalade kumquat hovercraft"
KEPT = "Ordinary reader keeps this"


def traces(needles: list[str]) -> dict:
    """Where each needle is still found: the database files' bytes, and the cache
    table's entries unpacked (they are stored base64-encoded)."""
    from django.db import connection

    found = {}
    for path in database_files():
        content = path.read_bytes()
        found[path.name] = [needle for needle in needles if needle.encode() in content]
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM agora_cache")
        entries = [base64.b64decode(value) for (value,) in cursor.fetchall()]
    found["cache"] = [needle for needle in needles if any(needle.encode() in e for e in entries)]
    return found


def scenario(var_dir) -> dict:
    set_up()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from agora.articles.models import Article
    from agora.comments import actions
    from agora.comments.models import Comment

    article = Article.objects.create(slug="river-dam-vote", title="Council votes on the dam")
    moderator = User.objects.create_user("mod", is_staff=True)
    client = Client()
    # Told apart by a word: the duplicate check ignores digits.
    senders = [(NAME, EMAIL, f"{TEXT} {word}") for word in ("one", "two", "three")]
    for name, email, body in [*senders, ("Sam", "sam@example.org", KEPT)]:
        payload = {"author_name": name, "author_email": email, "body": body}
        url = f"/api/v1/articles/{article.slug}/comments"
        assert client.post(url, payload, content_type="application/json").status_code == 202
    for comment in Comment.objects.all():
        actions.approve(comment, moderator)
    # Readers have seen the thread: the page and the API cached it.
    assert NAME in client.get(f"/articles/{article.slug}/").content.decode()
    assert TEXT in client.get(f"/api/v1/articles/{article.slug}/comments").content.decode()
    needles = [EMAIL, NAME, TEXT]
    before = traces(needles + [KEPT])
    call_command("privacy_delete", EMAIL, "--yes", verbosity=0)
    after = traces(needles + [KEPT])
    page = client.get(f"/articles/{article.slug}/").content.decode()
    return {"before": before, "after": after, "page_keeps_others": KEPT in page}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return run(__file__, tmp_path_factory.mktemp("erasure"))


def test_the_data_was_on_disk_and_in_the_cache_before(outcome):
    # Otherwise the test below would prove nothing.
    before = outcome["before"]
    assert EMAIL in before["agora.sqlite3-wal"] and NAME in before["agora.sqlite3-wal"]
    assert NAME in before["cache"] and TEXT in before["cache"]


def test_erasure_leaves_nothing_in_the_database_files_or_the_cache(outcome):
    after = outcome["after"]
    for place, found in after.items():
        assert [needle for needle in found if needle != KEPT] == [], place
    assert outcome["page_keeps_others"]


if __name__ == "__main__":
    print_result(scenario)
