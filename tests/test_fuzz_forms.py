"""Property tests of the comment form and of posting on the article page.

Whatever a reader (or a bot) sends, the form never raises, a comment it accepts
is one the policy allows to store, the page answers 302 only when a comment is
stored (or was stored already under the same form token) and otherwise stores
nothing, and nothing makes it fail with a 5xx.
"""

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agora.comments import actions
from agora.comments.forms import CommentForm, CommentPageForm
from agora.comments.models import BODY_MAX_LENGTH, BODY_MIN_LENGTH, NAME_MAX_LENGTH, Comment, Status
from agora.comments.validators import forbidden_character

POST_URL = "/articles/river-dam-vote/comments/"
# The last is the honeypot (agora.protection.honeypot): a bot that fills it stores nothing.
FIELDS = ("author_name", "author_email", "body", "parent_id", "idempotency_token", "homepage")
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def thread(article, moderator, settings):
    """Two published comments to reply to, one pending; no rate limits or flood
    checks, which would refuse most of the generated posts for other reasons."""
    settings.AGORA_RATELIMIT_ENABLED = False
    settings.AGORA_FLOOD = {**settings.AGORA_FLOOD, "enabled": False}
    comments = []
    for n in range(3):
        comment = Comment.objects.create(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment {n} on the dam vote.",
        )
        if n < 2:
            actions.approve(comment, moderator)
        comments.append(comment)
    return comments


# Text as a browser might send it: anything, things that look nearly right, and
# comments that are fine (so the storing path is exercised as much as the refusals).
ANY_TEXT = st.text(max_size=300) | st.lists(
    st.text(max_size=20) | st.characters(categories=["Cc", "Cs", "Cf", "Zl"]), max_size=20
).map("".join)
FINE = {
    "author_name": st.text(
        st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=80
    ),
    "author_email": st.emails(),
    "body": st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=2, max_size=600),
}
PLAUSIBLE = {
    "author_name": st.text(st.characters(categories=["L", "N", "Zs", "P"]), max_size=100),
    "author_email": st.emails() | st.from_regex(r"[^@\s]{0,20}@?[^@\s]{0,20}", fullmatch=True),
    "body": st.text(st.characters(exclude_categories=["Cs"]), max_size=BODY_MAX_LENGTH + 20)
    | st.text(max_size=20),
    "parent_id": st.integers(-5, 2**64).map(str) | st.sampled_from(["", " 1", "1.0", "²", "0x1"]),
    "idempotency_token": st.from_regex(r"[A-Za-z0-9_-]{14,66}", fullmatch=True) | ANY_TEXT,
}
EXTRAS = {name: PLAUSIBLE[name] | ANY_TEXT for name in ("parent_id", "idempotency_token")}
EXTRAS["homepage"] = st.sampled_from(["", " "]) | ANY_TEXT
FORM_DATA = st.one_of(
    st.fixed_dictionaries(FINE, optional=EXTRAS),
    st.fixed_dictionaries(
        {}, optional={name: strategy | ANY_TEXT for name, strategy in PLAUSIBLE.items()}
    ),
)


@PROPERTY_SETTINGS
@given(data=FORM_DATA)
def test_the_comment_form_never_raises_and_accepts_only_what_may_be_stored(thread, data):
    article = thread[0].article
    before = Comment.objects.count()
    for form_class in (CommentForm, CommentPageForm):
        form = form_class(data, article=article)
        if not form.is_valid():
            assert form.errors
            event(f"{form_class.__name__} refused")
            continue
        event(f"{form_class.__name__} accepted")
        new = form.new_comment()
        assert 1 <= len(new.author_name) <= NAME_MAX_LENGTH
        assert BODY_MIN_LENGTH <= len(new.body) <= BODY_MAX_LENGTH
        assert new.author_name == new.author_name.strip() and new.body == new.body.strip()
        assert "@" in new.author_email
        for text in (new.author_name, new.author_email, new.body):
            assert forbidden_character(text) is None
        # A reply always attaches to a published top-level comment of this article.
        assert new.parent is None or (
            new.parent.pk == thread[0].pk or new.parent.pk == thread[1].pk
        )
    assert Comment.objects.count() == before  # validating stores nothing


def urlencoded(fields: dict[str, str | bytes]) -> bytes:
    def encoded(value) -> bytes:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return quote_from_bytes(raw).encode()

    return b"&".join(encoded(name) + b"=" + encoded(value) for name, value in fields.items())


# What reaches the server: the form data above as UTF-8, with fields replaced by any bytes.
RAW_FORMS = st.tuples(
    FORM_DATA, st.dictionaries(st.sampled_from(FIELDS), st.binary(max_size=200), max_size=2)
).map(lambda parts: {**parts[0], **parts[1]})


@PROPERTY_SETTINGS
@given(fields=RAW_FORMS)
def test_posting_any_form_stores_one_comment_with_a_302_or_nothing(client, thread, fields):
    before = dict(Comment.objects.values_list("pk", "idempotency_key"))
    response = client.generic(
        "POST", POST_URL, urlencoded(fields), content_type="application/x-www-form-urlencoded"
    )
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400), response.status_code
    stored = Comment.objects.exclude(pk__in=before)
    if response.status_code == 400:
        assert not stored.exists()
        return
    assert response["Location"].endswith("#comment-form")
    honeypot = fields.get("homepage", "")
    honeypot = honeypot.decode("utf-8", "replace") if isinstance(honeypot, bytes) else honeypot
    assert not honeypot.strip()
    if not stored.exists():
        # Not stored again: the same form (its token) already sent exactly this comment,
        # or, with no token, exactly this comment was already sent without one.
        token = fields.get("idempotency_token", "")
        token = token.decode() if isinstance(token, bytes) else token
        token = token.strip() or "content"
        assert any(key and key.startswith(f"page:{token}:") for key in before.values())
        return
    (comment,) = stored
    assert comment.status == Status.PENDING and comment.article_id == thread[0].article_id
    for text in (comment.author_name, comment.author_email, comment.body):
        assert forbidden_character(text) is None
