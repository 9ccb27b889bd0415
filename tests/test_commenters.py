"""Commenters, not only comments: measures on an email address, what they do to posting,
the repeat-offender policy, the commenter's page and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from roles import user_in

from agora.commenters import actions, rules
from agora.commenters.models import CommenterAction, Measure, standing
from agora.comments import actions as comment_actions
from agora.comments import screening
from agora.comments.models import Comment, Decision, Reason, Status
from agora.desks.roles import AUDITOR, MODERATOR
from agora.guidelines import GUIDELINES
from agora.reports import actions as report_actions

CLEAN = "Thank you for explaining why the council chose to rebuild the dam."


@pytest.fixture
def auth(chief, token_headers):
    return token_headers(chief)


@pytest.fixture
def fresh_engine():
    screening.reset_engine()
    yield
    screening.reset_engine()


def post(article, body=CLEAN, email="reader@example.org"):
    comment, _ = comment_actions.post_comment(
        comment_actions.NewComment(
            article=article, author_name="Reader", author_email=email, body=body
        )
    )
    return Comment.objects.get(pk=comment.pk)


def page_post(client, article, email="reader@example.org", body=CLEAN):
    return client.post(
        reverse("comments:post", args=[article.slug]),
        {"author_name": "Reader", "author_email": email, "body": body},
    )


def api_post(client, article, email="reader@example.org", **headers):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments",
        data={"author_name": "Reader", "author_email": email, "body": CLEAN},
        content_type="application/json",
        **headers,
    )


# --- Measures --------------------------------------------------------------------------


def test_each_measure_is_recorded_with_its_reason_and_lifting_is_an_action(moderator):
    actions.take("Reader@Example.org", Measure.ALWAYS_REVIEW, moderator, "Spams links.")
    assert standing("reader@example.org").always_review

    actions.lift("reader@example.org", Measure.ALWAYS_REVIEW, moderator, "Stopped.")

    assert not standing("reader@example.org").always_review
    trail = list(CommenterAction.objects.order_by("id").values_list("measure", "lifted", "reason"))
    assert trail == [("always_review", False, "Spams links."), ("always_review", True, "Stopped.")]


def test_a_measure_needs_a_reason_and_a_suspension_a_period(moderator):
    with pytest.raises(actions.CommenterError, match="reason"):
        actions.take("a@example.org", Measure.BAN, moderator, "  ")
    with pytest.raises(actions.CommenterError, match="days"):
        actions.take("a@example.org", Measure.SUSPEND, moderator, "Insults.")
    with pytest.raises(actions.CommenterError, match="not in force"):
        actions.lift("a@example.org", Measure.BAN, moderator, "Mistake.")
    actions.take("a@example.org", Measure.BAN, moderator, "Threats.")
    with pytest.raises(actions.CommenterError, match="already in force"):
        actions.take("a@example.org", Measure.BAN, moderator, "Threats again.")
    assert CommenterAction.objects.count() == 1


def test_the_audit_trail_of_measures_is_append_only(moderator):
    action = actions.take("a@example.org", Measure.TRUSTED, moderator, "Long-time reader.")
    with pytest.raises(Exception, match="append-only"):
        action.save()
    with pytest.raises(Exception, match="append-only"):
        action.delete()


def test_a_suspension_ends_on_its_own(moderator):
    actions.take("a@example.org", Measure.SUSPEND, moderator, "Insults.", days=2)
    assert standing("a@example.org").suspended
    CommenterAction.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert standing("a@example.org").suspended is None


# --- What measures do to posting ------------------------------------------------------------


def test_a_banned_commenter_is_refused_on_the_page_and_nothing_is_stored(
    client, article, moderator
):
    actions.take("banned@example.org", Measure.BAN, moderator, "Threats.")

    response = page_post(client, article, email="BANNED@example.org")

    assert response.status_code == 403
    assert "banned this email address" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_suspended_commenter_is_told_until_when_through_the_api(client, article, moderator):
    actions.take("s@example.org", Measure.SUSPEND, moderator, "Insults.", days=3)

    response = api_post(client, article, email="s@example.org")

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "suspended" in detail and "until" in detail
    assert str((timezone.now() + timedelta(days=3)).year) in detail
    assert not Comment.objects.exists()


def test_the_refusal_is_translated(moderator):
    actions.take("s@example.org", Measure.BAN, moderator, "Threats.")
    with translation.override("ar"):
        code, message = rules.refusal("s@example.org")
    assert code == "banned"
    assert "banned" not in message


def test_a_lifted_ban_lets_the_commenter_post_again(client, article, moderator):
    actions.take("b@example.org", Measure.BAN, moderator, "Threats.")
    actions.lift("b@example.org", Measure.BAN, moderator, "Appeal accepted.")
    assert api_post(client, article, email="b@example.org").status_code == 202


def test_always_review_stops_automatic_approval(article, moderator, settings, fresh_engine):
    settings.AGORA_POLICY = {"auto_approve": dict.fromkeys(GUIDELINES, True)}
    assert post(article, email="free@example.org").status == Status.APPROVED

    actions.take("watched@example.org", Measure.ALWAYS_REVIEW, moderator, "Doubtful links.")
    comment = post(article, email="watched@example.org")

    assert comment.decision == "approve"
    assert comment.status == Status.PENDING
    assert not Decision.objects.filter(comment=comment).exists()


def test_trusted_commenters_are_approved_only_when_the_publisher_allows_it(
    article, moderator, settings
):
    actions.take("trusted@example.org", Measure.TRUSTED, moderator, "Years of good comments.")
    assert post(article, email="trusted@example.org").status == Status.PENDING

    settings.AGORA_TRUSTED_AUTO_APPROVE = True
    comment = post(article, body=f"{CLEAN} Again.", email="trusted@example.org")

    assert comment.decision == "approve"
    assert comment.status == Status.APPROVED
    assert Decision.objects.get(comment=comment).automatic
    stranger = post(article, body=f"{CLEAN} Once more.", email="stranger@example.org")
    assert stranger.status == Status.PENDING


def test_trust_never_approves_what_the_engine_flags(article, moderator, settings):
    settings.AGORA_TRUSTED_AUTO_APPROVE = True
    actions.take("trusted@example.org", Measure.TRUSTED, moderator, "Good record.")
    comment = post(article, body="You are a stupid idiot and a moron.", email="trusted@example.org")
    assert comment.decision != "approve"
    assert comment.status == Status.PENDING


def test_automatic_action_under_each_standing(moderator, settings):
    settings.AGORA_TRUSTED_AUTO_APPROVE = True
    assert rules.automatic_action("x@example.org", None, "approve") is None
    assert rules.automatic_action("x@example.org", "reject", "reject") == "reject"
    actions.take("x@example.org", Measure.TRUSTED, moderator, "Good record.")
    assert rules.automatic_action("x@example.org", None, "approve") == "approve"
    assert rules.automatic_action("x@example.org", None, "review") is None
    actions.take("x@example.org", Measure.ALWAYS_REVIEW, moderator, "Under review wins.")
    assert rules.automatic_action("x@example.org", "approve", "approve") is None
    assert rules.automatic_action("x@example.org", "reject", "reject") == "reject"


# --- Repeat offenders -------------------------------------------------------------------------


def rejected(article, moderator, n, email="often@example.org"):
    comment = Comment.objects.create(
        article=article, author_name="O", author_email=email, body=f"Bad comment {n}"
    )
    comment_actions.reject(comment, moderator, Reason.PERSONAL_ATTACK)
    return comment


def test_repeat_offenders_are_left_alone_by_default(
    article, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            rejected(article, moderator, n)
    assert not CommenterAction.objects.exists()


def test_repeat_offenders_are_suspended_and_told_why(
    client, article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.AGORA_REPEAT_OFFENDERS = {"rejections": 3, "days": 30, "suspend_days": 7}
    with django_capture_on_commit_callbacks(execute=True):
        rejected(article, moderator, 1)
        rejected(article, moderator, 2)
        rejected(article, moderator, 3, email="someone-else@example.org")
    assert not CommenterAction.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        rejected(article, moderator, 4)

    action = CommenterAction.objects.get()
    assert (action.measure, action.automatic, action.rejections) == ("suspend", True, 3)
    assert timedelta(days=6) < action.until - timezone.now() <= timedelta(days=7)
    detail = api_post(client, article, email="often@example.org").json()["detail"]
    assert "3 of your comments are rejected within 30 days" in detail


def test_old_or_reversed_rejections_do_not_count(
    article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.AGORA_REPEAT_OFFENDERS = {"rejections": 2, "days": 30, "suspend_days": 7}
    with django_capture_on_commit_callbacks(execute=True):
        old = rejected(article, moderator, 1)
    Decision.objects.filter(comment=old).update(created_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        reversed_one = rejected(article, moderator, 2)
        comment_actions.approve(reversed_one, moderator)
        rejected(article, moderator, 3)
    assert not CommenterAction.objects.exists()


def test_a_lifted_suspension_starts_the_count_again(
    article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.AGORA_REPEAT_OFFENDERS = {"rejections": 2, "days": 30, "suspend_days": 7}
    with django_capture_on_commit_callbacks(execute=True):
        rejected(article, moderator, 1)
        rejected(article, moderator, 2)
    actions.lift("often@example.org", Measure.SUSPEND, moderator, "Apologised.")
    with django_capture_on_commit_callbacks(execute=True):
        rejected(article, moderator, 3)
    assert CommenterAction.objects.filter(automatic=True).count() == 1


# --- The commenter's page -----------------------------------------------------------------------


def test_the_commenters_page_shows_comments_reasons_reports_and_measures(
    staff_client, article, moderator
):
    published = Comment.objects.create(
        article=article,
        author_name="R",
        author_email="r@example.org",
        body="A published comment.",
        status=Status.APPROVED,
    )
    report_actions.file_report(
        published.pk,
        report_actions.NewReport(reason="threat", email="x@example.org", explanation="Scary."),
    )
    rejected(article, moderator, 1, email="R@example.org")
    Comment.objects.create(
        article=article, author_name="Other", author_email="other@example.org", body="Not theirs."
    )
    actions.take("r@example.org", Measure.ALWAYS_REVIEW, moderator, "Borderline threats.")

    response = staff_client.get(reverse("commenters:page"), {"email": "r@example.org"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "A published comment." in html and "Bad comment 1" in html
    assert "Not theirs." not in html
    assert "Personal attack" in html  # the rejection's reason
    assert "Scary." in html  # the report against them
    assert "Borderline threats." in html and "Always reviewed" in html


def test_measures_are_taken_and_lifted_from_the_page(chief_client, chief):
    url = reverse("commenters:act")
    response = chief_client.post(
        url, {"email": "r@example.org", "measure": "suspend", "days": "5", "reason": "Insults."}
    )
    assert response.status_code == 302
    assert standing("r@example.org").suspended.moderator == chief

    chief_client.post(
        url, {"email": "r@example.org", "measure": "suspend", "lift": "on", "reason": "Sorry."}
    )
    assert standing("r@example.org").suspended is None

    missing_days = chief_client.post(
        url, {"email": "r@example.org", "measure": "suspend", "reason": "Insults."}, follow=True
    )
    assert "how many days" in missing_days.content.decode()
    assert CommenterAction.objects.count() == 2


def test_moderators_and_auditors_read_commenters_only_chiefs_take_measures(client, db):
    body = {"email": "a@example.org", "measure": "ban", "reason": "Threats."}
    for user in (user_in(MODERATOR, "mod"), user_in(AUDITOR, "auditor")):
        client.force_login(user)
        page = client.get(reverse("commenters:page"), {"email": "a@example.org"})
        assert page.status_code == 200
        assert 'class="measure-form"' not in page.content.decode()
        assert client.post(reverse("commenters:act"), body).status_code == 403
    assert not CommenterAction.objects.exists()


def test_a_moderators_token_cannot_take_measures(client, moderator, token_headers):
    response = client.post(
        "/api/v1/moderation/commenters/measures",
        data={"email": "a@example.org", "measure": "ban", "reason": "Threats."},
        content_type="application/json",
        **token_headers(moderator),
    )
    assert response.status_code == 403
    assert "chief moderators" in response.json()["detail"]
    assert not CommenterAction.objects.exists()


def test_the_commenter_pages_need_a_moderator(client, django_user_model):
    assert client.get(reverse("commenters:page")).status_code == 302
    reader = django_user_model.objects.create_user("reader", password="a-long-password-1")
    client.force_login(reader)
    assert client.get(reverse("commenters:page"), {"email": "a@example.org"}).status_code == 403
    response = client.post(
        reverse("commenters:act"), {"email": "a@example.org", "measure": "ban", "reason": "x"}
    )
    assert response.status_code == 403
    assert not CommenterAction.objects.exists()


# --- The API ---------------------------------------------------------------------------------


def test_the_api_takes_lifts_and_shows_measures(client, article, auth):
    url = "/api/v1/moderation/commenters/measures"
    body = {"email": "r@example.org", "measure": "ban", "reason": "Threats."}
    taken = client.post(url, data=body, content_type="application/json", **auth)
    assert taken.status_code == 201
    assert taken.json()["in_force"] == ["ban"]

    lifted = client.post(
        url,
        data={**body, "lift": True, "reason": "Appeal."},
        content_type="application/json",
        **auth,
    )
    assert lifted.json()["in_force"] == []
    shown = client.get("/api/v1/moderation/commenters", {"email": "r@example.org"}, **auth).json()
    assert [(a["measure"], a["lifted"]) for a in shown["actions"]] == [
        ("ban", True),
        ("ban", False),
    ]


def test_the_api_says_what_is_wrong_with_a_measure(client, auth):
    url = "/api/v1/moderation/commenters/measures"
    for body, field in [
        ({"email": "r@example.org", "measure": "exile", "reason": "x"}, "measure"),
        ({"email": "r@example.org", "measure": "suspend", "reason": "x"}, "days"),
        ({"email": "nope", "measure": "ban", "reason": "x"}, "email"),
        ({"email": "r@example.org", "measure": "ban", "reason": ""}, "reason"),
        ({"email": "r@example.org", "measure": "ban", "reason": "x", "lift": True}, "__all__"),
    ]:
        response = client.post(url, data=body, content_type="application/json", **auth)
        assert response.status_code == 400, body
        assert field in response.json()["errors"], response.json()
    assert not CommenterAction.objects.exists()


def test_the_commenter_api_needs_a_token(client):
    assert (
        client.get("/api/v1/moderation/commenters", {"email": "a@example.org"}).status_code == 401
    )
    response = client.post(
        "/api/v1/moderation/commenters/measures",
        data={"email": "a@example.org", "measure": "ban", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401


# --- Privacy --------------------------------------------------------------------------------


def test_a_persons_export_and_erasure_cover_their_reports_and_measures(published, moderator):
    from agora.privacy import records
    from agora.reports.models import Report

    report_actions.file_report(
        published.pk, report_actions.NewReport(reason="threat", email="Person@example.org")
    )
    actions.take("person@example.org", Measure.SUSPEND, moderator, "Insults.", days=3)

    data = records.export("PERSON@example.org")
    assert [r["reason"] for r in data["reports"]] == ["threat"]
    assert [m["measure"] for m in data["measures"]] == ["suspend"]

    counts = records.erase("person@example.org")
    assert (counts["reports"], counts["measures"]) == (1, 1)
    assert not Report.objects.exists() and not CommenterAction.objects.exists()
