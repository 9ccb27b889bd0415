"""The moderation queue at newsroom scale: 100,000 pending comments from 10,000
commenters (and 50,000 decided earlier ones, so every author has a record), on
PostgreSQL or SQLite.

Times, in-process through Django's test Client (the whole WSGI stack, no socket), one
request at a time:

- the queue page (HTML), oldest first and riskiest first, page 1 and a page deep in it;
- the queue API, oldest and riskiest, the first page and the next one (a cursor);
- the live queue's counts endpoint (what each open queue asks every 15 s), for a chief
  moderator (every desk) and for a desk moderator (one language): its time per call and
  so the share of one CPU core each moderator's open queue costs, and the cost of
  counting again after a change (the shared answer recomputed);
- side by side, the riskiest-first page's query as the queue runs it (ordered by the
  stored ``scored`` column, read from its index) and as it ran before (ordered by the
  same test computed in the query, which sorts every pending comment), and their ratio.

Prints median and p99 wall-clock times and the load average (the machine is shared),
and writes the table to bench/results/moderation_queue-<database>.md. The data is loaded
once into the database ``DATABASE_URL`` names (for PostgreSQL an empty one, created with
``createdb``; without it, SQLite in var/moderation-queue-bench.sqlite3) and kept;
``--fresh`` empties it first.

    DATABASE_URL=postgres://agora:...@127.0.0.1:5432/agora_queue_bench \\
        .venv/bin/python bench/moderation_queue.py [--requests 60] [--fresh]
    .venv/bin/python bench/moderation_queue.py        # SQLite
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PENDING = 100_000
DECIDED = 50_000
COMMENTERS = 10_000
ARTICLES = 1_000
LANGUAGES = ("en", "en", "en", "ar", "tr", "fa", "ckb", "kmr")
GUIDELINES = ("personal_attack", "profanity", "threat", "promotion", "off_topic")
POLL_SECONDS = 15
COUNTS = "/moderation/queue/counts/"


def configure() -> None:
    url = os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{REPO / 'var' / 'moderation-queue-bench.sqlite3'}"
    )
    if not url.startswith(("postgres", "sqlite")):
        sys.exit("DATABASE_URL must name a PostgreSQL or SQLite database (see the docstring).")
    (REPO / "var").mkdir(exist_ok=True)
    sys.path.insert(0, str(REPO))
    os.environ["AGORA_DEBUG"] = "0"
    # Production settings serve hashed static files: collected into a throwaway folder.
    os.environ["AGORA_VAR_DIR"] = tempfile.mkdtemp(prefix="agora-queue-bench-")
    os.environ.setdefault("AGORA_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings"
    import django

    django.setup()


def verdict(rng: random.Random, lang: str, body: str) -> tuple[dict, float, str]:
    key = rng.choice(GUIDELINES)
    score = round(rng.random(), 4)
    word = body.split()[0]
    reasons = [
        {
            "guideline": key,
            "score": score,
            "evidence": [{"start": 0, "end": len(word), "text": word}],
            "message": "",
        }
    ]
    decision = "review" if score > 0.3 else "approve"
    stored = {
        "id": None,
        "lang": lang,
        "scores": {key: score},
        "decision": decision,
        "reasons": reasons,
        "model_version": "bench",
    }
    return stored, score, f",{key},"


def load(fresh: bool) -> None:
    from django.core.management import call_command

    from agora.articles.models import Article
    from agora.comments.models import Comment, Status

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if fresh:
        Comment.objects.all().delete()
        Article.objects.all().delete()
    if Comment.objects.filter(status=Status.PENDING).count() == PENDING:
        return
    print("loading the queue (once) ...", flush=True)
    rng = random.Random(7)
    now = time.time()
    articles = Article.objects.bulk_create(
        Article(
            slug=f"story-{n}",
            title=f"Story number {n} about the river dam",
            url=f"https://paper.example/{'sport' if n % 4 == 0 else 'news'}/story-{n}",
        )
        for n in range(ARTICLES)
    )
    from django.utils import timezone

    start = timezone.now() - timedelta(days=60)
    batch = []
    for n in range(DECIDED + PENDING):
        author = rng.randrange(COMMENTERS)
        lang = rng.choice(LANGUAGES)
        body = f"Word{n % 97} comment {n} from reader {author} on the dam and the vote."
        stored, risk, flags = verdict(rng, lang, body)
        status = (
            Status.PENDING
            if n >= DECIDED
            else (Status.APPROVED if rng.random() < 0.8 else Status.REJECTED)
        )
        batch.append(
            Comment(
                article=articles[rng.randrange(ARTICLES)],
                author_name=f"Reader {author}",
                author_email=f"reader{author}@example.org",
                body=body,
                status=status,
                lang=lang,
                decision=stored["decision"],
                risk=risk,
                verdict=stored,
                model_version="bench",
                flags=flags,
            )
        )
        if len(batch) == 5_000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)
    # Spread the dates over two months, in id order, as comments arrive.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "UPDATE comments_comment SET created_at = "
                "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '+' || (id * 30) || ' seconds')",
                [start.strftime("%Y-%m-%d %H:%M:%S")],
            )
        else:
            cursor.execute(
                "UPDATE comments_comment SET created_at = %s + (id * interval '30 seconds')",
                [start],
            )
        cursor.execute("ANALYZE")
    print(f"loaded in {time.time() - now:.0f} s", flush=True)


def users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from agora.api.models import ApiToken
    from agora.desks.models import Desk
    from agora.desks.roles import CHIEF, MODERATOR

    User = get_user_model()
    chief, _ = User.objects.get_or_create(username="bench-chief", defaults={"is_staff": True})
    chief.groups.add(Group.objects.get(name=CHIEF))
    desk_moderator, _ = User.objects.get_or_create(
        username="bench-arabic", defaults={"is_staff": True}
    )
    desk_moderator.groups.add(Group.objects.get(name=MODERATOR))
    desk, _ = Desk.objects.get_or_create(name="Arabic (bench)", defaults={"languages": ["ar"]})
    desk.members.add(desk_moderator)
    _token, raw = ApiToken.objects.issue(chief, label="bench")
    return chief, desk_moderator, raw


def timed(call, requests: int) -> list[float]:
    call()  # warm: templates, first connection
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
        if hasattr(response, "status_code"):
            assert response.status_code == 200, response.status_code
    return times


def risk_order_side_by_side(requests: int) -> list[str]:
    """The riskiest-first page's query, as the queue runs it and as it ran before the
    judged-first test was a stored, indexed column."""
    from django.db.models import BooleanField, ExpressionWrapper, Q

    from agora.comments.models import Comment, Status

    pending = Comment.objects.filter(status=Status.PENDING)
    indexed = pending.order_by("-scored", "-risk", "created_at", "id")
    computed = pending.annotate(
        judged=ExpressionWrapper(Q(verdict__isnull=False), output_field=BooleanField())
    ).order_by("-judged", "-risk", "created_at", "id")
    assert list(indexed.values_list("id", flat=True)[:50]) == list(
        computed.values_list("id", flat=True)[:50]
    )
    times = {}
    for name, query in (("stored, indexed", indexed), ("computed, sorted", computed)):
        times[name] = timed(lambda query=query: list(query[:50]), requests)
    ratio = statistics.median(times["computed, sorted"]) / statistics.median(
        times["stored, indexed"]
    )
    return [
        *(row(f"Riskiest first, the page's query: {name}", ts) for name, ts in times.items()),
        f"| Ratio, computed / stored | {ratio:.1f}x | |",
    ]


def row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"| {name} | {statistics.median(times) * 1000:.1f} ms | {p99 * 1000:.1f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    configure()
    load(options.fresh)
    from django.core.cache import cache
    from django.test import Client

    chief, desk_moderator, token = users()
    page, api = Client(), Client()
    page.force_login(chief)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = api.get("/api/v1/moderation/queue", **auth).json()
    deep = PENDING // 50 // 2
    n = options.requests
    rows = [
        row("Queue page, oldest first", timed(lambda: page.get("/moderation/"), n)),
        row(
            "Queue page, riskiest first",
            timed(lambda: page.get("/moderation/?sort=riskiest"), n),
        ),
        row(
            f"Queue page {deep:,}, oldest first",
            timed(lambda: page.get(f"/moderation/?page={deep}"), n),
        ),
        row(
            "Queue API, oldest first", timed(lambda: api.get("/api/v1/moderation/queue", **auth), n)
        ),
        row(
            "Queue API, riskiest first",
            timed(lambda: api.get("/api/v1/moderation/queue?order=riskiest", **auth), n),
        ),
        row(
            "Queue API, next page (cursor)",
            timed(
                lambda: api.get("/api/v1/moderation/queue", {"cursor": first["next"]}, **auth), n
            ),
        ),
    ]
    counts = []
    for name, user in (("chief moderator", chief), ("Arabic desk", desk_moderator)):
        client = Client()
        client.force_login(user)
        times = timed(lambda client=client: client.get(COUNTS), n * 3)
        counts.append((name, statistics.median(times)))
        rows.append(row(f"Live counts, {name}", times))
        # After a new comment or decision the shared answer is counted again, once.
        rows.append(
            row(
                f"Live counts, {name}, counted again",
                timed(lambda client=client: (cache.clear(), client.get(COUNTS))[1], n),
            )
        )
    rows += risk_order_side_by_side(n)
    from django.db import connection

    lines = [
        f"{connection.vendor}, load average {os.getloadavg()[0]:.1f} (1 min); "
        f"{PENDING:,} pending, {COMMENTERS:,} commenters",
        "",
        "| Request | Median | p99 |",
        "|---|---|---|",
        *rows,
        "",
        *(
            f"live queue, {name}: {median / POLL_SECONDS * 100:.3f}% of a core per open queue "
            "(a poll every 15 s)"
            for name, median in counts
        ),
    ]
    print("\n".join(lines))
    results = REPO / "bench" / "results" / f"moderation_queue-{connection.vendor}.md"
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
