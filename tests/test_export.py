"""`agora export` writes the whole site; `agora import agora` brings it back unchanged:
articles, comments, decisions, readers' reports and measures on commenters."""

import json

import pytest
from django.core.management import CommandError, call_command

from agora.articles.models import Article
from agora.commenters import actions as commenter_actions
from agora.commenters.models import CommenterAction, standing
from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.reports import actions as report_actions
from agora.reports.models import Report, Resolution

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(article, moderator):
    """A thread in every state, with the engine's verdicts and moderators' decisions,
    readers' reports (open and settled) and measures on commenters (taken, lifted,
    automatic)."""
    other = Article.objects.create(
        slug="tram-line", title="Tram line opens", url="https://news.example/tram", language="de"
    )

    def comment(on, body, **fields):
        return Comment.objects.create(
            article=on,
            author_name="Ana Ávila",
            author_email="Ana@Example.org",
            body=body,
            lang="en",
            decision="review",
            risk=0.42,
            verdict={"scores": {"threat": 0.42}},
            model_version="m-7",
            flags=",threat,",
            **fields,
        )

    published = comment(article, "The dam should have been fixed years ago.")
    actions.approve(published, moderator, note="fine")
    refused = comment(article, "You will regret this vote.")
    actions.reject(refused, moderator, "threat", note="menacing")
    actions.approve(refused, moderator, note="on appeal")
    reply = comment(article, "Agreed, and the bridge too.", parent=published)
    actions.reject(reply, None, "off_topic")
    tram = comment(other, "Finally, a tram!", status=Status.APPROVED)
    for email, reason in (("ava@example.org", "threat"), ("Bo@Example.org", "other")):
        report_actions.file_report(
            tram.pk, report_actions.NewReport(reason=reason, email=email, explanation="Why.")
        )
    report_actions.file_report(
        published.pk,
        report_actions.NewReport(reason="illegal", email="cy@example.org", law="Art. 5"),
    )
    report_actions.dismiss(published, moderator)
    commenter_actions.take("Ana@Example.org", "suspend", moderator, "Threats.", days=7)
    commenter_actions.take("troll@example.org", "ban", moderator, "Spam.")
    commenter_actions.lift("troll@example.org", "ban", moderator, "Appeal accepted.")
    CommenterAction.objects.create(
        email_key="often@example.org",
        measure="suspend",
        reason="Repeat offender.",
        automatic=True,
        rejections=3,
        window_days=30,
    )
    return article


def export(tmp_path, name, *options) -> list[dict]:
    path = tmp_path / name
    call_command("export", "--output", str(path), *options)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def comparable(records: list[dict]) -> list[dict]:
    """The records with comment ids replaced by their order in the file."""
    order = {r["id"]: n for n, r in enumerate(r for r in records if r["type"] == "comment")}
    return [
        {**r, "id": order[r["id"]], "parent_id": order.get(r["parent_id"])}
        if r["type"] == "comment"
        else r
        for r in records
    ]


def test_round_trip_restores_the_same_state(site, tmp_path):
    before = export(tmp_path, "before.jsonl")
    assert [r["type"] for r in before].count("comment") == 4
    assert sum(len(r["decisions"]) for r in before if r["type"] == "comment") == 4
    assert sum(len(r["reports"]) for r in before if r["type"] == "comment") == 3
    assert [r["type"] for r in before].count("measure") == 4

    Article.objects.all().delete()
    CommenterAction.objects.all().delete()
    assert not Decision.objects.exists() and not Report.objects.exists()
    call_command("import", "agora", str(tmp_path / "before.jsonl"), "--no-progress")

    after = export(tmp_path, "after.jsonl")
    assert comparable(after) == comparable(before)
    reply = Comment.objects.get(body__startswith="Agreed")
    assert reply.parent.body.startswith("The dam") and reply.status == Status.REJECTED
    assert reply.decisions.get().automatic
    # What the reports and measures do carries over: the open reports fill the Reported
    # queue, the suspension refuses the commenter, the lifted ban does not.
    tram = Comment.objects.get(body="Finally, a tram!")
    assert tram.reports.filter(resolution=Resolution.OPEN).count() == 2
    settled = Report.objects.get(law="Art. 5")
    assert (
        settled.resolution == Resolution.DISMISSED and settled.resolved_by.username == "moderator"
    )
    assert standing("ana@example.org").suspended.moderator.username == "moderator"
    assert not standing("troll@example.org").active


def test_importing_the_export_again_adds_nothing(site, tmp_path, capsys):
    path = tmp_path / "site.jsonl"
    call_command("export", "--output", str(path))
    Article.objects.all().delete()
    call_command("import", "agora", str(path), "--no-progress")
    call_command("import", "agora", str(path), "--no-progress")

    assert "Already imported before: 4" in capsys.readouterr().out
    assert Comment.objects.count() == 4 and Decision.objects.count() == 4
    assert Report.objects.count() == 3 and CommenterAction.objects.count() == 4


def test_emails_can_be_left_out(site, tmp_path):
    records = export(tmp_path, "site.jsonl", "--no-emails")

    assert records[0] == {"type": "agora-export", "version": 2, "emails": False}
    assert {r["author_email"] for r in records if r["type"] == "comment"} == {""}
    # Reports and measures exist only under an address: they are left out with it.
    assert not any("reports" in r for r in records)
    assert {r["type"] for r in records} == {"agora-export", "article", "comment"}
    text = (tmp_path / "site.jsonl").read_text()
    assert "Ana@Example.org" not in text and "ava@example.org" not in text


def test_an_export_of_version_1_is_still_read(site, tmp_path):
    records = export(tmp_path, "site.jsonl")
    older = [{**records[0], "version": 1}]
    for record in records[1:]:
        if record["type"] != "measure":
            older.append({k: v for k, v in record.items() if k != "reports"})
    path = tmp_path / "older.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in older), encoding="utf-8")
    Article.objects.all().delete()
    CommenterAction.objects.all().delete()

    call_command("import", "agora", str(path), "--no-progress")

    assert Comment.objects.count() == 4 and Decision.objects.count() == 4
    assert not Report.objects.exists() and not CommenterAction.objects.exists()


def test_a_broken_export_imports_nothing(site, tmp_path):
    lines = tmp_path / "site.jsonl"
    call_command("export", "--output", str(lines))
    text = lines.read_text(encoding="utf-8").splitlines()
    text[-1] = text[-1][:20]  # cut short, as by a full disk
    lines.write_text("\n".join(text), encoding="utf-8")
    Article.objects.all().delete()

    with pytest.raises(CommandError, match=f"Nothing was imported: .*line {len(text)}"):
        call_command("import", "agora", str(lines), "--no-progress")
    assert not Article.objects.exists() and not Comment.objects.exists()


def test_a_file_of_another_kind_is_refused(tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text('{"type": "comment"}\n')
    with pytest.raises(CommandError, match="not an Agora export"):
        call_command("import", "agora", str(other), "--no-progress")
