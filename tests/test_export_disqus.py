"""`agora export --format disqus`: a Disqus XML export that Disqus importers read, Agora's own
first among them."""

from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command

from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Comment, Reason, Status
from agora.imports.actions import ImportOptions, run_import

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "import-samples"
NS = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
DSQ_ID = "{http://disqus.com/disqus-internals}id"
SITE = "https://agora.example"

pytestmark = pytest.mark.django_db
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs ../shared/import-samples")


@pytest.fixture
def site(article, moderator):
    """Comments in every state, on an article with an address and one without."""
    tram = Article.objects.create(
        slug="tram-line",
        title="Tram line opens <at last> & on time",
        url="https://news.example/tram",
        published_at=datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        comments_open=False,
    )

    def comment(on, body, when, **fields):
        stored = Comment.objects.create(
            article=on, author_name="Ana Ávila", author_email="ana@example.org", body=body, **fields
        )
        Comment.objects.filter(pk=stored.pk).update(created_at=when)
        return stored

    first = comment(
        article,
        'Fix the dam first.\nThen the "bridge" & <the> roads.\n\nSee https://example.org/dam',
        datetime(2024, 5, 2, 9, 15, 30, 123456, tzinfo=UTC),
    )
    actions.approve(first, moderator)
    reply = comment(
        article,
        "Agreed ]]> and more — شكرا",
        datetime(2024, 5, 2, 10, 0, tzinfo=UTC),
        parent=first,
    )
    actions.approve(reply, moderator)
    spam = comment(tram, "Cheap watches at example.biz", datetime(2024, 5, 3, tzinfo=UTC))
    actions.reject(spam, moderator, Reason.PROMOTION)
    threat = comment(tram, "You will regret this.", datetime(2024, 5, 4, tzinfo=UTC))
    actions.reject(threat, moderator, Reason.THREAT)
    comment(tram, "Still waiting for a moderator.", datetime(2024, 5, 5, tzinfo=UTC))
    return article


def export(tmp_path, *options) -> Path:
    path = tmp_path / "disqus.xml"
    call_command("export", "--format", "disqus", "--output", str(path), *options)
    return path


def state(rejected_reasons: dict) -> set[tuple]:
    """Each comment as a Disqus export keeps it: where, by whom, what, when, replying to
    what, and whether it was published or removed (and as spam or not)."""
    return {
        (
            comment.article.url,
            comment.author_name,
            comment.author_email,
            comment.body,
            comment.created_at.replace(microsecond=0),
            comment.parent.body if comment.parent else None,
            comment.status,
            rejected_reasons[comment.pk] if comment.status == Status.REJECTED else "",
        )
        for comment in Comment.objects.select_related("article", "parent")
    }


def latest_reasons() -> dict:
    latest = {c.pk: c.decisions.order_by("id").last() for c in Comment.objects.all()}
    return {pk: decision.reason if decision else "" for pk, decision in latest.items()}


def test_the_disqus_importer_reads_the_export_back(site, tmp_path):
    path = export(tmp_path, "--site-url", SITE)
    # Disqus marks removed comments as spam or deleted: a rejection for another reason
    # than promotion comes back as "other"; pending comments are not exported.
    reasons = {
        pk: reason if reason == Reason.PROMOTION else Reason.OTHER
        for pk, reason in latest_reasons().items()
    }
    page = SITE + site.get_absolute_url()
    expected = {(url or page, *rest) for url, *rest in state(reasons) if rest[5] != Status.PENDING}
    articles = {
        (a.url or page, a.title, a.published_at.replace(microsecond=0))
        for a in Article.objects.all()
    }
    Article.objects.all().delete()

    summary = run_import(path, ImportOptions(source="disqus", language="en", keep_removed=True))

    assert state(latest_reasons()) == expected
    assert summary.imported == {Status.APPROVED: 2, Status.REJECTED: 2}
    assert summary.skipped == {}
    assert set(Article.objects.values_list("url", "title", "published_at")) == articles


def test_other_importers_see_only_published_comments(site, tmp_path):
    summary = run_import(export(tmp_path, "--site-url", SITE), ImportOptions("disqus", "en"))

    assert summary.imported == {Status.APPROVED: 2}
    assert summary.skipped == {"spam": 1, "deleted": 1}


@needs_samples
def test_written_as_disqus_writes_its_exports(site, tmp_path):
    exported = ElementTree.parse(export(tmp_path, "--site-url", SITE, "--forum", "dailynews"))
    # A real export (the only well-formed one among the samples).
    sample = ElementTree.parse(SAMPLES / "disqus/isso-tests-disqus.xml").getroot()

    def shape(root, tag):
        return {child.tag for element in root.findall(f"d:{tag}", NS) for child in element}

    assert exported.getroot().tag == sample.tag
    for tag in ("category", "thread", "post"):
        assert shape(exported.getroot(), tag) <= shape(sample, tag), tag
    threads = exported.getroot().findall("d:thread", NS)
    assert {t.findtext("d:forum", namespaces=NS) for t in threads} == {"dailynews"}
    tram = next(t for t in threads if t.findtext("d:id", namespaces=NS) == "tram-line")
    assert tram.findtext("d:title", namespaces=NS) == "Tram line opens <at last> & on time"
    assert tram.findtext("d:createdAt", namespaces=NS) == "2024-05-01T08:30:00Z"
    assert tram.findtext("d:isClosed", namespaces=NS) == "true"
    posts = exported.getroot().findall("d:post", NS)
    reply = next(p for p in posts if p.find("d:parent", NS) is not None)
    parent_id = reply.find("d:parent", NS).get(DSQ_ID)
    assert Comment.objects.get(pk=parent_id).body.startswith("Fix the dam first.")
    first = next(p for p in posts if p.get(DSQ_ID) == parent_id)
    assert first.findtext("d:message", namespaces=NS) == (
        "<p>Fix the dam first.<br>Then the &quot;bridge&quot; &amp; &lt;the&gt; roads.</p>"
        "<p>See https://example.org/dam</p>"
    )
    assert first.findtext("d:createdAt", namespaces=NS) == "2024-05-02T09:15:30Z"


def test_emails_can_be_left_out(site, tmp_path):
    path = export(tmp_path, "--site-url", SITE, "--no-emails")

    assert "ana@example.org" not in path.read_text(encoding="utf-8")
    Article.objects.all().delete()
    run_import(path, ImportOptions("disqus", "en"))
    assert set(Comment.objects.values_list("author_email", flat=True)) == {""}


def test_an_article_without_an_address_needs_the_site_address(site, tmp_path):
    with pytest.raises(CommandError, match="1 article\\(s\\) have no address"):
        export(tmp_path)
    assert not (tmp_path / "disqus.xml").exists()
