"""Take the README's screenshots: the demo's article page and the moderator queue.

    .venv/bin/python scripts/screenshots.py   # writes docs/img/article.png and queue.png

Runs the demo on a database of its own (a temporary SQLite file) and a free port, and
drives Debian's chromium through Playwright."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "img"
ARTICLE = "/articles/zerdava-council-agrees-budget/"
WIDTH, HEIGHT = 1200, 900


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def agora(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "agora", *args], env=env, check=True, cwd=REPO)


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the demo did not answer at {url}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/demo.sqlite3",
            "AGORA_SCORING": "request",
        }
        agora(env, "migrate", "--no-input", "--verbosity", "0")
        agora(env, "loaddemo")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "agora", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base + "/")
            shoot(base)
        finally:
            server.terminate()
            server.wait(timeout=10)


def shoot(base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    django.setup()
    from agora.pages import demo

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(base + ARTICLE + "#comments")
        page.screenshot(path=OUT / "article.png")
        page.goto(f"{base}/moderation/login/")
        page.fill("#id_username", demo.MODERATOR_USERNAME)
        page.fill("#id_password", demo.MODERATOR_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/moderation/")
        page.screenshot(path=OUT / "queue.png")
        browser.close()


if __name__ == "__main__":
    main()
