"""Brute-force protection of the staff login pages (agora/protection/login.py)."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client

LOGIN_PAGES = ["/admin/login/", "/moderation/login/"]


@pytest.fixture
def limits(settings):
    settings.AGORA_RATELIMITS = {
        **settings.AGORA_RATELIMITS,
        "login-user": [(3, 900)],
        "login-ip": [(5, 900)],
    }
    return settings.AGORA_RATELIMITS


def attempt(client, path, username, password, ip="192.0.2.50"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_repeated_failures_lock_the_user_name_out_with_429(client, moderator, limits, path):
    for _ in range(3):
        response = attempt(client, path, "moderator", "wrong password")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, path, "moderator", "a-long-test-password")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    assert b"Too many login attempts" in response.content
    # Even the right password is refused while locked out: a guess cannot be confirmed.
    assert not is_logged_in(client)


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_the_right_password_before_the_limit_logs_in_and_clears_the_count(
    client, moderator, limits, path
):
    for _ in range(2):
        attempt(client, path, "moderator", "wrong password")
    response = attempt(client, path, "moderator", "a-long-test-password")
    assert response.status_code == 302
    assert is_logged_in(client)
    client.logout()
    for _ in range(2):
        assert attempt(client, path, "moderator", "wrong password").status_code == 200
    assert attempt(client, path, "moderator", "a-long-test-password").status_code == 302


def test_a_lockout_is_per_address(client, moderator, limits):
    for _ in range(3):
        attempt(client, "/admin/login/", "moderator", "wrong password", ip="192.0.2.50")
    response = attempt(
        client, "/admin/login/", "moderator", "a-long-test-password", ip="192.0.2.51"
    )
    assert response.status_code == 302


def test_guessing_many_user_names_from_one_address_is_locked_out_too(client, moderator, limits):
    for number in range(5):
        attempt(client, "/admin/login/", f"user{number}", "guess")
    response = attempt(client, "/admin/login/", "moderator", "a-long-test-password")
    assert response.status_code == 429


def test_failures_on_one_page_count_on_the_other(client, moderator, limits):
    for _ in range(3):
        attempt(client, "/moderation/login/", "moderator", "wrong password")
    assert attempt(client, "/admin/login/", "moderator", "x").status_code == 429


def test_logins_outside_a_request_are_not_counted(client, moderator, limits):
    for _ in range(10):
        assert not client.login(username="moderator", password="wrong password")
    assert client.login(username="moderator", password="a-long-test-password")


def test_getting_the_login_page_is_never_throttled(client, moderator, limits):
    for _ in range(5):
        attempt(client, "/admin/login/", f"user{_}", "guess")
    assert client.get("/admin/login/").status_code == 200


def test_attempts_arriving_together_check_no_more_passwords_than_the_limit(
    client, moderator, limits, monkeypatch
):
    """While the first password is being checked, 39 more attempts arrive: each is counted
    before its own check, so only the limit's worth of passwords (3) are ever checked."""
    checked = []
    answers = []
    check_password = ModelBackend.authenticate

    def slow_check(self, request, username=None, password=None, **kwargs):
        checked.append(username)
        if len(checked) == 1:
            for _ in range(39):
                answers.append(attempt(Client(), "/admin/login/", "moderator", "guess").status_code)
        return check_password(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", slow_check)
    answers.append(attempt(client, "/admin/login/", "moderator", "guess").status_code)
    assert len(checked) == 3
    assert sorted(answers) == [200] * 3 + [429] * 37


def test_the_login_pages_are_known_under_any_prefix_and_url_configuration(settings):
    import sys
    from types import ModuleType

    from django.contrib import admin
    from django.urls import get_script_prefix, path, set_script_prefix

    from agora.protection.middleware import login_paths

    assert login_paths() == {"/moderation/login/", "/admin/login/"}
    served_under = get_script_prefix()
    set_script_prefix("/comments/")
    try:
        assert login_paths() == {"/moderation/login/", "/comments/admin/login/"}
    finally:
        set_script_prefix(served_under)

    elsewhere = ModuleType("agora_staff_urls")
    elsewhere.urlpatterns = [path("staff/", admin.site.urls)]
    sys.modules[elsewhere.__name__] = elsewhere
    try:
        settings.ROOT_URLCONF = elsewhere.__name__
        assert login_paths() == {"/moderation/login/", "/staff/login/"}
    finally:
        del sys.modules[elsewhere.__name__]
