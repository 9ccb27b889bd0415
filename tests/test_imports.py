"""Importing other comment systems' exports: every sample in ../shared/import-samples."""

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agora.articles.models import Article
from agora.comments import actions as comment_actions
from agora.comments.models import Comment, Decision, Status
from agora.imports import state
from agora.imports.actions import ImportOptions, run_import
from agora.imports.models import ImportedComment
from agora.imports.parsers import PARSERS
from agora.imports.records import ImportFileError, Post
from agora.imports.spool import Spool
from agora.privacy import records

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "import-samples"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs ../shared/import-samples"),
]

MALFORMED = [
    ("disqus", "disqus/remark42-disqus.xml"),
    ("disqus", "disqus/remark42-disqus-deleted-post.xml"),
    ("disqus", "disqus/remark42-disqus-deleted-thread.xml"),
    ("wordpress", "wordpress/wp-importer-malformed.xml"),
    ("wordpress", "wordpress/wp-importer-crazy-cdata.xml"),
]


def run(source, path, **options):
    return run_import(path, ImportOptions(source=source, language="en", **options))


def imported(source, original_id) -> Comment:
    return ImportedComment.objects.get(source=source, original_id=original_id).comment


def by_status():
    return {status: Comment.objects.filter(status=status).count() for status in Status.values}


def test_disqus_threads_comments_replies_and_skips():
    summary = run("disqus", SAMPLES / "disqus/isso-tests-disqus.xml")

    assert set(Article.objects.values_list("url", flat=True)) == {
        "http://example.org/",
        "http://localhost:4000/blog/2013/02/12/redacted/index.html",
    }
    hello = Article.objects.get(url="http://example.org/")
    assert hello.title == "Hello, World!"
    assert hello.published_at == datetime(2012, 12, 12, 12, 12, 12, tzinfo=UTC)
    # A thread without a title is named by its address.
    assert Article.objects.get(url__contains="redacted").title.startswith("http://localhost")
    assert by_status() == {"approved": 4, "pending": 0, "rejected": 0}
    assert summary.skipped == {"deleted": 1, "unknown thread": 1}

    reply = imported("disqus", "5")
    assert reply.parent == imported("disqus", "4")
    assert reply.body == "Hello, World."
    assert reply.author_name == "user" and reply.author_email == "foo@bar.com"
    # Found by a privacy request like any comment.
    assert records.comments_by("FOO@bar.com").count() == 3
    assert reply.created_at == datetime(2013, 10, 11, 6, 51, 33, tzinfo=UTC)
    # Its parent was deleted at the source: it stands alone, the parent id still known.
    orphan = ImportedComment.objects.get(source="disqus", original_id="11")
    assert orphan.comment.parent is None and orphan.original_parent_id == "9"


SPAM_THREAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="t1"><link>https://news.example/dam</link><title>Dam</title></thread>
  <post dsq:id="p1"><message>Buy &lt;b&gt;cheap&lt;/b&gt; watches</message>
    <createdAt>2020-01-01T10:00:00Z</createdAt><isDeleted>false</isDeleted>
    <isSpam>true</isSpam><author><name>Seller</name></author><thread dsq:id="t1"/></post>
  <post dsq:id="p2"><message>Reported.</message><createdAt>2020-01-01T11:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ana</name></author>
    <thread dsq:id="t1"/><parent dsq:id="p1"/></post>
</disqus>"""


def test_spam_stored_as_rejected_only_when_asked(tmp_path):
    path = tmp_path / "spam.xml"
    path.write_text(SPAM_THREAD)

    assert run("disqus", path, dry_run=True).skipped == {"spam": 1}
    run("disqus", path, keep_removed=True)

    spam = imported("disqus", "p1")
    assert spam.status == Status.REJECTED and spam.body == "Buy cheap watches"
    assert spam.decisions.get().reason == "promotion"
    # The spam is stored now, so the reply hangs from it.
    assert imported("disqus", "p2").parent == spam


def disqus_posts(*posts: tuple[str, str, str]) -> str:
    """A Disqus export of one thread ("t1") and ``posts``: (id, thread, parent id or "")."""
    return (
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="t1"><link>https://news.example/dam</link></thread>'
        + "".join(
            f'<post dsq:id="{post_id}"><message>Post {post_id}.</message>'
            "<createdAt>2020-01-01T10:00:00Z</createdAt><author><name>Ana</name></author>"
            f'<thread dsq:id="{thread}"/><parent dsq:id="{parent}"/></post>'
            for post_id, thread, parent in posts
        )
        + "</disqus>"
    )


def test_repeats_loops_and_replies_before_their_parents(tmp_path):
    path = tmp_path / "threads.xml"
    path.write_text(
        disqus_posts(
            ("1", "t1", ""),
            ("1", "nowhere", ""),  # a repeat first, whatever else is wrong with it
            ("1", "t1", ""),
            ("2", "nowhere", ""),
            ("3", "t1", "4"),  # 3 and 4 answer each other: neither has a top
            ("4", "t1", "3"),
            ("5", "t1", "5"),  # its own parent
            ("6", "t1", "7"),  # a reply before its parent...
            ("7", "t1", ""),
            ("8", "t1", "6"),  # ...and one deeper, which hangs from the top, 7
            ("9", "t1", "deleted"),
        )
    )
    summary = run("disqus", path)

    assert summary.skipped == {"repeated id": 2, "unknown thread": 1}
    parents = {
        origin.original_id: (
            origin.comment.parent and imported("disqus", "7") == origin.comment.parent,
            origin.original_parent_id,
        )
        for origin in ImportedComment.objects.select_related("comment__parent")
    }
    assert parents == {
        "1": (None, ""),
        "3": (None, "4"),
        "4": (None, "3"),
        "5": (None, "5"),
        "6": (True, "7"),
        "7": (None, ""),
        "8": (True, "6"),
        "9": (None, "deleted"),
    }


@pytest.mark.parametrize(("source", "name"), MALFORMED)
def test_malformed_files_give_a_clear_error_and_import_nothing(source, name):
    with pytest.raises(CommandError, match="Nothing was imported: .* is not well-formed XML"):
        call_command("import", source, str(SAMPLES / name), "--no-progress")
    assert not Comment.objects.exists() and not Article.objects.exists()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
        '<!DOCTYPE d [<!ENTITY b SYSTEM "file:///etc/hostname">]>',
        '<!DOCTYPE d SYSTEM "http://127.0.0.1:9/d.dtd">',
    ],
    ids=["expansion", "external entity", "external DTD"],
)
@pytest.mark.parametrize(("source", "depth"), [("disqus", 1), ("wordpress", 2)])
def test_entity_declarations_are_refused(tmp_path, doctype, source, depth):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        f'<?xml version="1.0"?>{doctype}<d xmlns="http://disqus.com">'
        f"{'<e>' * (depth - 1)}<post>&b;</post>{'</e>' * (depth - 1)}</d>"
    )
    with pytest.raises(ImportFileError, match="DTD"):
        run(source, bomb)
    assert not Comment.objects.exists()


def test_wordpress_theme_unit_test_data():
    summary = run("wordpress", SAMPLES / "wordpress/wp-importer-theme-unit-test-data.xml")

    # 33 comments in the file: 4 are notices from other sites, not comments.
    assert summary.skipped == {"pingback": 2, "trackback": 2}
    assert by_status() == {"approved": 26, "pending": 3, "rejected": 0}
    assert Article.objects.count() == summary.threads == 7
    # "Comment Depth 01" to "10" nest ten deep at the source; all hang from the first.
    top = imported("wordpress", "wpthemetestdata.wordpress.com#904")
    assert top.body == "Comment Depth 01"
    depth_ten = ImportedComment.objects.get(comment__body__startswith="Comment Depth 10")
    assert depth_ten.comment.parent == top
    assert depth_ten.original_parent_id == "wpthemetestdata.wordpress.com#914"
    assert Comment.objects.filter(parent=top).count() == 9
    assert not Comment.objects.filter(parent__parent__isnull=False).exists()


def test_wordpress_threading_text_and_dates():
    summary = run("wordpress", SAMPLES / "wordpress/isso-tests-wordpress.xml")

    assert by_status()["approved"] == 7
    assert summary.skipped == {"repeated id": 1}
    first = imported("wordpress", "example.tld#2")
    assert first.author_email == "test@example.org"
    assert first.body == "Erster!1"
    assert imported("wordpress", "example.tld#8").parent == imported("wordpress", "example.tld#6")
    multiline = imported("wordpress", "example.tld#10")
    assert (
        multiline.body
        == "When you have a comment with multiple lines:\nWordPress exports it like this."
    )
    # The GMT date, not the site's local one.
    assert multiline.created_at == datetime(2022, 6, 6, 2, 13, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    [
        "wp-importer-valid-wxr-1.0.xml",
        "wp-importer-valid-wxr-1.1.xml",
        "wp-importer-small-export.xml",
    ],
)
def test_wordpress_small_valid_exports(name):
    summary = run("wordpress", SAMPLES / "wordpress" / name)

    comment = Comment.objects.get()
    assert summary.imported == {"approved": 1}
    assert comment.article.url.startswith("http")
    assert comment.body and comment.created_at.year > 2000


def test_isso_generic_json():
    run("isso", SAMPLES / "isso/isso-generic-import.json", base_url="https://blog.example")

    titles = dict(Article.objects.values_list("url", "title"))
    assert titles == {
        "https://blog.example/posts/0001/": "Test post",
        "https://blog.example/posts/0007/": "Nat & Miguel",
    }
    poker = imported("isso", "/posts/0001/#0")
    assert poker.author_name == "texas holdem" and poker.author_email == ""
    assert poker.created_at == datetime(2005, 2, 24, 4, 3, 37, tzinfo=UTC)


def isso_database(path: Path) -> Path:
    database = sqlite3.connect(path)
    database.executescript(
        """
        CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR UNIQUE, title VARCHAR);
        CREATE TABLE comments (
            tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
            created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
            text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
            likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
            notification INTEGER DEFAULT 0);
        INSERT INTO threads VALUES (1, '/news/flood/', 'Flood warning');
        INSERT INTO comments (tid, id, parent, created, mode, text, author, email, voters) VALUES
            (1, 1, NULL, 1600000000.5, 1, 'Stay safe, everyone.', 'Ana', 'ana@example.org', x''),
            (1, 2, 1, 1600000100, 2, 'Is the bridge closed?', NULL, NULL, x''),
            (1, 3, 2, 1600000200, 1, 'Yes, since noon.', 'Ben', '', x''),
            (1, 4, NULL, 1600000300, 4, 'gone', 'Cy', '', x'');
        """
    )
    database.commit()
    database.close()
    return path


def test_isso_database(tmp_path):
    database = isso_database(tmp_path / "comments.db")
    summary = run("isso", database, base_url="https://news.example")

    assert summary.skipped == {"deleted": 1}
    article = Article.objects.get()
    assert (article.url, article.title) == ("https://news.example/news/flood/", "Flood warning")
    first, pending, answer = (imported("isso", str(n)) for n in (1, 2, 3))
    assert first.created_at == datetime.fromtimestamp(1600000000.5, UTC)
    assert pending.status == Status.PENDING and pending.author_name == "Anonymous"
    assert pending.parent == first and answer.parent == first
    assert ImportedComment.objects.get(comment=answer).original_parent_id == "2"


@pytest.mark.parametrize(
    ("source", "content", "error"),
    [
        ("isso", "not comments", "neither an Isso database"),
        ("commento", '{"pages": []}', "not a Commento export"),
    ],
)
def test_other_files_are_refused(tmp_path, source, content, error):
    other = tmp_path / "export.json"
    other.write_text(content)
    with pytest.raises(ImportFileError, match=error):
        run(source, other)
    assert not Comment.objects.exists()


def test_commento():
    run("commento", SAMPLES / "commento/remark42-commento.json")

    assert Article.objects.count() == 2
    reply = Comment.objects.get(body="Great reply!")
    assert reply.author_name == "Saturnin Uf" and reply.author_email == "moregreatmail@gmail.com"
    assert reply.parent.body == "Example 2 comment created by user."
    assert reply.article.url == "https://example.com/blog/post/1"
    anonymous = Comment.objects.get(body="Example comment created by user.")
    assert (anonymous.author_name, anonymous.author_email) == ("Anonymous", "")
    assert anonymous.created_at == datetime(2021, 3, 12, 11, 21, 56, tzinfo=UTC)


def test_audit_trail_records_each_import_and_nothing_is_scored():
    run("disqus", SAMPLES / "disqus/isso-tests-disqus.xml")

    reply = imported("disqus", "5")
    decision = reply.decisions.get()
    assert decision.note == "import: disqus 5"
    assert (decision.from_status, decision.to_status) == (Status.PENDING, Status.APPROVED)
    assert not decision.automatic and decision.moderator is None
    assert Decision.objects.count() == Comment.objects.count()
    assert reply.verdict is None and reply.model_version == ""


def test_running_again_adds_nothing():
    path = SAMPLES / "wordpress/wp-importer-theme-unit-test-data.xml"
    first = run("wordpress", path)
    again = run("wordpress", path)

    assert again.imported == {}
    assert again.already_imported == sum(first.imported.values()) == Comment.objects.count()
    assert again.articles_created == 0 and Article.objects.count() == 7


def test_a_failed_import_resumes_without_duplicates(monkeypatch):
    path = SAMPLES / "wordpress/wp-importer-theme-unit-test-data.xml"
    monkeypatch.setattr(state, "BATCH_SIZE", 4)
    real_import = comment_actions.import_comments
    calls = []

    def failing_on_the_third_batch(imported_comments):
        calls.append(imported_comments)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_import(imported_comments)

    monkeypatch.setattr(comment_actions, "import_comments", failing_on_the_third_batch)
    with pytest.raises(RuntimeError):
        run("wordpress", path)
    # Two whole batches stored; the third rolled back, origin records with it.
    assert Comment.objects.count() == ImportedComment.objects.count() == 8
    assert Decision.objects.count() == 8

    monkeypatch.setattr(comment_actions, "import_comments", real_import)
    resumed = run("wordpress", path)
    assert resumed.already_imported == 8
    assert by_status() == {"approved": 26, "pending": 3, "rejected": 0}
    assert not Comment.objects.filter(parent__parent__isnull=False).exists()


def test_dry_run_stores_nothing_and_says_what_it_would_do(capsys):
    call_command("import", "disqus", str(SAMPLES / "disqus/isso-tests-disqus.xml"), "--dry-run")

    out = capsys.readouterr().out
    assert not Comment.objects.exists() and not Article.objects.exists()
    assert "Would import comments in 2 threads (0 matching existing articles, 2 new)" in out
    assert "approved: 4" in out and "deleted: 1" in out and "unknown thread: 1" in out


def test_progress_bar_counts_the_comments_to_store(capsys):
    run("disqus", SAMPLES / "disqus/isso-tests-disqus.xml", progress=True)

    bar = capsys.readouterr().err
    assert "Importing" in bar and "4/4" in bar


def test_the_spool_keeps_posts_once_each_and_gives_them_back_in_order():
    post = next(
        record
        for record in PARSERS["disqus"](SAMPLES / "disqus/isso-tests-disqus.xml", {})
        if isinstance(record, Post)
    )
    reply = replace(post, original_id="r1", parent_id=post.original_id)
    with Spool() as spool:
        assert spool.add(post) and spool.add(reply)
        assert not spool.add(replace(post, body="another text, same id"))
        assert len(spool) == 2
        assert spool.parent("r1") == post.original_id and spool.parent(post.original_id) == ""
        assert "r1" in spool and "unknown" not in spool and spool.parent("unknown") is None
        assert list(spool) == list(spool) == [post, reply]
        assert list(spool.ids()) == [post.original_id, "r1"]
