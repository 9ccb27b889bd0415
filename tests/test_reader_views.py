"""What a reader sees and does: the home page, the article page, the thread and the post form."""

import io
import re
import secrets

import pytest
from django.core.management import call_command
from django.utils.html import escape

from agora.articles.models import Article
from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.pages import demo

ARTICLE_URL = "/articles/river-dam-vote/"
POST_URL = "/articles/river-dam-vote/comments/"
SECRET_EMAIL = "hidden.reader@example.org"


def store(article, body, *, name="Reader", email=SECRET_EMAIL, parent=None):
    comment, _ = actions.post_comment(
        actions.NewComment(
            article=article, author_name=name, author_email=email, body=body, parent=parent
        )
    )
    return comment


@pytest.fixture
def thread(article, moderator):
    """Two approved top-level comments, an approved reply, and one pending and one rejected."""
    first = store(article, "First approved comment.", name="Amira", email="amira@example.org")
    reply = store(
        article, "An approved reply.", name="Dara", email="dara@example.org", parent=first
    )
    second = store(article, "Second approved comment.", name="Yusuf", email="yusuf@example.org")
    pending = store(article, "A pending comment nobody may see yet.", name="Nisa")
    rejected = store(article, "A rejected comment nobody may see.", name="Spammer")
    for comment in (first, reply, second):
        actions.approve(comment, moderator)
    actions.reject(rejected, moderator, "promotion")
    return {
        "first": first,
        "reply": reply,
        "second": second,
        "pending": pending,
        "rejected": rejected,
    }


def page(client, url=ARTICLE_URL, status=200):
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def form_data(**overrides):
    return {
        "author_name": "Leyla",
        "author_email": "leyla@example.org",
        "body": "The dam vote was long overdue.",
        "idempotency_token": "tok_ABCDEFGHIJKLMNOP",
        **overrides,
    }


def token_of(html):
    return re.search(r'name="idempotency_token" value="([^"]+)"', html).group(1)


# --- Pages ---------------------------------------------------------------


def test_home_page_lists_articles_with_their_published_comment_count(client, article, thread):
    Article.objects.create(slug="second-story", title="A second story", standfirst="More news.")
    html = page(client, "/")
    assert article.title in html and "A second story" in html
    assert f'href="{ARTICLE_URL}"' in html
    assert "3 comments" in html  # the pending and the rejected comment are not counted
    assert "0 comments" in html


def test_article_page_shows_the_article(client, article):
    article.body = "First paragraph.\n\nSecond paragraph."
    article.save()
    html = page(client)
    assert "<h1>Council votes to rebuild the river dam</h1>" in html
    assert "By Test Reporter" in html
    assert article.standfirst in html
    assert "<p>First paragraph.</p>" in html and "<p>Second paragraph.</p>" in html
    assert f'datetime="{article.published_at.isoformat()}"' in html


def test_article_page_has_accessible_text_size_controls(client, article):
    html = page(client)
    assert 'aria-label="Make the article text larger"' in html
    assert 'aria-label="Make the article text smaller"' in html
    assert 'src="/static/agora/article.js"' in html
    assert "data-article-text" in html


def test_right_to_left_articles_are_marked_as_such(client, db):
    Article.objects.create(slug="souk", title="سوق جديد", language="ar")
    html = page(client, "/articles/souk/")
    assert 'lang="ar" dir="rtl"' in html


def test_unknown_article_is_404(client, db):
    page(client, "/articles/no-such-story/", status=404)
    assert client.post("/articles/no-such-story/comments/", form_data()).status_code == 404
    assert not Comment.objects.exists()


def test_community_guidelines_are_shown(client, article):
    html = page(client)
    assert "Community guidelines" in html
    for rule in ("swearing", "threats", "personal attacks", "racism", "advertising"):
        assert rule in html
    assert "We never edit comments" in html
    assert "your email address is never shown" in html


# --- The thread ----------------------------------------------------------


def test_only_approved_comments_are_shown_and_counted(client, thread):
    html = page(client)
    assert "3 comments" in html
    for key in ("first", "reply", "second"):
        assert thread[key].body in html
    assert thread["pending"].body not in html
    assert thread["rejected"].body not in html
    assert "Spammer" not in html and "Nisa" not in html


def test_no_email_address_on_any_public_page(client, thread):
    urls = [
        "/",
        ARTICLE_URL,
        f"{ARTICLE_URL}?order=newest",
        f"{ARTICLE_URL}?reply_to={thread['first'].pk}",
    ]
    response = client.post(POST_URL, form_data(author_email="poster@example.org"), follow=True)
    htmls = [page(client, url) for url in urls] + [response.content.decode()]
    for html in htmls:
        for email in (SECRET_EMAIL, "amira@example.org", "dara@example.org", "poster@example.org"):
            assert email not in html
        assert "@example.org" not in html


def test_comments_are_oldest_first_by_default_and_newest_first_on_request(client, thread):
    oldest = page(client)
    assert oldest.index("First approved comment.") < oldest.index("Second approved comment.")
    newest = page(client, f"{ARTICLE_URL}?order=newest")
    assert newest.index("Second approved comment.") < newest.index("First approved comment.")
    assert 'href="/articles/river-dam-vote/?order=newest#comments" aria-current="true"' in newest


def test_replies_are_nested_under_their_parent(client, thread):
    response = client.get(f"{ARTICLE_URL}?order=newest")
    threads = response.context["threads"]
    assert [c.id for c in threads] == [thread["second"].pk, thread["first"].pk]
    assert [c.id for c in threads[1].thread_replies] == [thread["reply"].pk]
    html = response.content.decode()
    first_item = html[html.index(f'id="comment-{thread["first"].pk}"') :]
    replies = first_item[first_item.index('class="comment-replies"') :]
    assert replies.index(f'id="comment-{thread["reply"].pk}"') < replies.index("</ol>")


def test_a_reply_whose_parent_was_withdrawn_stays_visible_at_the_top_level(
    client, thread, moderator
):
    actions.reject(thread["first"], moderator, "off_topic")
    response = client.get(ARTICLE_URL)
    assert [c.id for c in response.context["threads"]] == [thread["reply"].pk, thread["second"].pk]
    html = response.content.decode()
    assert "First approved comment." not in html
    assert "In reply to a comment that is no longer shown." in html
    assert "2 comments" in html


def test_comment_text_and_names_are_shown_as_text_never_html(client, article, moderator):
    comment = store(
        article,
        '<script>alert("x")</script> <b>bold</b>\n\n<img src=x onerror=alert(1)>',
        name="<i>Mallory</i>",
    )
    actions.approve(comment, moderator)
    html = page(client)
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>Mallory" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<p>&lt;img src=x onerror=alert(1)&gt;</p>" in html  # a blank line starts a paragraph
    assert "&lt;i&gt;Mallory&lt;/i&gt;" in html


def test_plain_addresses_become_links_as_in_the_embed(client, article, moderator):
    comment = store(
        article,
        "The report: https://example.org/dam?page=2&x=1.\n"
        'Not this: javascript:alert(1) nor https://x.example/"onmouseover=alert(1)',
    )
    actions.approve(comment, moderator)
    html = page(client)
    link = '<a href="{0}" rel="nofollow ugc noopener">{0}</a>'
    assert link.format("https://example.org/dam?page=2&amp;x=1") + ".<br>" in html
    assert link.format("https://x.example/") + "&quot;onmouseover=alert(1)" in html
    assert 'href="javascript' not in html


def test_the_thread_costs_three_queries_however_long_it_is(
    client, article, moderator, django_assert_num_queries
):
    for n in range(30):
        parent = store(article, f"Comment {n}")
        actions.approve(parent, moderator)
        actions.approve(store(article, f"Reply {n}", parent=parent), moderator)
    # The article (once: agora.articles.decorators), its approved comments.
    with django_assert_num_queries(2):
        html = page(client)
    assert "60 comments" in html


# --- Replying -------------------------------------------------------------


def test_the_reply_link_sets_the_reply_target_without_javascript(client, thread):
    html = page(client)
    link = f'href="{ARTICLE_URL}?reply_to={thread["first"].pk}#comment-form"'
    assert link in html
    html = page(client, f"{ARTICLE_URL}?reply_to={thread['first'].pk}")
    assert "Replying to <bdi>Amira</bdi>" in html
    assert f'name="parent_id" value="{thread["first"].pk}"' in html
    assert "Cancel reply" in html


@pytest.mark.parametrize("target", ["pending", "rejected", "unknown", "junk", "superscript"])
def test_replying_to_an_unavailable_comment_offers_no_reply_target(client, thread, target):
    reply_to = {"unknown": "99999", "junk": "x", "superscript": "²"}.get(target) or thread[
        target
    ].pk
    html = page(client, f"{ARTICLE_URL}?reply_to={reply_to}")
    assert "Replying to" not in html
    assert 'name="parent_id"' not in html
    assert "The comment you wanted to reply to is not available." in html


def test_posting_a_reply_stores_it_under_its_parent(client, thread):
    response = client.post(POST_URL, form_data(parent_id=thread["reply"].pk))
    assert response.status_code == 302
    stored = Comment.objects.get(author_email="leyla@example.org")
    assert stored.parent_id == thread["first"].pk  # a reply to a reply joins the thread


@pytest.mark.parametrize("target", ["pending", "rejected", "unknown"])
def test_a_reply_to_an_unavailable_comment_is_refused(client, thread, target):
    parent_id = 99999 if target == "unknown" else thread[target].pk
    before = Comment.objects.count()
    response = client.post(POST_URL, form_data(parent_id=parent_id))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The comment you are replying to does not exist." in html
    assert 'name="parent_id"' not in html  # sending again posts a plain comment
    assert "The dam vote was long overdue." in html
    assert Comment.objects.count() == before


# --- Posting ---------------------------------------------------------------


def test_posting_stores_a_pending_comment_and_confirms_it_to_that_reader_alone(client, article):
    response = client.post(POST_URL, form_data())
    assert response.status_code == 302
    confirmation = response["Location"]
    assert confirmation.startswith(f"{POST_URL}?sent=") and confirmation.endswith("#comment-form")
    stored = Comment.objects.get()
    assert (stored.author_name, stored.author_email, stored.body, stored.status) == (
        "Leyla",
        "leyla@example.org",
        "The dam vote was long overdue.",
        Status.PENDING,
    )
    answer = client.get(confirmation)
    html = answer.content.decode()
    assert "Your comment was received and will appear here once a moderator" in html
    assert 'role="status"' in html
    assert answer["Cache-Control"] == "private, no-cache" and not answer.has_header("xkey")
    assert "The dam vote was long overdue." not in html  # not before a moderator approves it
    assert "0 comments" in html
    # The article page every reader shares never says it.
    assert "Your comment was received" not in page(client)


def test_a_made_up_confirmation_is_the_plain_article(client, article):
    for sent in ("1", "1:forged:signature"):
        response = client.get(f"{POST_URL}?sent={sent}")
        assert response.status_code == 302
        assert response["Location"] == f"{ARTICLE_URL}#comment-form"


def test_the_posted_comment_appears_once_approved(client, article, moderator):
    client.post(POST_URL, form_data())
    actions.approve(Comment.objects.get(), moderator)
    html = page(client)
    assert "The dam vote was long overdue." in html
    assert "1 comment" in html


def test_the_reading_order_survives_posting(client, article, moderator):
    store(article, "An earlier comment.")
    store(article, "A later comment.")
    for comment in Comment.objects.all():
        actions.approve(comment, moderator)
    response = client.post(f"{POST_URL}?order=newest", form_data())
    assert response["Location"].endswith("&order=newest#comment-form")
    html = page(client, response["Location"])
    assert html.index("A later comment.") < html.index("An earlier comment.")


def test_errors_are_shown_next_to_the_field_the_text_is_kept_and_nothing_stored(client, article):
    response = client.post(POST_URL, form_data(author_email="not-an-email", author_name=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert not Comment.objects.exists()
    # The summary is announced and links to the fields.
    assert 'role="alert"' in html and 'aria-live="assertive"' in html
    assert 'href="#id_author_email"' in html and 'href="#id_author_name"' in html
    # Each error sits with its field and the field points at it.
    assert '<ul class="errorlist" id="id_author_email_error">' in html
    email_input = re.search(r"<input[^>]*id=\"id_author_email\"[^>]*>", html).group(0)
    assert 'aria-describedby="id_author_email_helptext id_author_email_error"' in email_input
    assert 'aria-invalid="true"' in email_input
    assert 'value="not-an-email"' in email_input
    # The reader's words are still there.
    assert ">\nThe dam vote was long overdue.</textarea>" in html
    assert "Your comment was received" not in html


def test_every_field_has_a_label(client, article):
    html = page(client)
    for field in ("author_name", "author_email", "body"):
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html


def test_a_reload_of_the_post_address_goes_back_to_the_article(client, article):
    response = client.get(POST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{ARTICLE_URL}#comment-form"


# --- Double submission ------------------------------------------------------


def test_the_shared_page_has_no_token_and_each_private_page_a_fresh_one(client, article, moderator):
    assert 'name="idempotency_token" value=""' in page(client)  # article.js makes one
    errors = [client.post(POST_URL, form_data(body="", idempotency_token="")) for _ in "ab"]
    first, second = (token_of(response.content.decode()) for response in errors)
    assert first != second
    client.force_login(moderator)
    assert token_of(page(client)) != token_of(page(client))


def test_the_same_submission_twice_creates_one_comment(client, article):
    token = secrets.token_urlsafe(16)  # as article.js makes it
    first = client.post(POST_URL, form_data(idempotency_token=token))
    second = client.post(POST_URL, form_data(idempotency_token=token))
    assert first.status_code == second.status_code == 302
    assert Comment.objects.count() == 1


def test_without_a_token_the_same_words_sent_twice_are_one_comment(client, article):
    for _ in range(2):
        assert client.post(POST_URL, form_data(idempotency_token="")).status_code == 302
    client.post(POST_URL, form_data(idempotency_token="", body="A second thought."))
    assert Comment.objects.count() == 2


def test_a_changed_comment_sent_from_an_old_page_is_not_lost(client, article):
    token = secrets.token_urlsafe(16)
    client.post(POST_URL, form_data(idempotency_token=token))
    client.post(POST_URL, form_data(idempotency_token=token, body="A second thought."))
    assert sorted(Comment.objects.values_list("body", flat=True)) == [
        "A second thought.",
        "The dam vote was long overdue.",
    ]


def test_a_form_with_errors_keeps_its_token(client, article):
    response = client.post(POST_URL, form_data(body=""))
    assert token_of(response.content.decode()) == "tok_ABCDEFGHIJKLMNOP"


# --- Closed articles -----------------------------------------------------------


def test_closed_articles_show_no_form_and_refuse_posts(client, article, thread):
    article.comments_open = False
    article.save()
    html = page(client)
    assert "Comments are closed on this article." in html
    assert "<form" not in html
    assert "Reply</a>" not in html
    assert thread["first"].body in html  # the published discussion stays readable
    before = Comment.objects.count()
    assert client.post(POST_URL, form_data()).status_code == 400
    assert Comment.objects.count() == before


# --- Demo ----------------------------------------------------------------------


def test_loaddemo_runs_twice_without_duplicates_and_every_demo_page_renders(client, db):
    call_command("loaddemo", stdout=io.StringIO())
    counts = (Article.objects.count(), Comment.objects.count(), Decision.objects.count())
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    assert f"password: {demo.MODERATOR_PASSWORD}" in out.getvalue()
    assert (Article.objects.count(), Comment.objects.count(), Decision.objects.count()) == counts
    assert {a.language for a in Article.objects.all()} == {"en", "ar", "tr", "fa", "ckb", "kmr"}
    statuses = set(Comment.objects.values_list("status", flat=True))
    assert statuses == {Status.PENDING, Status.APPROVED, Status.REJECTED}
    assert Comment.objects.filter(parent__isnull=False, status=Status.APPROVED).exists()
    # Reversals left two decisions on a comment.
    assert any(c.decisions.count() == 2 for c in Comment.objects.all())
    assert client.login(username=demo.MODERATOR_USERNAME, password=demo.MODERATOR_PASSWORD)
    client.logout()
    for article in Article.objects.all():
        html = page(client, article.get_absolute_url())
        assert escape(article.title) in html
        assert "@example." not in html
