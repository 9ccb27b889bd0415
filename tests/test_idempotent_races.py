"""Identical submissions (one Idempotency-Key) arriving at the same moment, on real
threads and a SQLite file of their own (tests/own_database.py): every one gets the
first one's 202, and only that one is counted by the rate limits."""

import threading

import pytest
from own_database import print_result, run, set_up

TRIALS = 20
AT_ONCE = 5


def scenario(var_dir) -> dict:
    set_up()
    from django.db import connection
    from django.test import Client

    from agora.articles.models import Article
    from agora.comments.models import Comment, SubmissionClaim
    from agora.protection.models import Counter

    article = Article.objects.create(slug="river-dam-vote", title="Council votes on the dam")
    url = f"/api/v1/articles/{article.slug}/comments"
    answers = []

    def submit(trial: int, start: threading.Barrier):
        payload = {
            "author_name": "Leyla",
            "author_email": f"leyla{trial}@example.org",
            # Told apart by a letter: the flood check ignores digits.
            "body": f"The dam vote was long overdue, says reader {chr(ord('a') + trial)}.",
        }
        client = Client(raise_request_exception=False)
        start.wait()
        response = client.post(
            url, payload, content_type="application/json", headers={"Idempotency-Key": f"k{trial}"}
        )
        answers.append((trial, response.status_code, response.content.decode()))
        connection.close()

    for trial in range(TRIALS):
        start = threading.Barrier(AT_ONCE)
        racing = [threading.Thread(target=submit, args=(trial, start)) for _ in range(AT_ONCE)]
        for thread in racing:
            thread.start()
        for thread in racing:
            thread.join()
    counted = Counter.objects.filter(key__startswith="rl:post-email:").values_list(
        "count", flat=True
    )
    return {
        "answers": answers,
        "stored": Comment.objects.count(),
        "email_counts": sorted(counted),
        "claims_left": SubmissionClaim.objects.count(),
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    limits = {"AGORA_RATELIMIT_POST_EMAIL": "2/60", "AGORA_RATELIMIT_POST_IP": "1000/60"}
    return run(__file__, tmp_path_factory.mktemp("races"), env=limits)


def test_every_identical_submission_gets_the_first_ones_202(outcome):
    by_trial = {}
    for trial, status, body in outcome["answers"]:
        by_trial.setdefault(trial, set()).add((status, body))
    assert len(by_trial) == TRIALS
    for answers in by_trial.values():
        assert len(answers) == 1, answers  # one answer, the same for all
        ((status, _body),) = answers
        assert status == 202
    assert outcome["stored"] == TRIALS
    assert outcome["claims_left"] == 0


def test_only_the_first_of_them_is_counted(outcome):
    assert outcome["email_counts"] == [1] * TRIALS


if __name__ == "__main__":
    print_result(scenario)
