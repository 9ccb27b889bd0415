"""Fuzzing the JSON API: no input, however odd, makes it fail (5xx).

schemathesis reads /api/v1/openapi.json and calls every operation, reader and
moderator alike, in-process through the WSGI application with inputs that fit
the schema and inputs that break it; each response must be no 5xx and match
what the schema promises. Hypothesis then throws raw bodies (any bytes, any
JSON) at the endpoints that read one: a 202 must mean exactly one stored
comment, anything else must store nothing.

Example counts are bounded so the file runs in about a minute on a busy machine.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from agora.api.models import TOKEN_PREFIX, ApiToken, digest
from agora.comments import actions
from agora.comments.models import Comment, Decision, Status
from agora.wsgi import application

EXAMPLES_PER_OPERATION = 40
# The moderator's token, stored by the `world` fixture and sent by ModeratorBearer.
MODERATOR_TOKEN = TOKEN_PREFIX + "fuzzing-moderator-token-0123456789abcdef"
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same inputs on every run, so a failure reproduces
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(db, article, moderator, settings):
    """An article with published, pending and rejected comments, a moderator's
    token, and no rate limits (they would turn most posts into 429s)."""
    settings.AGORA_RATELIMIT_ENABLED = False
    settings.AGORA_FLOOD = {**settings.AGORA_FLOOD, "enabled": False}
    # Like Django's test client: the WSGI handler would otherwise close the test's
    # database connection (and its transaction) at the end of every request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    comments = []
    for n, status in enumerate([Status.APPROVED, Status.APPROVED, Status.PENDING, Status.REJECTED]):
        comment = Comment.objects.create(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment {n} on the dam vote.",
        )
        if status == Status.APPROVED:
            actions.approve(comment, moderator)
        elif status == Status.REJECTED:
            actions.reject(comment, moderator, "off_topic")
        comments.append(comment)
    ApiToken.objects.create(user=moderator, label="fuzzing", digest=digest(MODERATOR_TOKEN))
    yield {"article": article, "comments": comments, "token": MODERATOR_TOKEN}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Reading the schema touches no database, so it can happen as the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
)


@schema.auth()
class ModeratorBearer:
    """Sends the moderator's token; schemathesis also tries each moderator
    operation without it and with a wrong one, and expects a 401 or 403."""

    def get(self, case, context):
        return MODERATOR_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def aim_at_real_records(case, world) -> None:
    """Point about half of the cases at the article and comments that exist.

    Random slugs and ids almost never name a stored record, which would test
    little but the 404; which half is decided by the generated value, so a run
    is reproducible.
    """
    parameters = case.path_parameters or {}
    slug = parameters.get("slug")
    if isinstance(slug, str) and len(slug) % 2 == 0:
        parameters["slug"] = world["article"].slug
    comment_id = parameters.get("comment_id")
    if isinstance(comment_id, int) and comment_id % 2 == 0:
        parameters["comment_id"] = world["comments"][comment_id % len(world["comments"])].pk


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_generated_request_gets_a_server_error(case, world):
    aim_at_real_records(case, world)
    response = case.call()
    event(f"status {response.status_code}")
    # Every check but "schema-valid input is accepted": the schema cannot say that a
    # cursor must be one the API signed, and leaves what makes a comment acceptable
    # (length, a real email address) to CommentForm, so such input gets a 400.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


# --- Raw bodies ------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
COMMENT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "author_name": JSON | st.text(max_size=120),
        "author_email": JSON | st.emails() | st.text(max_size=300),
        "body": JSON | st.text(max_size=6000),
        "parent_id": JSON | st.integers(),
    },
)
# Mostly acceptable comments, so the storing path is fuzzed as well as the refusals.
PLAUSIBLE_COMMENTS = st.fixed_dictionaries(
    {
        "author_name": st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1),
        "author_email": st.emails(),
        "body": st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=2, max_size=400),
    }
)
BODIES = st.one_of(
    PLAUSIBLE_COMMENTS.map(lambda fields: json.dumps(fields).encode()),
    st.binary(max_size=2000),
    JSON.map(lambda value: json.dumps(value).encode()),
    COMMENT_FIELDS.map(lambda fields: json.dumps(fields).encode()),
    COMMENT_FIELDS.map(
        lambda fields: json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
    ]
)


def assert_json_error_or(response, *ok: int) -> None:
    assert response.status_code < 500, response.content
    if response.status_code not in ok:
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(response.content)
        assert set(data) in ({"errors"}, {"detail"}), data


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, content_type=CONTENT_TYPES)
def test_any_body_posted_as_a_comment_is_stored_once_or_refused(client, world, body, content_type):
    url = f"/api/v1/articles/{world['article'].slug}/comments"
    before = Comment.objects.count()
    response = client.generic("POST", url, body, content_type=content_type)
    assert_json_error_or(response, 202)
    stored = Comment.objects.count() - before
    event(f"status {response.status_code}")
    if response.status_code == 202:
        assert stored == 1
        comment = Comment.objects.get(pk=response.json()["id"])
        assert comment.status == response.json()["status"]
        assert "\x00" not in comment.body + comment.author_name + comment.author_email
    else:
        assert stored == 0


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=BODIES | st.just(b""),
    content_type=CONTENT_TYPES,
    act=st.sampled_from(["approve", "reject"]),
)
def test_any_body_sent_to_a_moderation_action_decides_once_or_is_refused(
    client, world, body, content_type, act
):
    comment = world["comments"][2]
    url = f"/api/v1/moderation/comments/{comment.pk}/{act}"
    decisions = Decision.objects.count()
    response = client.generic(
        "POST", url, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {world['token']}"
    )
    assert_json_error_or(response, 200, 409)
    if response.status_code == 200:
        assert Decision.objects.count() == decisions + 1
        assert Comment.objects.get(pk=comment.pk).status == response.json()["status"]
    else:
        assert Decision.objects.count() == decisions
