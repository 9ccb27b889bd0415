"""Reader reports and commenter measures in a real browser: reporting from the article
page and from the embed, the Reported queue, and a ban refusing a post."""

import pytest
from playwright.sync_api import expect
from roles import user_in

from agora.comments.models import Comment, Status
from agora.desks.roles import CHIEF, MODERATOR
from agora.reports import actions
from agora.reports.models import Report, Resolution

from . import helpers
from .helpers import EMBED, embed_page, wait_for_embed

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"  # tests/roles.py gives every user this one


def log_in(page, base_url: str, user):
    helpers.log_in(page, base_url, user.get_username(), PASSWORD)


def test_a_reader_reports_a_comment_from_the_article_page(page, live_server, article, published):
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.locator(f"#comment-{published.pk} .comment-report").click()

    page.get_by_label("Personal attack").check()
    page.get_by_label("Your email").fill("ava@example.org")
    page.get_by_label("Explanation").fill("Calls the council members criminals.")
    page.get_by_role("button", name="Send the report").click()

    page.locator("[data-report-answer]").filter(has_text="Your report was received").wait_for()
    report = Report.objects.get()
    assert (report.comment_id, report.reason, report.email) == (
        published.pk,
        "personal_attack",
        "ava@example.org",
    )
    assert report.explanation == "Calls the council members criminals."


def test_illegal_content_reported_from_the_page_asks_for_the_law(
    page, live_server, article, published
):
    page.goto(f"{live_server.url}/comments/{published.pk}/report/")
    page.get_by_label("Illegal content").check()
    page.get_by_label("Your email").fill("ava@example.org")
    page.get_by_role("button", name="Send the report").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "Name the law or ground" in summary.inner_text()
    assert not Report.objects.exists()


def test_a_reader_reports_a_comment_from_the_embed(page, other_site, live_server, published):
    other_site.pages["/story.html"] = embed_page(live_server.url, published.article.slug, "en")
    page.goto(f"{other_site.url}/story.html")
    wait_for_embed(page)

    page.locator(f"{EMBED} button", has_text="Report").click()
    form = page.locator(f"{EMBED} .report")
    law = form.get_by_label("Which law or ground does it break?")
    assert law.is_hidden()
    form.get_by_label("Illegal content").check()
    law.fill("Penal code, article 216")
    form.get_by_label("Explanation").fill("It calls for people to be locked up.")
    form.get_by_label("Your email").fill("lawyer@example.org")
    form.get_by_role("button", name="Send the report").click()

    form.locator(".status").filter(has_text="Your report was received").wait_for()
    report = Report.objects.get()
    assert (report.comment_id, report.reason, report.law) == (
        published.pk,
        "illegal",
        "Penal code, article 216",
    )


def test_the_reported_queue_dismisses_and_rejects(page, live_server, article, published):
    calm = Comment.objects.create(
        article=article,
        author_name="Sara",
        author_email="sara@example.org",
        body="The dam will flood the old mill.",
        status=Status.APPROVED,
    )
    for email in ("one@example.org", "two@example.org"):
        actions.file_report(published.pk, actions.NewReport(reason="threat", email=email))
    actions.file_report(
        calm.pk,
        actions.NewReport(reason="off_topic", email="one@example.org", explanation="Not true."),
    )
    log_in(page, live_server.url, user_in(MODERATOR, "mod"))

    page.get_by_role("link", name="Reported").click()
    items = page.locator("#reported > li")
    expect(items).to_have_count(2)  # waits for the page the click opens
    assert published.body in items.nth(0).inner_text()  # most reported first
    assert "2 open reports" in items.nth(0).inner_text()
    assert "Not true." in items.nth(1).inner_text()

    items.nth(1).get_by_role("button", name="Dismiss the reports").click()
    page.locator("#live").filter(has_text="it stays published").wait_for()
    expect(page.locator("#reported > li")).to_have_count(1)

    first = page.locator("#reported > li").first
    first.locator("select[name=reason]").select_option("threat")
    first.get_by_role("button", name="Reject instead").click()
    page.locator("#live").filter(has_text="Rejected comment").wait_for()
    published.refresh_from_db()
    assert published.status == Status.REJECTED
    assert published.body.startswith("Whoever voted")
    assert set(Report.objects.values_list("resolution", flat=True)) == {
        Resolution.UPHELD,
        Resolution.DISMISSED,
    }
    page.goto(f"{live_server.url}/moderation/reported/")
    assert "No comment has open reports." in page.locator("#reported").inner_text()


def test_a_ban_refuses_the_commenters_next_post(page, browser, live_server, article, published):
    log_in(page, live_server.url, user_in(CHIEF, "chief"))
    page.goto(f"{live_server.url}/moderation/comments/{published.pk}/")
    page.get_by_role("link", name="Commenter", exact=True).click()
    page.get_by_label("Measure", exact=True).select_option("ban")
    page.locator(".measure-form").get_by_label("Reason").fill("Threatens council members.")
    page.get_by_role("button", name="Take this measure").click()
    page.locator("[data-measure=ban]").wait_for()

    reader = browser.new_context(locale="en-US").new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    reader.fill("#id_author_name", "Hêvî")
    reader.fill("#id_author_email", "HEVI@example.org")
    reader.fill("#id_body", "You cannot silence me, I will post again.")
    reader.get_by_role("button", name="Send for moderation").click()

    alert = reader.locator("[data-error-summary]")
    alert.wait_for()
    assert "banned this email address" in alert.inner_text()
    assert reader.locator("#id_body").input_value().startswith("You cannot silence me")
    assert Comment.objects.filter(author_email__iexact="hevi@example.org").count() == 1
    reader.context.close()
