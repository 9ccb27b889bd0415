"""The settings page of chief moderators: the newsroom's moderation settings (the
environment's values until changed there), its desks, and the audit trail of both.
Every change goes through the page and is checked where it acts: reports, posting,
closing, the repeat-offender policy, a desk's queue."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from roles import user_in

from agora.articles.models import Article
from agora.commenters.models import CommenterAction
from agora.comments import actions as comment_actions
from agora.comments.models import Comment, Reason, Status
from agora.desks.models import Desk
from agora.desks.roles import MODERATOR
from agora.newsroom import knobs
from agora.newsroom.models import Change, StoredSetting

SETTINGS_URL = reverse("moderation:settings")
# The page's form as the environment's defaults fill it (tests' settings).
DEFAULTS = {
    "reports_withdraw_after": 3,
    "close_comments_after_days": 0,
    "repeat_offender_rejections": 0,
    "repeat_offender_days": 30,
    "repeat_offender_suspend_days": 7,
}


def save(client, **changes):
    return client.post(SETTINGS_URL, {**DEFAULTS, **changes})


def report(client, comment, email):
    return client.post(
        f"/api/v1/comments/{comment.pk}/reports",
        data={"reason": Reason.PERSONAL_ATTACK, "email": email},
        content_type="application/json",
    )


def api_post(client, article, email="reader@example.org"):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments",
        data={
            "author_name": "Reader",
            "author_email": email,
            "body": "Thank you for explaining why the council chose to rebuild the dam.",
        },
        content_type="application/json",
    )


# --- Settings -----------------------------------------------------------------------------


def test_the_page_shows_the_environments_values_until_a_chief_changes_one(chief_client, settings):
    settings.AGORA_REPORTS_WITHDRAW_AFTER = 4
    html = chief_client.get(SETTINGS_URL).content.decode()

    assert 'name="reports_withdraw_after" value="4"' in html
    assert "Server default (AGORA_REPORTS_WITHDRAW_AFTER): 4." in html
    assert knobs.current("reports_withdraw_after") == 4
    assert not StoredSetting.objects.exists()


def test_a_change_is_stored_recorded_and_used_by_reports(chief_client, chief, published, client):
    response = save(chief_client, reports_withdraw_after=1)

    assert response.status_code == 302
    change = Change.objects.get()
    assert (change.subject, change.name, change.old, change.new) == (
        Change.SETTING,
        "reports_withdraw_after",
        3,
        1,
    )
    assert change.moderator == chief
    page = chief_client.get(SETTINGS_URL).content.decode()
    assert "Reports that withdraw a comment" in page and ">chief<" in page

    client.logout()
    assert report(client, published, "one@example.org").status_code == 201
    published.refresh_from_db()
    assert published.status == Status.PENDING  # one reader was enough


def test_saving_unchanged_values_records_nothing(chief_client):
    save(chief_client)
    save(chief_client, reports_withdraw_after=2)
    save(chief_client, reports_withdraw_after=2)

    assert Change.objects.count() == 1
    assert StoredSetting.objects.get().value == 2


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("reports_withdraw_after", "-1", "greater than or equal to 0"),
        ("close_comments_after_days", "99999", "less than or equal to 3650"),
        ("repeat_offender_days", "0", "greater than or equal to 1"),
        ("repeat_offender_suspend_days", "seven", "Enter a whole number."),
        ("repeat_offender_rejections", "-3", "greater than or equal to 0"),
        ("reports_withdraw_after", "", "This field is required."),
    ],
)
def test_bad_values_get_form_errors_and_nothing_is_stored(chief_client, field, value, error):
    response = save(chief_client, **{"repeat_offender_rejections": 5, field: value})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not StoredSetting.objects.exists() and not Change.objects.exists()


def test_closing_after_days_set_on_the_page_closes_old_articles(chief_client, client, article):
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=40))
    assert api_post(client, article).status_code == 202

    save(chief_client, close_comments_after_days=30)

    response = api_post(client, article, email="later@example.org")
    assert response.status_code == 403
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments closed on" in page


def test_the_repeat_offender_policy_set_on_the_page_suspends(
    chief_client, chief, client, article, django_capture_on_commit_callbacks
):
    save(chief_client, repeat_offender_rejections=2, repeat_offender_suspend_days=3)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            comment = Comment.objects.create(
                article=article, author_name="O", author_email="often@example.org", body=f"x{n}"
            )
            comment_actions.reject(comment, chief, Reason.PERSONAL_ATTACK)

    suspension = CommenterAction.objects.get()
    assert suspension.automatic and suspension.rejections == 2
    assert timedelta(days=2) < suspension.until - timezone.now() <= timedelta(days=3)
    client.logout()
    assert api_post(client, article, email="often@example.org").status_code == 403


def test_trusted_commenters_are_approved_once_the_switch_is_on(chief_client, chief, article):
    from agora.commenters import actions as commenter_actions

    commenter_actions.take("trusted@example.org", "trusted", chief, "Years of good comments.")
    save(chief_client, trusted_auto_approve="on")
    assert knobs.current("trusted_auto_approve") is True

    comment, _ = comment_actions.post_comment(
        comment_actions.NewComment(
            article=article,
            author_name="Trusted",
            author_email="trusted@example.org",
            body="Thank you for explaining why the council chose to rebuild the dam.",
        )
    )
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


def test_a_stored_value_is_cached_and_a_change_replaces_it(chief):
    from agora.newsroom import actions

    # Outside a transaction the stored values are read once and then come from the cache.
    cache.set(knobs.CACHE_KEY, {"reports_withdraw_after": 9})
    assert knobs.current("reports_withdraw_after") == 9
    actions.change_settings(chief, {"reports_withdraw_after": 5})
    assert knobs.current("reports_withdraw_after") == 5


# --- Desks --------------------------------------------------------------------------------


def test_a_chief_creates_renames_and_staffs_a_desk(chief_client, client, article):
    moderator = user_in(MODERATOR, "rojda")
    sport = Article.objects.create(
        slug="cup-final", title="Cup final", url="https://paper.example/sport/cup-final"
    )
    ours = Comment.objects.create(
        article=sport, author_name="A", author_email="a@x.org", body="Goal!", lang="en"
    )
    Comment.objects.create(
        article=article, author_name="B", author_email="b@x.org", body="Dam.", lang="en"
    )

    response = chief_client.post(
        reverse("moderation:desk-new"),
        {"name": "Sport", "sections": "sport, /football/", "members": [moderator.pk]},
    )
    assert response.status_code == 302
    desk = Desk.objects.get()
    assert (desk.sections, desk.languages) == (["sport", "football"], [])
    assert list(desk.members.all()) == [moderator]

    form = chief_client.get(reverse("moderation:desk", args=[desk.pk])).content.decode()
    assert 'value="Sport"' in form and 'value="sport, football"' in form
    assert re.search(f'value="{moderator.pk}" id="id_members_\\d+" checked', form)
    response = chief_client.post(
        reverse("moderation:desk", args=[desk.pk]),
        {"name": "Sport (English)", "languages": ["en"], "sections": "sport"},
    )
    assert response.status_code == 302
    desk.refresh_from_db()
    assert (desk.name, desk.languages, list(desk.members.all())) == ("Sport (English)", ["en"], [])

    created, renamed = Change.objects.filter(subject=Change.DESK).order_by("id")
    assert created.old is None and created.new["members"] == ["rojda"]
    assert renamed.old["name"] == "Sport" and renamed.new["name"] == "Sport (English)"
    page = chief_client.get(SETTINGS_URL).content.decode()
    assert "Desk: Sport (English)" in page

    desk.members.add(moderator)
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue"))
    assert [c.pk for c in queue.context["comments"]] == [ours.pk]


def test_a_desk_needs_a_free_name_and_plain_sections(chief_client):
    Desk.objects.create(name="Arabic", languages=["ar"])

    taken = chief_client.post(reverse("moderation:desk-new"), {"name": "Arabic"})
    slashes = chief_client.post(
        reverse("moderation:desk-new"), {"name": "Sport", "sections": "sport/football"}
    )
    wrong_language = chief_client.post(
        reverse("moderation:desk-new"), {"name": "Klingon", "languages": ["tlh"]}
    )

    assert taken.status_code == slashes.status_code == wrong_language.status_code == 400
    assert "Another desk already has this name." in taken.content.decode()
    assert "without slashes: sport/football" in slashes.content.decode()
    assert "tlh is not one of the available choices" in wrong_language.content.decode()
    assert Desk.objects.count() == 1 and not Change.objects.exists()


def test_only_people_who_decide_can_be_put_on_a_desk(chief_client):
    auditor = user_in("Auditor", "auditor")
    desk_page = chief_client.get(SETTINGS_URL).content.decode()
    assert "auditor" not in desk_page.split('class="desk-form"')[1]

    response = chief_client.post(
        reverse("moderation:desk-new"), {"name": "Audit", "members": [auditor.pk]}
    )
    assert response.status_code == 400
    assert not Desk.objects.exists()


def test_desks_changed_in_the_admin_are_recorded_too(chief_client, chief):
    desk = Desk.objects.create(name="Arabic", languages=["ar"])
    moderator = user_in(MODERATOR, "rojda")

    response = chief_client.post(
        reverse("admin:desks_desk_change", args=[desk.pk]),
        {
            "name": "Arabic news",
            "languages": '["ar"]',
            "sections": '["news"]',
            "members": [moderator.pk],
        },
    )
    assert response.status_code == 302
    chief_client.post(reverse("admin:desks_desk_delete", args=[desk.pk]), {"post": "yes"})

    changed, deleted = Change.objects.filter(subject=Change.DESK).order_by("id")
    assert changed.old == {"name": "Arabic", "languages": ["ar"], "sections": [], "members": []}
    assert changed.new["members"] == ["rojda"] and changed.new["sections"] == ["news"]
    assert (deleted.name, deleted.new, deleted.moderator) == ("Arabic news", None, chief)
    assert not Desk.objects.exists()
