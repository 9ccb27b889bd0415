"""CommentForm (shared by the page and the API) and the page form's idempotency key."""

import pytest

from agora.comments import actions
from agora.comments.forms import CommentForm, CommentPageForm
from agora.comments.models import BODY_MAX_LENGTH, NAME_MAX_LENGTH, Status

VALID = {
    "author_name": "Dara",
    "author_email": "dara@example.org",
    "body": "The new dam should have a fish ladder.",
}


def post(article, **fields):
    new, _ = actions.post_comment(actions.NewComment(article=article, **fields))
    return new


@pytest.fixture
def approved(article, moderator):
    comment = post(article, author_name="Amira", author_email="a@example.org", body="First!")
    actions.approve(comment, moderator)
    return comment


def form(article, form_class=CommentForm, **overrides):
    return form_class({**VALID, **overrides}, article=article)


def test_a_valid_form_gives_the_comment_to_store(article):
    bound = form(article, author_name="  Dara  ", body="  The new dam should have a fish ladder.\n")
    assert bound.is_valid(), bound.errors
    new = bound.new_comment(idempotency_key="k-1")
    assert (new.article, new.author_name, new.author_email) == (
        article,
        "Dara",
        VALID["author_email"],
    )
    assert new.body == "The new dam should have a fish ladder."
    assert new.parent is None
    assert new.idempotency_key == "k-1"


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
@pytest.mark.parametrize("empty", ["", "   "])
def test_name_email_and_text_are_required(article, field, empty):
    bound = form(article, **{field: empty})
    assert not bound.is_valid()
    assert list(bound.errors) == [field]


@pytest.mark.parametrize(
    "body, ok",
    [
        ("a", False),
        ("ab", True),
        ("x" * BODY_MAX_LENGTH, True),
        ("x" * (BODY_MAX_LENGTH + 1), False),
    ],
)
def test_comment_text_is_two_to_five_thousand_characters(article, body, ok):
    assert form(article, body=body).is_valid() is ok


def test_the_name_has_a_maximum_length(article):
    assert form(article, author_name="n" * NAME_MAX_LENGTH).is_valid()
    assert "author_name" in form(article, author_name="n" * (NAME_MAX_LENGTH + 1)).errors


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.org", "a b@example.org"])
def test_the_email_must_be_an_address(article, email):
    assert list(form(article, author_email=email).errors) == ["author_email"]


def test_a_reply_to_an_approved_comment_is_accepted(article, approved):
    bound = form(article, parent_id=approved.pk)
    assert bound.is_valid(), bound.errors
    assert bound.new_comment().parent == approved


def test_a_reply_to_a_reply_joins_the_top_level_thread(article, approved, moderator):
    reply = post(
        article, author_name="B", author_email="b@example.org", body="Yes", parent=approved
    )
    actions.approve(reply, moderator)
    bound = form(article, parent_id=reply.pk)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["parent_id"] == approved.pk
    assert bound.new_comment().parent == approved


def test_a_reply_to_a_pending_comment_is_refused(article):
    pending = post(article, author_name="P", author_email="p@example.org", body="Waiting")
    assert pending.status == Status.PENDING
    assert list(form(article, parent_id=pending.pk).errors) == ["parent_id"]


def test_a_reply_to_a_rejected_comment_is_refused(article, approved, moderator):
    actions.reject(approved, moderator, "off_topic")
    assert list(form(article, parent_id=approved.pk).errors) == ["parent_id"]


def test_a_reply_to_an_unknown_comment_or_another_article_is_refused(article, approved):
    from agora.articles.models import Article

    other = Article.objects.create(slug="other", title="Another story")
    assert list(form(article, parent_id=approved.pk + 1000).errors) == ["parent_id"]
    assert list(form(other, parent_id=approved.pk).errors) == ["parent_id"]


def test_a_closed_article_refuses_comments(article):
    article.comments_open = False
    bound = form(article)
    assert not bound.is_valid()
    assert bound.non_field_errors() == ["Comments are closed on this article."]


class TestPageFormIdempotency:
    TOKEN = "Qm9vbXRva2VuLXRlc3Q"

    def key(self, article, **overrides):
        bound = form(article, CommentPageForm, idempotency_token=self.TOKEN, **overrides)
        assert bound.is_valid(), bound.errors
        return bound.idempotency_key()

    def test_the_same_submission_gives_the_same_key(self, article):
        assert self.key(article) == self.key(article)
        assert self.TOKEN in self.key(article)

    def test_a_changed_text_under_the_same_token_is_a_new_comment(self, article):
        assert self.key(article) != self.key(article, body="Something else entirely.")

    def test_without_a_token_the_content_is_the_key(self, article):
        def key(**overrides):
            bound = form(article, CommentPageForm, **overrides)
            assert bound.is_valid(), bound.errors
            return bound.idempotency_key()

        assert key() == key() != self.key(article)
        assert key() != key(body="Something else entirely.")

    @pytest.mark.parametrize(
        "token", ["short", "has spaces in it here", "<script>x</script>aaaaaaaa"]
    )
    def test_a_malformed_token_is_an_error(self, article, token):
        assert list(form(article, CommentPageForm, idempotency_token=token).errors) == [
            "idempotency_token"
        ]


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x7f", "\ud800"])
def test_control_characters_and_surrogates_are_refused_in_every_field(article, field, bad):
    data = {"author_name": "Rezan", "author_email": "rezan@example.org", "body": "Fair point."}
    data[field] = data[field][:2] + bad + data[field][2:]
    form = CommentForm(data, article=article)
    assert not form.is_valid()
    assert field in form.errors


def test_line_breaks_and_tabs_are_kept(article):
    data = {
        "author_name": "Rezan",
        "author_email": "rezan@example.org",
        "body": "First line.\r\n\r\n\tSecond line.",
    }
    form = CommentForm(data, article=article)
    assert form.is_valid(), form.errors
