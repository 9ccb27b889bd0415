"""A comment is judged exactly as written: its words never change, and its history only grows."""

import pytest
from django.core.exceptions import ValidationError

from agora.comments import actions
from agora.comments.models import Comment, Decision, ImmutableCommentError, Reason, Status


@pytest.fixture
def comment(article):
    stored, _ = actions.post_comment(
        actions.NewComment(
            article=article,
            author_name="Rezan",
            author_email="rezan@example.org",
            body="The dam has needed repairs for years.",
        )
    )
    return stored


def test_a_new_comment_is_pending_with_no_history(comment):
    assert comment.status == Status.PENDING
    assert not comment.decisions.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("body", "Edited words the reader never wrote."),
        ("author_name", "Someone else"),
        ("author_email", "other@example.org"),
    ],
)
def test_the_model_refuses_to_save_changed_words(comment, field, value):
    original = getattr(comment, field)
    setattr(comment, field, value)
    with pytest.raises(ImmutableCommentError):
        comment.save()
    assert getattr(Comment.objects.get(pk=comment.pk), field) == original


def test_saving_a_comment_unchanged_is_allowed(comment):
    comment.save()
    assert Comment.objects.get(pk=comment.pk).body == "The dam has needed repairs for years."


def test_approve_records_who_when_and_the_transition(comment, moderator):
    decision = actions.approve(comment, moderator)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert (decision.from_status, decision.to_status) == (Status.PENDING, Status.APPROVED)
    assert decision.moderator == moderator
    assert decision.created_at is not None
    assert decision.automatic is False


def test_reject_records_the_reason_code(comment, moderator):
    decision = actions.reject(comment, moderator, Reason.PERSONAL_ATTACK)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert decision.reason == Reason.PERSONAL_ATTACK
    assert (decision.from_status, decision.to_status) == (Status.PENDING, Status.REJECTED)


def test_reject_with_an_unknown_reason_changes_nothing(comment, moderator):
    with pytest.raises(actions.ModerationError):
        actions.reject(comment, moderator, "too_long")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert not comment.decisions.exists()


def test_the_same_decision_twice_is_a_conflict(comment, moderator):
    actions.approve(comment, moderator)
    with pytest.raises(actions.ConflictError):
        actions.approve(comment, moderator)
    assert comment.decisions.count() == 1


def test_a_decision_on_a_stale_view_is_a_conflict(comment, moderator):
    actions.reject(comment, moderator, Reason.OFF_TOPIC)
    with pytest.raises(actions.ConflictError):
        actions.approve(comment, moderator, expected_status=Status.PENDING)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_reversals_add_records_and_keep_the_earlier_ones(comment, moderator):
    first = actions.approve(comment, moderator)
    second = actions.reject(comment, moderator, Reason.PROMOTION, note="An advert after all.")
    third = actions.approve(comment, moderator, note="Reinstated on appeal.")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    history = list(comment.decisions.order_by("id"))
    assert [d.pk for d in history] == [first.pk, second.pk, third.pk]
    assert [(d.from_status, d.to_status) for d in history] == [
        (Status.PENDING, Status.APPROVED),
        (Status.APPROVED, Status.REJECTED),
        (Status.REJECTED, Status.APPROVED),
    ]
    assert history[1].reason == Reason.PROMOTION
    assert history[1].note == "An advert after all."


def test_a_decision_can_be_neither_changed_nor_deleted(comment, moderator):
    decision = actions.reject(comment, moderator, Reason.THREAT)
    decision.reason = Reason.OTHER
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    assert Decision.objects.get(pk=decision.pk).reason == Reason.THREAT


class TestAdminIsReadOnly:
    """The Django admin shows comments but offers no way to add, change or delete one."""

    @pytest.fixture
    def admin_client(self, client, django_user_model):
        admin = django_user_model.objects.create_superuser(
            "root", "root@example.org", "a-long-test-password"
        )
        client.force_login(admin)
        return client

    def test_the_change_page_shows_the_comment_without_a_form(self, admin_client, comment):
        response = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "The dam has needed repairs for years." in html
        assert 'name="body"' not in html
        assert 'name="_save"' not in html

    def test_posting_a_change_does_not_edit_the_comment(self, admin_client, comment):
        response = admin_client.post(
            f"/admin/comments/comment/{comment.pk}/change/",
            {"body": "Edited by staff.", "author_name": "Staff", "status": Status.APPROVED},
        )
        assert response.status_code == 403
        stored = Comment.objects.get(pk=comment.pk)
        assert (stored.body, stored.author_name, stored.status) == (
            "The dam has needed repairs for years.",
            "Rezan",
            Status.PENDING,
        )

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/comments/comment/add/",
            "/admin/comments/comment/{pk}/delete/",
            "/admin/comments/decision/add/",
        ],
    )
    def test_add_and_delete_are_forbidden(self, admin_client, comment, url):
        assert admin_client.get(url.format(pk=comment.pk)).status_code == 403
        assert admin_client.post(url.format(pk=comment.pk), {"post": "yes"}).status_code == 403
        assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.django_db
def test_a_hold_is_taken_once_until_released_and_a_stale_one_is_taken_over():
    from datetime import timedelta

    from django.utils import timezone

    from agora.comments.models import SubmissionClaim

    claims = SubmissionClaim.objects
    assert not claims.held("retry-1", 60)
    assert claims.take("retry-1", 60)
    assert claims.held("retry-1", 60)
    assert not claims.take("retry-1", 60)  # another request holds it
    assert claims.take("retry-2", 60)  # other keys are free

    claims.release("retry-1")
    assert not claims.held("retry-1", 60)
    assert claims.take("retry-1", 60)

    # Left by a killed process: no longer held, and taken over with a fresh time.
    claims.filter(key="retry-1").update(claimed_at=timezone.now() - timedelta(seconds=61))
    assert not claims.held("retry-1", 60)
    assert claims.held("retry-1", 120)
    assert claims.take("retry-1", 60)
    assert claims.held("retry-1", 60)
    assert not claims.take("retry-1", 60)
    assert claims.count() == 2
