"""The production settings: `agora check --deploy` passes, and the production
command (gunicorn with several workers, WhiteNoise) really serves Agora."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment docs/production.md asks for, on a throw-away SQLite file."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AGORA_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        AGORA_DEBUG="0",
        AGORA_SECRET_KEY=secrets.token_urlsafe(50),
        AGORA_ALLOWED_HOSTS="comments.example.org,127.0.0.1",
        AGORA_HTTPS="1",
        AGORA_CACHE_URL="db://agora_cache",
        AGORA_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value != ""}


def agora(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agora", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_settings(tmp_path):
    result = agora(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "check_id"),
    [
        ("AGORA_HTTPS", "security.W004"),  # no HSTS
        ("AGORA_CACHE_URL", "agora.W001"),  # counters per process
    ],
)
def test_check_deploy_fails_without_each_production_setting(tmp_path, missing, check_id):
    env = production_env(tmp_path, **{missing: ""})
    result = agora(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert check_id in result.stderr


def test_debug_off_without_a_secret_key_refuses_to_start(tmp_path):
    result = agora(production_env(tmp_path, AGORA_SECRET_KEY=""), "check")
    assert result.returncode != 0
    assert "AGORA_SECRET_KEY must be set" in result.stderr


def test_https_switches_on_hsts_secure_cookies_and_the_redirect(tmp_path):
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        "s.CSRF_COOKIE_SECURE, s.CACHES['default']['BACKEND']]))"
    )
    production = agora(production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert json.loads(production.stdout) == [
        31_536_000,
        True,
        True,
        True,
        # Django's table cache, made to skip what a read-only database refuses.
        "agora.protection.dbcache.DatabaseCache",
    ]
    laptop = agora(
        production_env(tmp_path, AGORA_HTTPS="", AGORA_DEBUG="", AGORA_CACHE_URL=""),
        "shell",
        "--no-imports",
        "-c",
        code,
    )
    assert json.loads(laptop.stdout) == [
        0,
        False,
        False,
        False,
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_production_command_serves_agora_with_several_workers(tmp_path):
    port = free_port()
    env = production_env(
        tmp_path,
        AGORA_BIND=f"127.0.0.1:{port}",
        AGORA_WORKERS="2",
        AGORA_ACCESS_LOG="",
        # The test talks plain HTTP on loopback, as a TLS-terminating proxy would.
        AGORA_TRUSTED_PROXIES="1",
    )
    for step in (["migrate", "--no-input"], ["createcachetable"], ["collectstatic", "--no-input"]):
        result = agora(env, *step)
        assert result.returncode == 0, result.stderr
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "agora.wsgi", "-c", "python:agora.gunicorn_conf"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = get(f"{base}/api/v1/articles")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert json.loads(body)["articles"] == []
        assert "Content-Security-Policy" in headers
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        # WhiteNoise serves the hashed, compressed static files from the app server.
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["agora/site.css"]
        status, headers, body = get(f"{base}/static/{hashed}")
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]
        assert body == (REPO / "agora" / "static" / "agora" / "site.css").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
