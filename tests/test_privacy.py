"""Export and erase everything stored about an email (agora/privacy)."""

import json
import logging
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db.models.signals import pre_delete
from gunicorn.config import Config

from agora import gunicorn_conf
from agora.comments import actions
from agora.comments.models import Comment, Decision
from agora.privacy.logfilter import RedactEmails

PERSON = "Dana.Reader@Example.org"


def write(article, email, body, parent=None, name="Reader"):
    return Comment.objects.create(
        article=article, parent=parent, author_name=name, author_email=email, body=body
    )


@pytest.fixture
def stored(article, moderator):
    """Dana's three comments (one approved, one rejected, one pending), plus others'."""
    approved = write(article, PERSON, "The dam has needed work for years.")
    actions.approve(approved, moderator)
    rejected = write(article, "dana.reader@example.org", "Buy my book on dams!")
    actions.reject(rejected, moderator, "promotion")
    pending = write(article, PERSON, "When does the work start?")
    other = write(article, "sam@example.org", "The council should publish the costs.")
    actions.approve(other, moderator)
    reply = write(article, "sam@example.org", "I agree with Dana.", parent=approved)
    actions.approve(reply, moderator)
    return {
        "approved": approved,
        "rejected": rejected,
        "pending": pending,
        "other": other,
        "reply": reply,
    }


def export(email, capsys):
    call_command("privacy_export", email)
    return json.loads(capsys.readouterr().out)


def test_export_lists_every_comment_with_status_and_decisions(stored, capsys):
    data = export("dana.reader@example.org", capsys)
    by_id = {comment["id"]: comment for comment in data["comments"]}
    assert set(by_id) == {stored[key].id for key in ("approved", "rejected", "pending")}
    rejected = by_id[stored["rejected"].id]
    assert rejected["status"] == "rejected"
    assert rejected["body"] == "Buy my book on dams!"
    assert rejected["article"]["slug"] == "river-dam-vote"
    assert [(d["from_status"], d["to_status"], d["reason"]) for d in rejected["decisions"]] == [
        ("pending", "rejected", "promotion")
    ]
    assert by_id[stored["pending"].id]["decisions"] == []
    assert all(comment["author_email"].lower() == PERSON.lower() for comment in by_id.values())


def test_export_of_an_unknown_email_is_empty_not_an_error(stored, capsys):
    data = export("nobody@example.org", capsys)
    assert data["comments"] == [] and data["accounts"] == []


def test_export_includes_a_staff_account_with_that_email(stored, moderator, capsys):
    data = export("MODERATOR@example.org", capsys)
    assert data["accounts"] == [
        {
            "username": "moderator",
            "is_staff": True,
            "date_joined": moderator.date_joined.isoformat(),
            "last_login": None,
        }
    ]


def test_delete_without_yes_deletes_nothing(stored):
    with pytest.raises(CommandError, match="3 comment"):
        call_command("privacy_delete", PERSON)
    assert Comment.objects.count() == 5


def test_delete_removes_the_comments_and_their_decisions_and_nothing_else(stored, capsys):
    others_decisions = set(
        Decision.objects.filter(comment__author_email="sam@example.org").values_list(
            "id", flat=True
        )
    )
    call_command("privacy_delete", "DANA.reader@example.org", "--yes")
    output = capsys.readouterr().out
    assert "Deleted 3 comment(s) and 2 decision(s); 1 reply(ies)" in output
    assert not Comment.objects.filter(author_email__iexact=PERSON).exists()
    assert set(Decision.objects.values_list("id", flat=True)) == others_decisions
    assert Comment.objects.filter(pk=stored["other"].pk).exists()
    # Sam's reply to Dana stays, as written, at the top level.
    reply = Comment.objects.get(pk=stored["reply"].pk)
    assert reply.parent_id is None
    assert reply.body == "I agree with Dana."
    assert export(PERSON, capsys)["comments"] == []


def test_addresses_match_whatever_the_case_of_their_unicode_letters(article, moderator, capsys):
    # SQLite's LIKE (behind iexact) folds ASCII letters only.
    write(article, "Priv@ÄRGER.example", "Written with capitals.")
    write(article, "priv@a\u0308rger.example", "Written with a combining diaeresis.")
    write(article, "priv@ärger.example", "Written in lower case.")
    write(article, "priv@arger.example", "Someone else entirely.")
    moderator.email = "PRIV@ÄRGER.EXAMPLE"
    moderator.save()
    found = export("priv@ärger.example", capsys)
    assert len(found["comments"]) == 3
    assert [account["username"] for account in found["accounts"]] == ["moderator"]
    call_command("privacy_delete", "priv@ärger.example", "--yes")
    assert "Deleted 3 comment(s)" in capsys.readouterr().out
    assert list(Comment.objects.values_list("author_email", flat=True)) == ["priv@arger.example"]


def test_delete_forgets_the_emails_rate_limit_counts(client, article, settings):
    settings.AGORA_RATELIMIT_ENABLED = True
    settings.AGORA_RATELIMITS = {**settings.AGORA_RATELIMITS, "post-email": [(1, 3600)]}

    def post(email, body):
        payload = {"author_name": "Reader", "author_email": email, "body": body}
        url = f"/api/v1/articles/{article.slug}/comments"
        return client.post(url, json.dumps(payload), content_type="application/json").status_code

    assert post(PERSON, "The dam has needed work for years.") == 202
    assert post("sam@example.org", "The council should publish the costs.") == 202
    assert post(PERSON, "When does the work start?") == 429
    call_command("privacy_delete", PERSON, "--yes")
    # Dana's count went with her comments; Sam's is still there.
    assert post(PERSON, "When does the work start?") == 202
    assert post("sam@example.org", "And the timetable.") == 429


def test_delete_is_all_or_nothing(stored):
    def fail(**kwargs):
        raise RuntimeError("disk full")

    pre_delete.connect(fail, sender=Comment)
    try:
        with pytest.raises(RuntimeError):
            call_command("privacy_delete", PERSON, "--yes")
    finally:
        pre_delete.disconnect(fail, sender=Comment)
    assert Comment.objects.filter(author_email__iexact=PERSON).count() == 3
    assert Decision.objects.count() == 4
    assert Comment.objects.get(pk=stored["reply"].pk).parent_id == stored["approved"].id


def test_log_lines_never_carry_an_email():
    redact = RedactEmails()
    record = logging.makeLogRecord(
        {"msg": "Failed for %s and x@y.org", "args": ("dana@example.org",), "levelno": 40}
    )
    redact.filter(record)
    assert record.getMessage() == "Failed for [email] and [email]"
    try:
        raise ValueError("duplicate key dana@example.org")
    except ValueError:
        record = logging.makeLogRecord({"msg": "boom", "exc_info": sys.exc_info()})
    redact.filter(record)
    formatted = logging.Formatter().format(record)
    assert "dana@example.org" not in formatted
    assert "duplicate key [email]" in formatted


def test_percent_encoded_addresses_are_redacted_too():
    record = logging.makeLogRecord({"msg": "GET /admin/?q=nisa%40Example.org&o=1", "args": ()})
    RedactEmails().filter(record)
    assert "nisa" not in record.getMessage() and "[email]" in record.getMessage()


@pytest.mark.parametrize(
    "log_format",
    [
        gunicorn_conf.access_log_format,
        # Gunicorn's default, with the whole request line and the referrer header.
        '%(h)s %(t)s "%(r)s" %(s)s "%(f)s" "{referer}i" %(q)s',
    ],
)
def test_the_access_log_holds_no_query_string_and_no_address(log_format):
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", log_format)
    config.set("logger_class", gunicorn_conf.logger_class)
    logger = config.logger_class(config)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(handler)
    search = "https://comments.example.org/admin/comments/comment/?q=nisa%40example.org"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/moderation/?article=3&q=nisa%40example.org",
        "PATH_INFO": "/moderation/",
        "QUERY_STRING": "article=3&q=nisa%40example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": search,
        "REMOTE_ADDR": "192.0.2.7",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)
    request = SimpleNamespace(headers=[("REFERER", search)])
    try:
        logger.access(response, request, environ, timedelta(milliseconds=3))
    finally:
        logger.access_log.removeHandler(handler)
    (line,) = lines
    assert "GET /moderation/ HTTP/1.1" in line
    assert "https://comments.example.org/admin/comments/comment/" in line
    assert "nisa" not in line and "q=" not in line and "article=3" not in line


def test_the_console_log_handler_redacts(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert "redact_emails" in handler["filters"]


def test_an_erased_comment_leaves_the_cached_public_thread_at_once(stored, client):
    url = "/api/v1/articles/river-dam-vote/comments"
    before = client.get(url).json()["comments"]
    assert stored["approved"].id in {comment["id"] for comment in before}
    call_command("privacy_delete", PERSON, "--yes")
    after = client.get(url).json()["comments"]
    assert {comment["id"] for comment in after} == {stored["other"].id, stored["reply"].id}
    assert all(comment["parent_id"] is None for comment in after)
