"""Two moderators acting on one comment at the same moment, on PostgreSQL.

``actions.approve`` / ``actions.reject`` lock the comment row (SELECT ... FOR
UPDATE), so the second moderator waits for the first and then sees the first
one's result. Each race is run many times with real threads and real
transactions; afterwards the comment's status and its audit trail must tell one
consistent story.

Rate-limit and flood counters are counted the same way: many threads hitting one
counter at once lose no count.
"""

import threading

import pytest
from django.db import connection, connections

from agora.comments import actions
from agora.comments.actions import ConflictError
from agora.comments.models import Comment, Decision
from agora.protection import ratelimit
from agora.protection.models import Counter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks are only real on PostgreSQL; run with DATABASE_URL=postgres://...",
    ),
]

ROUNDS = 25


@pytest.fixture
def moderators(django_user_model):
    return [django_user_model.objects.create_user(name, is_staff=True) for name in ("ana", "ben")]


def race(*acts):
    """Run the acts in threads released at the same instant; return each one's outcome."""
    start = threading.Barrier(len(acts))
    outcomes: list = [None] * len(acts)

    def run(index, act):
        try:
            start.wait()
            outcomes[index] = act()
        except Exception as error:  # the outcome under test, not a crash of the test
            outcomes[index] = error
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def new_comment(article, number):
    return Comment.objects.create(
        article=article,
        author_name="Reader",
        author_email=f"r{number}@example.org",
        body=f"Comment number {number}.",
    )


def trail(comment):
    return list(
        Decision.objects.filter(comment=comment)
        .order_by("id")
        .values_list("from_status", "to_status", "moderator__username")
    )


def test_approve_and_reject_with_expected_status_one_wins_one_gets_a_conflict(article, moderators):
    ana, ben = moderators
    for number in range(ROUNDS):
        comment = new_comment(article, number)
        approving = Comment.objects.get(pk=comment.pk)
        rejecting = Comment.objects.get(pk=comment.pk)
        outcomes = race(
            lambda c=approving: actions.approve(c, ana, expected_status="pending"),
            lambda c=rejecting: actions.reject(c, ben, "profanity", expected_status="pending"),
        )
        winners = [o for o in outcomes if isinstance(o, Decision)]
        conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
        assert len(winners) == 1 and len(conflicts) == 1, outcomes
        assert "someone else decided it" in str(conflicts[0])
        stored = Comment.objects.get(pk=comment.pk)
        assert stored.status == winners[0].to_status
        assert trail(comment) == [("pending", winners[0].to_status, winners[0].moderator.username)]


def test_two_approvals_record_one_decision(article, moderators):
    ana, ben = moderators
    for number in range(ROUNDS):
        comment = new_comment(article, number)
        outcomes = race(
            lambda pk=comment.pk: actions.approve(Comment.objects.get(pk=pk), ana),
            lambda pk=comment.pk: actions.approve(Comment.objects.get(pk=pk), ben),
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["ConflictError", "Decision"]
        assert Comment.objects.get(pk=comment.pk).status == "approved"
        assert len(trail(comment)) == 1


def test_without_expected_status_both_act_in_turn_and_the_trail_is_a_chain(article, moderators):
    """Approve and reject with no expectation: the second acts on the first's
    result (a reversal), and the audit trail shows both, in order."""
    ana, ben = moderators
    for number in range(ROUNDS):
        comment = new_comment(article, number)
        outcomes = race(
            lambda pk=comment.pk: actions.approve(Comment.objects.get(pk=pk), ana),
            lambda pk=comment.pk: actions.reject(Comment.objects.get(pk=pk), ben, "threat"),
        )
        decisions = trail(comment)
        succeeded = [o for o in outcomes if isinstance(o, Decision)]
        # Rejecting after an approval is allowed; approving after a rejection too.
        assert len(succeeded) == 2, outcomes
        assert decisions[0][0] == "pending"
        assert decisions[1][0] == decisions[0][1]  # the second started where the first ended
        assert Comment.objects.get(pk=comment.pk).status == decisions[-1][1]


def test_concurrent_counter_hits_lose_no_count():
    # Each act is one reader's post counted by another worker, all at the same instant.
    now = 60 * 16_000 + 20.0  # 20 s into a minute: the others wait 40 s
    outcomes = race(*[lambda: ratelimit.hit("post-ip", "203.0.113.9", [(5, 60)], now)] * 8)
    assert Counter.objects.get().count == 8
    # Exactly the five within the rate were let through; the other three were told to wait.
    assert sorted(outcomes) == [0] * 5 + [40] * 3
