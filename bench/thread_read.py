"""Reading a 200-comment thread: cold cache, warm cache, and revalidation (304).

Measured in-process: Django's test Client sends each request through the whole
WSGI stack (every middleware, the API, the cache, SQLite) with no server or
socket in between, so the figures are Agora's own cost per read; a real server
adds its HTTP parsing and network time to each. One request at a time, one
thread, SQLite in a temporary directory, the default local-memory cache.

- cold: the cache is emptied before each read, so every read queries the
  database and renders the JSON (what every read cost before the cache);
- warm: the thread as cached after the first read;
- 304: a client (browser, CDN) revalidating with If-None-Match.

The article page (HTML) is measured the same way: its thread rows and the rendered
list of comments are cached; the rest of the page (the per-visitor form) is rendered
on each read.

The machine is shared, so the load average is printed with the figures, and
CPU time per read (this process only) is given beside the wall-clock figures.

    .venv/bin/python bench/thread_read.py   # prints and writes bench/results/thread_read.md
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "thread_read.md"
COMMENTS = 200
READS = {"cold": 300, "warm": 3000, "304": 3000}
PAGE_READS = {"cold": 50, "warm": 100}


def configure() -> None:
    """A throwaway database, production-like settings (no DEBUG query log)."""
    sys.path.insert(0, str(REPO))
    os.environ["AGORA_VAR_DIR"] = tempfile.mkdtemp(prefix="agora-thread-read-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("AGORA_CACHE_URL", None)
    os.environ["AGORA_DEBUG"] = "0"
    os.environ["AGORA_SECRET_KEY"] = secrets.token_urlsafe(40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings"
    import django
    from django.conf import settings

    django.setup()
    # Hashed static names need `collectstatic`; plain names serve the page just as well here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build_thread():
    """One article with COMMENTS approved comments (every fourth a reply) and 50 pending."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agora.articles.models import Article
    from agora.comments import actions
    from agora.comments.models import Comment

    call_command("migrate", verbosity=0)
    moderator = get_user_model().objects.create_user("bench", is_staff=True)
    article = Article.objects.create(
        slug="bench-thread",
        title="The council and the river dam",
        body="The council voted to rebuild the dam on the river.",
    )
    parent = None
    for n in range(COMMENTS + 50):
        comment = Comment.objects.create(
            article=article,
            parent=parent if n % 4 == 3 else None,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment {n}: the dam should be rebuilt with a fish ladder. " * 3,
        )
        if n < COMMENTS:
            actions.approve(comment, moderator)
            parent = parent if n % 4 == 3 else comment
    return article


def measure(client, url: str, count: int, *, before=None, headers=None, expect=200) -> dict:
    """Sequential reads of ``url``: reads per second, latency percentiles, CPU per read."""
    latencies = []
    cpu = 0.0
    wall_start = time.perf_counter()
    for _ in range(count):
        if before is not None:
            before()
        cpu_start, start = time.process_time(), time.perf_counter()
        response = client.get(url, **(headers or {}))
        latencies.append(time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
        assert response.status_code == expect, response.status_code
    elapsed = sum(latencies) if before is not None else time.perf_counter() - wall_start
    latencies.sort()
    return {
        "reads": count,
        "per_second": count / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "cpu_ms": 1000 * cpu / count,
        "bytes": len(response.content),
    }


def main() -> None:
    configure()
    from django.core.cache import cache
    from django.test import Client

    article = build_thread()
    client = Client()
    api = f"/api/v1/articles/{article.slug}/comments?limit={COMMENTS}"
    page = article.get_absolute_url()
    load_before = os.getloadavg()

    first = client.get(api)
    assert len(first.json()["comments"]) == COMMENTS
    rows = [
        ("API thread, cold cache", measure(client, api, READS["cold"], before=cache.clear)),
        ("API thread, warm cache", measure(client, api, READS["warm"])),
        (
            "API thread, If-None-Match (304)",
            measure(
                client,
                api,
                READS["304"],
                headers={"HTTP_IF_NONE_MATCH": client.get(api)["ETag"]},
                expect=304,
            ),
        ),
        ("Article page, cold cache", measure(client, page, PAGE_READS["cold"], before=cache.clear)),
        ("Article page, warm cache", measure(client, page, PAGE_READS["warm"])),
    ]
    load_after = os.getloadavg()
    report(rows, load_before, load_after)


def report(rows, load_before, load_after) -> None:
    import django

    lines = [
        "# Thread reads: cold cache, warm cache, 304",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `.venv/bin/python "
        f"bench/thread_read.py`: in-process through Django's test Client (the whole WSGI stack "
        f"and middleware, no server or socket), one request at a time, SQLite, local-memory "
        f"cache, DEBUG off. Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"{os.cpu_count()} cores shared with other jobs.",
        "",
        f"Thread: {COMMENTS} approved comments (a quarter of them replies) and 50 pending, "
        f"all {COMMENTS} read in one response (`?limit={COMMENTS}`).",
        "",
        "Load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.2f}" for x in load_after)
        + ".",
        "",
        "| Read | Reads | Reads/s | p50 ms | p99 ms | CPU ms/read | Response bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in rows:
        lines.append(
            f"| {name} | {m['reads']} | {m['per_second']:,.0f} | {m['p50_ms']:.2f} | "
            f"{m['p99_ms']:.2f} | {m['cpu_ms']:.2f} | {m['bytes']:,} |"
        )
    lines += [
        "",
        "Cold: the cache is emptied before every read (the time to empty it is not counted), "
        "so each read queries the database and renders the JSON, which is what every read "
        "cost before the cache. Reads/s of the cold rows is 1 / mean latency.",
        "The article page caches its thread rows and the rendered list of comments; the rest "
        "(article, per-visitor form) is rendered on every read.",
        "",
    ]
    publish(lines, RESULTS)


def publish(lines: list[str], path: Path) -> None:
    """Print the report and write it to ``path``."""
    text = "\n".join(lines)
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
