"""Readers report published comments: the page, the API, limits, withdrawal, the
Reported queue, and how a moderator's decision settles reports."""

import pytest
from django.core import mail
from django.urls import reverse
from roles import arabic_desk, user_in

from agora.comments import actions as comment_actions
from agora.comments.models import Comment, Decision, Reason, Status
from agora.comments.reading import approved_thread
from agora.desks.roles import AUDITOR, MODERATOR
from agora.reports import actions
from agora.reports.models import Report, Resolution


@pytest.fixture
def auth(moderator, token_headers):
    return token_headers(moderator)


def report_url(comment) -> str:
    return reverse("reports:report", args=[comment.pk])


def api_report(client, comment, **payload):
    return client.post(
        f"/api/v1/comments/{comment.pk}/reports", data=payload, content_type="application/json"
    )


def file(comment, email, reason=Reason.PERSONAL_ATTACK):
    return actions.file_report(comment.pk, actions.NewReport(reason=reason, email=email))


# --- Reporting from the page -------------------------------------------------------------


def test_every_published_comment_has_a_report_link(client, article, published):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{report_url(published)}"' in html


def test_the_report_page_shows_the_comment_and_every_reason(client, published):
    response = client.get(report_url(published))
    html = response.content.decode()
    assert response.status_code == 200
    assert published.body in html
    for code in [*Reason.values, "illegal"]:
        assert f'value="{code}"' in html


def test_a_report_is_stored_and_answered(client, published):
    response = client.post(
        report_url(published),
        {"reason": "threat", "email": "Ava@Example.org", "explanation": "He threatens me."},
    )
    assert response.status_code == 201
    assert "Your report was received" in response.content.decode()
    report = Report.objects.get()
    assert (report.comment, report.reason, report.reporter_key) == (
        published,
        "threat",
        "ava@example.org",
    )
    assert report.resolution == Resolution.OPEN


def test_illegal_content_asks_for_the_law_and_an_explanation(client, published):
    response = client.post(report_url(published), {"reason": "illegal", "email": "a@example.org"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"law", "explanation"}
    assert not Report.objects.exists()

    client.post(
        report_url(published),
        {
            "reason": "illegal",
            "email": "a@example.org",
            "law": "Penal code, art. 216",
            "explanation": "Incites hatred.",
        },
    )
    assert Report.objects.get().law == "Penal code, art. 216"


def test_the_law_is_kept_only_for_illegal_content(client, published):
    client.post(report_url(published), {"reason": "threat", "email": "a@example.org", "law": "x"})
    assert Report.objects.get().law == ""


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a@example.org"},
        {"reason": "nonsense", "email": "a@example.org"},
        {"reason": "threat", "email": "not an address"},
        {"reason": "threat", "email": "a@example.org", "explanation": "x" * 2001},
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(client, published, data):
    response = client.post(report_url(published), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Report.objects.exists()


def test_a_reader_reports_a_comment_once(client, published):
    client.post(report_url(published), {"reason": "threat", "email": "a@example.org"})
    again = client.post(report_url(published), {"reason": "profanity", "email": "A@EXAMPLE.org"})
    assert again.status_code == 200
    assert "already reported" in again.content.decode()
    assert Report.objects.get().reason == "threat"


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED])
def test_only_published_comments_can_be_reported(client, published, status):
    Comment.objects.filter(pk=published.pk).update(status=status)
    assert client.get(report_url(published)).status_code == 404
    response = client.post(report_url(published), {"reason": "threat", "email": "a@example.org"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_reporting_is_rate_limited_per_reader(client, article, settings):
    settings.AGORA_RATELIMITS = {**settings.AGORA_RATELIMITS, "report-email": [(2, 600)]}
    comments = [
        Comment.objects.create(
            article=article,
            author_name="W",
            author_email="w@example.org",
            body=f"Comment {n}",
            status=Status.APPROVED,
        )
        for n in range(3)
    ]
    answers = [
        client.post(report_url(c), {"reason": "other", "email": "eager@example.org"})
        for c in comments
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert int(answers[2]["Retry-After"]) > 0
    assert "many reports" in answers[2].content.decode()
    assert Report.objects.count() == 2


# --- Reporting through the API ----------------------------------------------------------


def test_the_api_stores_a_report(client, published):
    response = api_report(client, published, reason="profanity", email="b@example.org")
    assert response.status_code == 201
    assert response.json()["created"] is True
    assert "received" in response.json()["message"]
    again = api_report(client, published, reason="profanity", email="b@example.org")
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert Report.objects.count() == 1


def test_the_api_says_what_is_wrong_with_a_report(client, published):
    response = api_report(client, published, reason="illegal", email="b@example.org")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"law", "explanation"}
    unknown = api_report(client, published, reason="threat", email="b@example.org", url="x")
    assert unknown.status_code == 400 and "url" in unknown.json()["errors"]
    assert not Report.objects.exists()


def test_the_api_refuses_reports_of_unpublished_comments(client, published):
    Comment.objects.filter(pk=published.pk).update(status=Status.PENDING)
    response = api_report(client, published, reason="threat", email="b@example.org")
    assert response.status_code == 404
    assert "no published comment" in response.json()["detail"]


def test_the_api_rate_limits_reports(client, published, settings):
    settings.AGORA_RATELIMITS = {**settings.AGORA_RATELIMITS, "report-ip": [(1, 600)]}
    api_report(client, published, reason="threat", email="one@example.org")
    response = api_report(client, published, reason="threat", email="two@example.org")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert Report.objects.count() == 1


# --- Withdrawal --------------------------------------------------------------------------


def test_enough_readers_withdraw_a_comment_until_a_moderator_decides(published, settings):
    settings.AGORA_REPORTS_WITHDRAW_AFTER = 3
    file(published, "one@example.org")
    file(published, "two@example.org")
    file(published, "TWO@example.org")  # the same reader again
    published.refresh_from_db()
    assert published.status == Status.APPROVED

    file(published, "three@example.org")

    published.refresh_from_db()
    assert published.status == Status.PENDING
    withdrawal = Decision.objects.get(comment=published, to_status=Status.PENDING)
    assert withdrawal.automatic and withdrawal.from_status == Status.APPROVED
    assert "3 different readers" in withdrawal.note
    threads, _by_id, _version = approved_thread(published.article, "oldest")
    assert published.pk not in [c.id for c in threads]
    assert Comment.objects.filter(pk=published.pk).exists()


def test_withdrawal_can_be_turned_off(published, settings):
    settings.AGORA_REPORTS_WITHDRAW_AFTER = 0
    for n in range(5):
        file(published, f"r{n}@example.org")
    published.refresh_from_db()
    assert published.status == Status.APPROVED


# --- Settling reports ---------------------------------------------------------------------


def test_rejecting_a_reported_comment_upholds_its_reports_and_answers_the_readers(
    published, moderator, django_capture_on_commit_callbacks
):
    file(published, "one@example.org")
    file(published, "two@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        comment_actions.reject(published, moderator, Reason.PERSONAL_ATTACK)

    assert set(Report.objects.values_list("resolution", flat=True)) == {Resolution.UPHELD}
    assert set(Report.objects.values_list("resolved_by", flat=True)) == {moderator.pk}
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]
    assert "removed the comment" in mail.outbox[0].body


def test_dismissing_keeps_a_published_comment(
    published, moderator, django_capture_on_commit_callbacks
):
    file(published, "one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.dismiss(published, moderator) == 1
    published.refresh_from_db()
    assert published.status == Status.APPROVED
    assert Report.objects.get().resolution == Resolution.DISMISSED
    assert "may stay published" in mail.outbox[0].body


def test_dismissing_publishes_a_withdrawn_comment_again_with_a_recorded_decision(
    published, moderator, settings
):
    settings.AGORA_REPORTS_WITHDRAW_AFTER = 1
    file(published, "one@example.org")
    published.refresh_from_db()
    assert published.status == Status.PENDING

    actions.dismiss(published, moderator)

    published.refresh_from_db()
    assert published.status == Status.APPROVED
    last = Decision.objects.filter(comment=published).order_by("-id").first()
    assert (last.from_status, last.to_status, last.moderator) == (
        Status.PENDING,
        Status.APPROVED,
        moderator,
    )
    assert Report.objects.get().resolution == Resolution.DISMISSED


def test_the_answer_is_written_in_the_readers_language(
    client, published, moderator, django_capture_on_commit_callbacks
):
    client.post(
        report_url(published),
        {"reason": "threat", "email": "a@example.org"},
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    assert Report.objects.get().lang == "tr"
    with django_capture_on_commit_callbacks(execute=True):
        comment_actions.reject(published, moderator, Reason.THREAT)
    assert "Thank you" not in mail.outbox[0].body


# --- The Reported queue --------------------------------------------------------------------


def test_reported_queue_lists_most_reported_then_riskiest_with_reasons_and_texts(
    staff_client, article, settings
):
    settings.AGORA_REPORTS_WITHDRAW_AFTER = 0

    def comment(risk):
        return Comment.objects.create(
            article=article,
            author_name="A",
            author_email="a@example.org",
            body=f"Risk {risk}",
            status=Status.APPROVED,
            risk=risk,
        )

    calm, risky, popular, unreported = comment(0.1), comment(0.9), comment(0.2), comment(0.99)
    file(calm, "one@example.org")
    file(risky, "one@example.org", reason=Reason.THREAT)
    for n in range(3):
        file(popular, f"r{n}@example.org")
    actions.file_report(
        calm.pk,
        actions.NewReport(
            reason="illegal", email="lawyer@example.org", law="Art. 5", explanation="Defames me."
        ),
    )

    response = staff_client.get(reverse("reports:reported"))

    order = [c.pk for c in response.context["comments"]]
    assert order == [popular.pk, calm.pk, risky.pk]
    assert unreported.pk not in order
    html = response.content.decode()
    assert "Art. 5" in html and "Defames me." in html and "lawyer@example.org" in html
    assert "Illegal content" in html and "Threat" in html


def test_auditors_read_the_reported_queue_and_dismiss_nothing(client, published, token_headers):
    file(published, "one@example.org")
    auditor = user_in(AUDITOR, "auditor")
    client.force_login(auditor)
    page = client.get(reverse("reports:reported"))
    assert [c.pk for c in page.context["comments"]] == [published.pk]
    assert "dismiss-form" not in page.content.decode()
    assert client.post(reverse("reports:dismiss", args=[published.pk])).status_code == 403
    url = f"/api/v1/moderation/comments/{published.pk}/reports/dismiss"
    assert client.post(url, **token_headers(auditor)).status_code == 403
    assert Report.objects.get().resolution == Resolution.OPEN


def test_a_moderator_sees_the_reports_of_her_desks_only(client, published):
    file(published, "one@example.org")
    arabic = user_in(MODERATOR, "arabic-mod", desks=[arabic_desk()])
    client.force_login(arabic)
    assert client.get(reverse("reports:reported")).context["comments"] == []
    assert client.post(reverse("reports:dismiss", args=[published.pk])).status_code == 404


def test_the_reported_queue_needs_a_moderator(client, django_user_model):
    assert client.get(reverse("reports:reported")).status_code == 302
    reader = django_user_model.objects.create_user("reader", password="a-long-password-1")
    client.force_login(reader)
    assert client.get(reverse("reports:reported")).status_code == 403
    assert client.post(reverse("reports:dismiss", args=[1])).status_code == 403


def test_dismiss_from_the_queue(staff_client, published):
    file(published, "one@example.org")
    response = staff_client.post(reverse("reports:dismiss", args=[published.pk]))
    assert response.status_code == 302
    assert Report.objects.get().resolution == Resolution.DISMISSED
    again = staff_client.post(
        reverse("reports:dismiss", args=[published.pk]), HTTP_ACCEPT="application/json"
    )
    assert again.status_code == 409


def test_rejecting_from_the_queue_page_uses_the_ordinary_reject(staff_client, published):
    file(published, "one@example.org")
    staff_client.post(
        reverse("moderation:reject", args=[published.pk]),
        {"reason": "threat", "expected_status": "approved"},
    )
    published.refresh_from_db()
    assert published.status == Status.REJECTED
    assert published.body == "Whoever voted for this dam is a criminal and should be locked up."
    assert Report.objects.get().resolution == Resolution.UPHELD
    assert staff_client.get(reverse("reports:reported")).context["comments"] == []


def test_the_moderation_api_lists_and_dismisses_reports(client, published, auth):
    file(published, "one@example.org", reason=Reason.THREAT)
    listing = client.get("/api/v1/moderation/reported", **auth)
    assert listing.status_code == 200
    [item] = listing.json()["comments"]
    assert (item["id"], item["open_reports"], item["reports"][0]["reason"]) == (
        published.pk,
        1,
        "threat",
    )
    dismissed = client.post(f"/api/v1/moderation/comments/{published.pk}/reports/dismiss", **auth)
    assert dismissed.status_code == 200 and dismissed.json()["dismissed"] == 1
    again = client.post(f"/api/v1/moderation/comments/{published.pk}/reports/dismiss", **auth)
    assert again.status_code == 409
    missing = client.post("/api/v1/moderation/comments/999999/reports/dismiss", **auth)
    assert missing.status_code == 404


def test_the_moderation_api_needs_a_token(client, published):
    assert client.get("/api/v1/moderation/reported").status_code == 401
    url = f"/api/v1/moderation/comments/{published.pk}/reports/dismiss"
    assert client.post(url).status_code == 401


def test_the_embed_may_report_from_an_allowed_site(client, published, settings):
    site = "https://news.example.org"
    settings.AGORA_ALLOWED_ORIGINS = [site]
    url = f"/api/v1/comments/{published.pk}/reports"
    preflight = client.options(
        url,
        headers={
            "Origin": site,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == site
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    response = client.post(
        url,
        data={"reason": "threat", "email": "a@example.org"},
        content_type="application/json",
        headers={"Origin": site},
    )
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == site
    other = client.options(
        url,
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in other


def test_the_admin_shows_reports_and_measures_read_only(client, published, django_user_model):
    file(published, "one@example.org")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-pw-1")
    client.force_login(admin)
    for model in ("reports/report", "commenters/commenteraction"):
        assert client.get(f"/admin/{model}/").status_code == 200
        assert client.get(f"/admin/{model}/add/").status_code == 403
    report = Report.objects.get()
    assert (
        client.post(f"/admin/reports/report/{report.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Report.objects.exists()
