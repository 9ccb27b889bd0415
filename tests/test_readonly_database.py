"""A SQLite database made read-only under a running Agora, then writable again.

The scenario runs in a process of its own, on a database file of its own with
the cache in a table of it (tests/own_database.py).
"""

import json
import subprocess
import sys
import threading

import pytest
from own_database import database_files, print_result, run, set_up

SLUG = "river-dam-vote"
THREAD = f"/api/v1/articles/{SLUG}/comments"
PAGE = f"/articles/{SLUG}/"
READERS = ["first", "second", "third", "fourth", "fifth", "sixth"]


def comment(n: int) -> dict:
    return {
        "author_name": "Leyla",
        "author_email": f"leyla{n}@example.org",
        # Texts told apart by a word: the flood check ignores digits.
        "body": f"The dam vote was long overdue, says the {READERS[n]} reader.",
    }


def scenario(var_dir) -> dict:
    """Run in the scenario's process; returns what each request got."""
    set_up()
    from django.contrib.auth.models import Group, User
    from django.db import connection, connections
    from django.test import Client

    from agora.api.models import ApiToken
    from agora.articles.models import Article
    from agora.comments.models import Comment
    from agora.desks.roles import MODERATOR

    Article.objects.create(slug=SLUG, title="Council votes to rebuild the river dam")
    moderator = User.objects.create_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATOR))
    _token, secret = ApiToken.objects.issue(moderator)
    client = Client(raise_request_exception=False)
    bearer = {"Authorization": f"Bearer {secret}"}

    def post_api(n):
        response = client.post(THREAD, comment(n), content_type="application/json")
        return {
            "status": response.status_code,
            "retry_after": response.get("Retry-After"),
            "type": response["Content-Type"],
            "body": response.content.decode(),
        }

    def post_form(n):
        response = client.post(
            f"{PAGE}comments/", {**comment(n), "idempotency_token": f"tok_ABCDEFGHIJKLMNO{n}"}
        )
        return {
            "status": response.status_code,
            "retry_after": response.get("Retry-After"),
            "body": response.content.decode(),
        }

    results = {"before": post_api(0)["status"]}
    assert client.get(THREAD).status_code == 200
    with connection.cursor() as cursor:
        # Every cached entry has expired: the next read finds them and would delete them.
        cursor.execute("UPDATE agora_cache SET expires = '2000-01-01 00:00:00'")

    # Read-only files, and a worker restart: its connections open read-only. The worker
    # was killed (kill -9), so the -wal and -shm files stay behind.
    connections.close_all()
    killed = (
        "import os, sqlite3, sys;"
        "sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM sqlite_master');"
        "os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", killed, connection.settings_dict["NAME"]], check=True)
    for path in database_files():
        path.chmod(0o444)
    # Another server thread reads meanwhile and keeps its connection: in one process
    # SQLite shares a file's locks and -shm among connections, so that one alone would
    # keep the others' fresh connections from writing.
    reading, writable, read_again, done = (threading.Event() for _ in range(4))
    reads = []

    def reader():
        reader_client = Client(raise_request_exception=False)
        # Reads that try no write at all (one comment, not cached): its connection never
        # fails, so only its age tells it must go.
        reads.append(reader_client.get(f"{THREAD}/1").status_code)
        reading.set()
        writable.wait()
        reads.append(reader_client.get(f"{THREAD}/1").status_code)
        read_again.set()
        done.wait()  # its connection stays open while the others post
        connections.close_all()

    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    reading.wait()
    results["api_post"] = post_api(1)
    results["form_post"] = post_form(2)
    results["thread"] = client.get(THREAD).status_code
    results["page"] = client.get(PAGE).status_code
    results["queue"] = client.get("/api/v1/moderation/queue", headers=bearer).status_code

    # Writable again, no restart: once the reader's thread has served its next request,
    # the next posts are stored.
    for path in database_files():  # SQLite made its -shm file read-only too
        path.chmod(0o644)
    writable.set()
    read_again.wait()
    results["after"] = [post_api(3 + n)["status"] for n in range(3)]
    done.set()
    reader_thread.join()
    results["reads"] = reads
    results["stored"] = sorted(Comment.objects.values_list("author_email", flat=True))
    return results


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return run(__file__, tmp_path_factory.mktemp("readonly"), read_only_files=True)


def test_writes_get_503_with_retry_after_while_the_database_is_read_only(outcome):
    assert outcome["before"] == 202
    api = outcome["api_post"]
    assert (api["status"], api["retry_after"], api["type"]) == (503, "30", "application/json")
    assert "nothing was saved" in json.loads(api["body"])["detail"]
    form = outcome["form_post"]
    assert (form["status"], form["retry_after"]) == (503, "30")
    assert "nothing was saved" in form["body"]


def test_reads_need_no_write(outcome):
    # The thread read finds expired cache rows; the token's last use is not recorded.
    assert (outcome["thread"], outcome["page"], outcome["queue"]) == (200, 200, 200)
    assert outcome["reads"] == [404, 404]  # the comment waits for moderation


def test_posting_resumes_without_a_restart_once_writable(outcome):
    assert outcome["after"] == [202, 202, 202]
    # Nothing refused was half-stored; nothing acknowledged was lost.
    assert outcome["stored"] == [f"leyla{n}@example.org" for n in (0, 3, 4, 5)]


if __name__ == "__main__":
    print_result(scenario)
