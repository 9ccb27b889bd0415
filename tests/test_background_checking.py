"""Comments checked in the background: stored at once, judged by a real task worker."""

import signal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from agora.comments import actions, screening
from agora.comments.models import Comment, Decision, Status
from agora.guidelines import GUIDELINES

CLEAN = "Thank you for explaining why the council chose to rebuild the dam."
ABUSIVE = "You are a fucking idiot and everyone knows it."
# What the task worker handles itself while it runs.
WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


@pytest.fixture
def background(settings, keep_test_connection):
    """Checking off the request, through the database task backend, as by default."""
    settings.AGORA_SCORING = "background"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    screening.reset_engine()
    yield settings
    screening.reset_engine()


def post(article, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = actions.post_comment(
            actions.NewComment(
                article=article, author_name="Reader", author_email="r@example.org", body=body
            )
        )
    return comment


def run_worker():
    # The worker installs its graceful-shutdown handlers in this process; put the test
    # process's own back, or every process it forks later inherits them.
    handlers = {number: signal.getsignal(number) for number in WORKER_SIGNALS}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def test_a_comment_is_stored_at_once_and_judged_by_the_worker(
    article, background, django_capture_on_commit_callbacks
):
    comment = post(article, ABUSIVE, django_capture_on_commit_callbacks)

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.awaiting_verdict and stored.verdict is None and stored.status == Status.PENDING
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_worker()

    stored.refresh_from_db()
    assert not stored.awaiting_verdict
    assert stored.decision in {"review", "reject"}
    assert stored.lang == "en" and stored.model_version == screening.engine().model_version
    assert stored.flags and stored.risk > 0.5
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # Judged as in the request: the same verdict for the same words.
    assert stored.verdict == screening.judge(article, ABUSIVE).to_dict()


def test_the_automatic_decision_is_taken_when_the_verdict_is_stored(
    article, background, django_capture_on_commit_callbacks
):
    background.AGORA_POLICY = {
        "auto_reject": {"profanity": True, "personal_attack": True},
        "auto_approve": dict.fromkeys(GUIDELINES, True),
    }
    abusive = post(article, ABUSIVE, django_capture_on_commit_callbacks)
    clean = post(article, CLEAN, django_capture_on_commit_callbacks)
    assert not Decision.objects.exists()

    run_worker()

    abusive.refresh_from_db()
    clean.refresh_from_db()
    assert abusive.status == Status.REJECTED and clean.status == Status.APPROVED
    rejection = Decision.objects.get(comment=abusive)
    assert rejection.automatic and rejection.reason in {"profanity", "personal_attack"}
    assert Decision.objects.get(comment=clean).automatic


def test_a_moderators_decision_taken_while_checking_stands(
    article, background, moderator, django_capture_on_commit_callbacks
):
    background.AGORA_POLICY = {"auto_reject": {"profanity": True, "personal_attack": True}}
    comment = post(article, ABUSIVE, django_capture_on_commit_callbacks)
    actions.approve(comment, moderator)

    run_worker()

    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.verdict is not None and not comment.awaiting_verdict
    assert [d.automatic for d in Decision.objects.filter(comment=comment)] == [False]


def test_what_changed_while_a_batch_was_judged_is_respected(
    article, background, moderator, django_capture_on_commit_callbacks, monkeypatch
):
    background.AGORA_POLICY = {"auto_reject": {"profanity": True, "personal_attack": True}}
    decided, elsewhere, waiting = (
        post(article, f"{ABUSIVE} ({number})", django_capture_on_commit_callbacks)
        for number in range(3)
    )
    judge_many = screening.judge_many

    def meanwhile(comments):
        # While the engine judges the batch, a moderator approves one comment and another
        # worker stores the verdict of another.
        actions.approve(decided, moderator)
        Comment.objects.filter(pk=elsewhere.pk).update(awaiting_verdict=False, decision="other")
        return judge_many(comments)

    monkeypatch.setattr(screening, "judge_many", meanwhile)

    assert actions.check_comments([decided.pk, elsewhere.pk, waiting.pk]) == 2

    for comment in (decided, elsewhere, waiting):
        comment.refresh_from_db()
        assert not comment.awaiting_verdict
    assert decided.status == Status.APPROVED and decided.verdict is not None
    assert [d.automatic for d in Decision.objects.filter(comment=decided)] == [False]
    assert elsewhere.decision == "other" and elsewhere.verdict is None
    assert elsewhere.status == Status.PENDING
    assert waiting.status == Status.REJECTED and waiting.verdict is not None
    assert Decision.objects.get(comment=waiting).automatic


def test_a_burst_of_posts_is_checked_by_one_task_in_one_batch(
    article, background, django_capture_on_commit_callbacks, monkeypatch
):
    batches = []
    judge_many = screening.judge_many
    monkeypatch.setattr(
        screening,
        "judge_many",
        lambda comments: batches.append(len(comments)) or judge_many(comments),
    )
    for number in range(5):
        post(article, f"{CLEAN} Point {number}.", django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.count() == 1

    run_worker()

    assert batches == [5]
    assert not Comment.objects.filter(awaiting_verdict=True).exists()
    # Once the check has started, the next comment gets a check of its own.
    post(article, CLEAN, django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    assert batches == [5, 1]


def test_a_comment_the_engine_cannot_judge_does_not_hold_back_the_others(
    article, background, django_capture_on_commit_callbacks, monkeypatch
):
    judge_many = screening.judge_many

    def failing_on_poison(comments):
        if any("poison" in comment.body for comment in comments):
            raise ValueError("cannot judge")
        return judge_many(comments)

    monkeypatch.setattr(screening, "judge_many", failing_on_poison)
    poison = post(article, "A poison comment.", django_capture_on_commit_callbacks)
    clean = post(article, CLEAN, django_capture_on_commit_callbacks)

    run_worker()

    poison.refresh_from_db()
    clean.refresh_from_db()
    assert clean.verdict and not clean.awaiting_verdict
    # Left to the moderators, pending, without a verdict: never lost, never stuck.
    assert poison.status == Status.PENDING and poison.verdict is None
    assert not poison.awaiting_verdict


def test_check_comments_judges_what_a_lost_task_left_waiting(
    article, background, django_capture_on_commit_callbacks
):
    first = post(article, CLEAN, django_capture_on_commit_callbacks)
    second = post(article, ABUSIVE, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # the worker's queue was lost

    call_command("check_comments", verbosity=0)

    for comment in (first, second):
        comment.refresh_from_db()
        assert comment.verdict and not comment.awaiting_verdict


def test_a_failed_enqueue_never_loses_the_comment(
    article, background, django_capture_on_commit_callbacks, monkeypatch
):
    from agora.comments import tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("task backend unreachable")

    reachable = tasks.check_waiting_comments
    monkeypatch.setattr(tasks, "check_waiting_comments", SimpleNamespace(enqueue=unreachable))
    comment = post(article, CLEAN, django_capture_on_commit_callbacks)

    stored = Comment.objects.get(pk=comment.pk)
    assert stored.awaiting_verdict and stored.status == Status.PENDING
    # The next post may schedule the check again: the failed one holds nothing back.
    monkeypatch.setattr(tasks, "check_waiting_comments", reachable)
    post(article, ABUSIVE, django_capture_on_commit_callbacks)
    run_worker()
    stored.refresh_from_db()
    assert stored.verdict and not stored.awaiting_verdict


def test_a_check_lost_before_it_started_stops_holding_back_new_ones_after_a_minute(
    article, background, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from agora.comments.models import ScheduledCheck
    from agora.comments.tasks import CHECK_SCHEDULED_FOR

    post(article, CLEAN, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # enqueued, then lost with its worker
    post(article, CLEAN, django_capture_on_commit_callbacks)
    assert not DBTaskResult.objects.exists()  # the lost one still counts as waiting

    ScheduledCheck.objects.update(
        claimed_at=timezone.now() - timedelta(seconds=CHECK_SCHEDULED_FOR + 1)
    )
    post(article, ABUSIVE, django_capture_on_commit_callbacks)
    run_worker()

    assert not Comment.objects.filter(awaiting_verdict=True).exists()


def test_the_queue_shows_a_comment_as_being_checked_until_its_verdict_is_stored(
    article, background, client, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    comment = post(article, ABUSIVE, django_capture_on_commit_callbacks)
    queue = reverse("moderation:queue")

    waiting = client.get(queue).content.decode()
    assert f'id="comment-{comment.pk}"' in waiting
    assert "engine-checking" in waiting and "Being checked" in waiting

    run_worker()

    checked = client.get(queue).content.decode()
    assert "engine-checking" not in checked
    assert "engine-review" in checked or "engine-reject" in checked


def test_the_queue_api_says_a_comment_is_being_checked(
    article, background, client, moderator, django_capture_on_commit_callbacks
):
    from agora.api.models import ApiToken

    _token, token = ApiToken.objects.issue(moderator, label="tests")
    comment = post(article, ABUSIVE, django_capture_on_commit_callbacks)

    def item():
        response = client.get(
            "/api/v1/moderation/queue", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.content
        return next(c for c in response.json()["comments"] if c["id"] == comment.pk)

    waiting = item()
    assert waiting["awaiting_verdict"] is True and waiting["verdict"] is None
    run_worker()
    checked = item()
    assert checked["awaiting_verdict"] is False and checked["verdict"]["reasons"]
