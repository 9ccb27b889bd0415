"""`agora export` writes the whole site; `agora import agora` brings it back unchanged."""

import json

import pytest
from django.core.management import CommandError, call_command

from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Comment, Decision, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(article, moderator):
    """A thread in every state, with the engine's verdicts and moderators' decisions."""
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
    comment(other, "Finally, a tram!")
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

    Article.objects.all().delete()
    assert not Decision.objects.exists()
    call_command("import", "agora", str(tmp_path / "before.jsonl"), "--no-progress")

    after = export(tmp_path, "after.jsonl")
    assert comparable(after) == comparable(before)
    reply = Comment.objects.get(body__startswith="Agreed")
    assert reply.parent.body.startswith("The dam") and reply.status == Status.REJECTED
    assert reply.decisions.get().automatic


def test_importing_the_export_again_adds_nothing(site, tmp_path, capsys):
    path = tmp_path / "site.jsonl"
    call_command("export", "--output", str(path))
    Article.objects.all().delete()
    call_command("import", "agora", str(path), "--no-progress")
    call_command("import", "agora", str(path), "--no-progress")

    assert "Already imported before: 4" in capsys.readouterr().out
    assert Comment.objects.count() == 4 and Decision.objects.count() == 4


def test_emails_can_be_left_out(site, tmp_path):
    records = export(tmp_path, "site.jsonl", "--no-emails")

    assert records[0] == {"type": "agora-export", "version": 1, "emails": False}
    assert {r["author_email"] for r in records if r["type"] == "comment"} == {""}
    assert "Ana@Example.org" not in (tmp_path / "site.jsonl").read_text()


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
