import os

import pytest
from hypothesis import settings as hypothesis_settings

# In CI (.ci/run sets CI) every generated test tries the same inputs on every run, so what
# passed on a clean clone passes again and a failure reproduces; elsewhere they explore.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def fast_passwords():
    # Hundreds of tests create or log in users; the production hash is deliberately slow
    # (about a third of a second each), which the tests do not need to prove again.
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a request that speaks another (an article
    page in its article's language, say) leaves it switched on in this thread, as Django
    leaves the last request's language in a server's thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def article(db):
    from agora.articles.models import Article

    return Article.objects.create(
        slug="river-dam-vote",
        title="Council votes to rebuild the river dam",
        standfirst="The vote ends two years of argument over the ageing dam.",
        byline="Test Reporter",
        body="The council voted on Tuesday to rebuild the dam on the river.",
    )


@pytest.fixture
def moderator(db):
    from roles import user_in

    from agora.desks.roles import MODERATOR

    return user_in(MODERATOR, "moderator")


@pytest.fixture
def chief(db):
    """A chief moderator (every desk, lists, commenters, settings)."""
    from roles import user_in

    from agora.desks.roles import CHIEF

    return user_in(CHIEF, "chief")


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


@pytest.fixture
def published(article):
    """An approved comment on the article, as readers see it (and may report it)."""
    from agora.comments.models import Comment, Status

    return Comment.objects.create(
        article=article,
        author_name="Hêvî",
        author_email="hevi@example.org",
        body="Whoever voted for this dam is a criminal and should be locked up.",
        status=Status.APPROVED,
    )


@pytest.fixture
def staff_client(client, moderator):
    """A client signed in as the moderator."""
    client.force_login(moderator)
    return client


@pytest.fixture
def token_headers(db):
    """``token_headers(user)``: request headers carrying a new API token of ``user``."""
    from agora.api.models import ApiToken

    def headers(user) -> dict:
        _token, raw = ApiToken.objects.issue(user, label="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return headers


@pytest.fixture(autouse=True)
def scoring_in_request(settings):
    """Tests judge a comment inside the posting request, as AGORA_SCORING="request" does,
    and run any other background task at once; tests of background checking (with a real
    worker) say so themselves."""
    settings.AGORA_SCORING = "request"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached threads and pages live in the cache, which outlives a test: start each empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The slow groups, marked by where they live so that `make test-fast` can leave them out
# (`pytest -m "not slow"`); `make test` and CI run everything.
SLOW_GROUPS = {
    "browser": lambda path: "browser" in path.parts,
    "fuzzing": lambda path: path.name.startswith("test_fuzz_"),
    "servers": lambda path: (
        path.name
        in {
            "test_concurrency_postgres.py",
            "test_demo_command.py",
            "test_deploy_check.py",
            "test_idempotent_races.py",
            "test_privacy_on_disk.py",
            "test_readonly_database.py",
            "test_redis_cache.py",
            "test_varnish.py",
        }
    ),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, belongs in SLOW_GROUPS.items():
            if belongs(item.path):
                item.add_marker(marker)
                item.add_marker("slow")


@pytest.fixture
def keep_test_connection(monkeypatch):
    """Code that looks after database connections as Django does between requests (the
    replayed reads, the task worker's loop) closes a connection whose autocommit differs
    from the settings': on PostgreSQL that is the test's own, inside its transaction.
    Django's test client keeps its requests from doing so; this does the same for them."""
    from django.db import connections

    for connection in connections.all():
        monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
