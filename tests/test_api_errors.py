"""Bad input and wrong requests get a clear JSON error from the API, and nothing is stored."""

import asyncio
import json

import pytest
from django.core.asgi import get_asgi_application
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agora.api.gate import MAX_JSON_DEPTH, json_depth
from agora.comments.models import Comment, Status

THREAD = "/api/v1/articles/river-dam-vote/comments"
FIELDS = ("author_name", "author_email", "body", "parent_id")


@pytest.fixture
def no_rate_limits(settings):
    settings.AGORA_RATELIMIT_ENABLED = False
    settings.AGORA_FLOOD = {**settings.AGORA_FLOOD, "enabled": False}


def valid_payload(**changes):
    payload = {
        "author_name": "Hejar",
        "author_email": "hejar@example.org",
        "body": "The old dam held for sixty years; the new one should too.",
    }
    payload.update(changes)
    return payload


def post_raw(client, body: bytes, url=THREAD, content_type="application/json", **extra):
    return client.generic("POST", url, data=body, content_type=content_type, **extra)


def post(client, payload, **extra):
    return post_raw(client, json.dumps(payload).encode(), **extra)


def assert_refused(response, status=400, field=None):
    """A JSON error with the expected status; for 400s, messages for ``field``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    if status == 400:
        assert set(data) == {"errors"}
        if field is not None:
            assert field in data["errors"], data
            assert all(isinstance(m, str) and m for m in data["errors"][field])
    else:
        assert isinstance(data["detail"], str) and data["detail"]
    assert not Comment.objects.exists()
    return data


# --- Field rules (CommentForm, through the API) -------------------------------------


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_each_required_field_missing_is_named(client, article, field):
    payload = valid_payload()
    del payload[field]
    data = assert_refused(post(client, payload), field=field)
    assert data["errors"][field] == ["This field is required."]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("author_name", ""),
        ("author_name", "N" * 81),
        ("author_email", "not-an-email"),
        ("author_email", "two@at@example.org"),
        ("body", "x"),
        ("body", "   "),
        ("body", "b" * 5001),
        # One 10,000-character word: longer than any comment may be.
        ("body", "w" * 10_000),
    ],
)
def test_values_the_form_refuses(client, article, field, value):
    assert_refused(post(client, valid_payload(**{field: value})), field=field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("author_name", 42),
        ("author_name", None),
        ("author_email", ["a@example.org"]),
        ("body", {"text": "hello there"}),
        ("body", True),
        ("parent_id", "12"),
        ("parent_id", True),
        ("parent_id", 1.5),
        ("parent_id", 0),
        ("parent_id", 2**70),
    ],
)
def test_wrong_json_types_are_refused_per_field(client, article, field, value):
    assert_refused(post(client, valid_payload(**{field: value})), field=field)


def test_unknown_fields_are_named(client, article):
    data = assert_refused(post(client, valid_payload(website="spam.example", rating=5)))
    assert set(data["errors"]) == {"website", "rating"}
    assert "author_name, author_email, body, parent_id" in data["errors"]["website"][0]


# --- Characters ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_and_lone_surrogates_are_refused(client, article, field, char):
    payload = valid_payload()
    payload[field] = payload[field][:3] + char + payload[field][3:]
    # json.dumps writes these as \u escapes, exactly as a client would send them.
    response = post(client, payload)
    data = assert_refused(response, field=field)
    assert f"U+{ord(char):04X}" in data["errors"][field][0]


def test_line_breaks_tabs_and_joiners_are_kept(client, article):
    # Persian and Kurdish need the zero-width non-joiner (U+200C) inside words.
    body = "First line\r\nSecond\tline: می\u200cخواهم"
    response = post(client, valid_payload(body=body))
    assert response.status_code == 202
    assert Comment.objects.get().body == body


def test_invalid_utf8_is_refused(client, article):
    raw = json.dumps(valid_payload()).encode().replace(b"sixty", b"sixty \xff\xfe")
    data = assert_refused(post_raw(client, raw), field="__all__")
    assert "UTF-8" in data["errors"]["__all__"][0]


# --- The body as a whole --------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'"a comment"', b"42", b"null", b'[{"author_name": "x"}]'],
)
def test_json_that_is_not_an_object_is_refused(client, article, raw):
    data = assert_refused(post_raw(client, raw), field="__all__")
    assert "JSON object" in data["errors"]["__all__"][0]


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"author_name": }', b"{'author_name': 'x'}", b'{"a": 1} trailing', b"\x00"],
)
def test_invalid_json_is_refused_with_its_position(client, article, raw):
    data = assert_refused(post_raw(client, raw), field="__all__")
    assert "not valid JSON" in data["errors"]["__all__"][0]


def test_empty_body_is_refused(client, article):
    assert_refused(post_raw(client, b""), field="__all__")


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"body": ' + b"{" * 20_000 + b"}" * 20_000 + b"}",
        b'{"body": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
    ],
)
def test_deeply_nested_json_is_refused_not_a_crash(client, article, settings, raw):
    settings.AGORA_API_MAX_BODY_BYTES = 1_000_000
    data = assert_refused(post_raw(client, raw), field="__all__")
    assert "nested" in data["errors"]["__all__"][0]


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth('{"body": "[[[[{{{{ \\" [[[["}', MAX_JSON_DEPTH) == 1
    assert json_depth('{"a": [1, {"b": "\\\\"}]}', MAX_JSON_DEPTH) == 3
    assert json_depth("[" * 100, 5) == 6  # stops counting past the limit


@pytest.mark.parametrize(
    "raw",
    [
        b'{"author_name": "a", "author_name": "b", "author_email": "e@example.org", "body": "hi"}',
        b'{"author_name": "a", "author_email": "e@example.org", "body": "hi", "parent_id": NaN}',
        b'{"parent_id": Infinity}',
        b'{"parent_id": ' + b"9" * 5000 + b"}",
    ],
)
def test_ambiguous_or_unrepresentable_json_is_refused(client, article, raw):
    assert_refused(post_raw(client, raw), field="__all__")


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x"])
def test_bodies_that_are_not_declared_json_get_415(client, article, content_type):
    response = post_raw(client, json.dumps(valid_payload()).encode(), content_type=content_type)
    assert_refused(response, status=415)


# --- Size -----------------------------------------------------------------------------


def test_body_over_the_limit_is_413(client, article, settings):
    settings.AGORA_API_MAX_BODY_BYTES = 1000
    payload = valid_payload(body="a" * 990)
    assert_refused(post(client, payload), status=413)
    assert post(client, valid_payload(body="a" * 800)).status_code == 202


def test_a_body_too_large_for_django_to_read_is_413_too(client, article, settings):
    settings.AGORA_API_MAX_BODY_BYTES = 64 * 1024
    # Above DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read a body at all
    # (a 400 of its own); the API answers 413 with its JSON.
    raw = json.dumps(valid_payload(body="a" * 3_000_000)).encode()
    data = assert_refused(post_raw(client, raw), status=413)
    assert "65536 bytes" in data["detail"]


def test_a_chunked_body_gets_411_not_read_as_empty(client, article):
    # Under WSGI (gunicorn) Django reads Content-Length bytes, and a chunked body has none.
    response = post_raw(client, b"", HTTP_TRANSFER_ENCODING="chunked")
    data = assert_refused(response, status=411)
    assert "Content-Length" in data["detail"]
    assert not Comment.objects.exists()


def asgi_post(path: str, body: bytes, headers: list[tuple[bytes, bytes]]):
    """POST through Django's ASGI handler, which, unlike WSGI, passes on a body
    sent without Content-Length (chunked) in full."""
    app = get_asgi_application()
    sent = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if chunks:
            return chunks.pop()
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(content)


def test_413_by_actual_length_without_a_declared_one(settings, db):
    settings.AGORA_API_MAX_BODY_BYTES = 1000
    body = json.dumps(valid_payload(body="a" * 5000)).encode()
    status, data = asgi_post(THREAD, body, [(b"content-type", b"application/json")])
    assert status == 413
    assert "1000 bytes" in data["detail"]


# --- Methods, addresses, headers ------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "url",
    [
        THREAD,
        THREAD + "/1",
        "/api/v1/moderation/comments/1",
        "/api/v1/moderation/comments/1/approve",
    ],
)
def test_comments_are_never_edited_or_deleted_through_the_api(client, article, method, url):
    response = client.generic(
        method, url, data=b'{"body": "edited"}', content_type="application/json"
    )
    data = assert_refused(response, status=405)
    assert method in data["detail"]
    assert response["Allow"] in {"GET", "POST", "GET, POST"}


def test_get_on_a_post_only_endpoint_is_405(client, db):
    response = client.get("/api/v1/moderation/comments/1/approve")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here",
        "/api/v2/articles",
        "/api/v1/articles/",
        "/api/v1/articles/bad%00slug/comments",
    ],
)
def test_unknown_api_addresses_are_404_json(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize("key", ["", "x" * 101, "has space", "tab\there", "ключ"])
def test_malformed_idempotency_keys_are_refused(client, article, key):
    response = post(client, valid_payload(), HTTP_IDEMPOTENCY_KEY=key)
    assert_refused(response, field="Idempotency-Key")


def test_too_many_posts_get_429_json_with_retry_after(client, article, settings):
    settings.AGORA_RATELIMITS = {**settings.AGORA_RATELIMITS, "post-ip": [(2, 60)]}
    for n in range(2):
        response = post(client, valid_payload(author_email=f"r{n}@example.org", body=f"Text {n}."))
        assert response.status_code == 202
    response = post(client, valid_payload(author_email="r9@example.org", body="Third text."))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"]
    assert Comment.objects.count() == 2


def test_an_unexpected_failure_is_a_json_500(client, article, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("agora.comments.api.paginate", broken)
    response = client.get(THREAD)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "database on fire" not in response.json()["detail"]


# --- Property: whatever arrives, no 5xx, and 202 means stored ----------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=60),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Lo"]), max_size=10
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
printable = st.characters(exclude_categories=["Cc", "Cs"])
well_formed = {
    "author_name": st.text(printable, min_size=1, max_size=80),
    "author_email": st.emails(),
    "body": st.text(printable, min_size=2, max_size=300),
}
spoiled = {
    "author_name": st.one_of(st.text(max_size=100), json_values),
    "author_email": st.one_of(st.text(max_size=30), json_values),
    "body": st.one_of(st.text(min_size=4990, max_size=5010), json_values),
    "parent_id": st.one_of(st.integers(min_value=-5, max_value=2**64), json_values),
}


@st.composite
def comment_objects(draw):
    """A well-formed comment with up to two fields dropped or spoiled, sometimes junk keys."""
    payload = {name: draw(strategy) for name, strategy in well_formed.items()}
    for name in draw(st.sets(st.sampled_from(FIELDS), max_size=2)):
        if draw(st.booleans()):
            payload.pop(name, None)
        else:
            payload[name] = draw(spoiled[name])
    if draw(st.integers(0, 9)) == 0:
        payload.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=2)))
    return payload


request_bodies = st.one_of(
    comment_objects().map(lambda p: json.dumps(p).encode()),
    comment_objects().map(
        lambda p: json.dumps(p, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


@pytest.mark.usefixtures("no_rate_limits")
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=request_bodies)
def test_any_body_gets_a_4xx_or_a_202_that_really_stored_the_comment(client, article, body):
    before = Comment.objects.count()
    response = post_raw(client, body)
    event(f"HTTP {response.status_code}")

    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 202:
        assert 400 <= response.status_code < 500
        assert Comment.objects.count() == before
        return
    assert Comment.objects.count() == before + 1
    sent = json.loads(body)
    stored = Comment.objects.get(pk=response.json()["id"])
    assert stored.status == Status.PENDING
    assert stored.author_name == sent["author_name"].strip()
    assert stored.author_email == sent["author_email"].strip()
    assert stored.body == sent["body"].strip()
