"""Load test: nothing acknowledged is lost, nothing is stored twice, no 5xx.

Concurrent posters send comments to one article through the JSON API while
readers fetch its 200-comment thread (the API and the HTML page, in turn).
Afterwards every comment acknowledged with 202 is compared, by id and by
text, with what the database holds. Rate limits are switched off
(AGORA_RATELIMIT=0): one loopback address sending thousands of comments is
exactly what they exist to stop.

Bounded: stops after ``--comments`` comments or ``--max-seconds``, whichever
comes first, and talks to 127.0.0.1 only.

    .venv/bin/python bench/load_test.py                      # SQLite, 1 gunicorn worker
    .venv/bin/python bench/load_test.py --workers 4 \\
        --database-url postgres://agora:PASSWORD@127.0.0.1:5432/agora_bench

Writes bench/results/load-<database>-<workers>w.md.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import loopback
from loopback import Connection, ConnectionLost, Tally, json_body
from posting import in_letters

RESULTS = loopback.REPO / "bench" / "results"
EMAIL_DOMAIN = "load.example"


@dataclass
class Posting:
    """What the posters sent and what the server acknowledged."""

    run_id: str
    sent: dict[int, str] = field(default_factory=dict)  # number -> body
    acknowledged: dict[int, int] = field(default_factory=dict)  # number -> comment id
    tally: Tally = field(default_factory=Tally)
    # When each 503 came (the database could not write), on time.perf_counter()'s clock.
    unavailable_at: list[float] = field(default_factory=list)

    def body(self, number: int) -> str:
        return (
            f"Load {in_letters(self.run_id)} comment {in_letters(number)}: the council "
            "should publish what the dam repairs will cost before the spring floods."
        )


async def poster(
    port: int,
    slug: str,
    posting: Posting,
    numbers,
    deadline: float,
    retry_seconds: float,
) -> None:
    """Post comments until ``numbers`` runs out or the deadline passes.

    A request that gets no answer (connection refused or reset: the server is
    down) or a 503 (the database cannot write) is retried with the same
    Idempotency-Key for up to ``retry_seconds``, as a real client would, so it is
    stored once however often it is sent. After a 503 the retry comes in half a
    second rather than after the Retry-After the server asks for, so the run
    shows how soon posting resumes.
    """
    connection = Connection(port)
    path = f"/api/v1/articles/{slug}/comments"
    for number in numbers:
        if time.perf_counter() > deadline:
            break
        body = posting.body(number)
        posting.sent[number] = body
        payload, headers = json_body(
            {
                "author_name": f"Poster {number % 50}",
                "author_email": f"poster{number % 50}@{EMAIL_DOMAIN}",
                "body": body,
            }
        )
        headers["Idempotency-Key"] = f"{posting.run_id}-{number}"
        give_up = time.perf_counter() + retry_seconds
        while True:
            started = time.perf_counter()
            try:
                response = await connection.request("POST", path, payload, headers)
            except ConnectionLost:
                posting.tally.failures += 1
                if time.perf_counter() > min(give_up, deadline):
                    break
                await asyncio.sleep(0.2)
                continue
            posting.tally.add(response.status, time.perf_counter() - started)
            if response.status == 503:
                posting.unavailable_at.append(time.perf_counter())
                if time.perf_counter() < min(give_up, deadline):
                    await asyncio.sleep(0.5)
                    continue
            if response.status == 202:
                posting.acknowledged[number] = response.json()["id"]
            break
    connection.close()


async def reader(port: int, slug: str, api: Tally, page: Tally, done: asyncio.Event) -> None:
    """Fetch the thread (API, then the article page) until the posters are done."""
    connection = Connection(port)
    paths = [(f"/api/v1/articles/{slug}/comments?limit=200", api), (f"/articles/{slug}/", page)]
    turn = 0
    while not done.is_set():
        path, tally = paths[turn % 2]
        turn += 1
        started = time.perf_counter()
        try:
            response = await connection.request("GET", path)
        except ConnectionLost:
            tally.failures += 1
            await asyncio.sleep(0.2)
            continue
        tally.add(response.status, time.perf_counter() - started)
    connection.close()


async def load(
    port: int,
    slug: str,
    posting: Posting,
    comments: int,
    posters: int,
    readers: int,
    max_seconds: float,
    retry_seconds: float = 10,
) -> tuple[Tally, Tally, float]:
    """Run posters and readers together; return the read tallies and the elapsed time."""
    numbers = iter(range(comments))
    deadline = time.perf_counter() + max_seconds
    api, page = Tally(), Tally()
    done = asyncio.Event()
    readers_running = [
        asyncio.create_task(reader(port, slug, api, page, done)) for _ in range(readers)
    ]
    started = time.perf_counter()
    await asyncio.gather(
        *(poster(port, slug, posting, numbers, deadline, retry_seconds) for _ in range(posters))
    )
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*readers_running)
    return api, page, elapsed


@dataclass
class Audit:
    """The database compared with what the posters were told."""

    rows: int
    acknowledged_missing: list[int]
    stored_twice: int
    stored_unacknowledged: int
    garbled: int
    ids_reused: int
    scored: int


def audit(slug: str, posting: Posting) -> Audit:
    from agora.comments.models import Comment

    rows = list(
        Comment.objects.filter(
            article__slug=slug, author_email__endswith=f"@{EMAIL_DOMAIN}"
        ).values_list("id", "body", "author_name", "author_email", "model_version")
    )
    by_id = {row[0]: row for row in rows}
    number_of_body = {body: number for number, body in posting.sent.items()}
    missing = [
        number
        for number, comment_id in posting.acknowledged.items()
        if comment_id not in by_id or by_id[comment_id][1] != posting.sent[number]
    ]
    copies = Counter(row[1] for row in rows)
    garbled = 0
    for _id, body, name, email, _version in rows:
        number = number_of_body.get(body)
        # Every stored row must be exactly one comment that was sent, whole.
        if number is None or (name, email) != (
            f"Poster {number % 50}",
            f"poster{number % 50}@{EMAIL_DOMAIN}",
        ):
            garbled += 1
    acknowledged_bodies = {posting.sent[n] for n in posting.acknowledged}
    return Audit(
        rows=len(rows),
        acknowledged_missing=missing,
        stored_twice=sum(count - 1 for count in copies.values() if count > 1),
        stored_unacknowledged=sum(1 for row in rows if row[1] not in acknowledged_bodies),
        garbled=garbled,
        ids_reused=len(posting.acknowledged) - len(set(posting.acknowledged.values())),
        scored=sum(1 for row in rows if row[4]),
    )


def database_label(database_url: str | None) -> str:
    return "postgresql" if database_url and database_url.startswith("postgres") else "sqlite"


def fmt_ms(tally: Tally, fraction: float) -> str:
    return f"{tally.percentile_ms(fraction):.0f} ms"


def status_summary(tally: Tally) -> str:
    return ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items())) or "none"


def main(argv: list[str] | None = None) -> int:
    parser = loopback.server_arguments(__doc__.split("\n\n")[0], comments=20_000, readers=5)
    args = parser.parse_args(argv)

    work, port, env = loopback.prepared_agora(args, "agora-load-")
    run_id = time.strftime("%Y%m%d%H%M%S")
    slug = f"load-{run_id}"
    loopback.seed_thread(slug, approved=200)

    server = loopback.agora_server(env, port, work / "server.log")
    server.start("/api/v1/articles")
    worker = loopback.TaskWorker(env, work / "worker.log")
    worker.start()
    posting = Posting(run_id)
    load_average = loopback.load_average()
    cpu_before = loopback.client_cpu_seconds()
    try:
        api, page, elapsed = asyncio.run(
            load(port, slug, posting, args.comments, args.posters, args.readers, args.max_seconds)
        )
        memory = server.worker_memory()
        # Every comment accepted is checked by the task worker before the audit.
        loopback.wait_until_checked()
    finally:
        server.stop()
        worker.stop()
    client_cpu = loopback.client_cpu_seconds() - cpu_before
    result = audit(slug, posting)

    database = database_label(args.database_url)
    posts = posting.tally
    server_errors = posts.server_errors + api.server_errors + page.server_errors
    passed = (
        not result.acknowledged_missing
        and result.stored_twice == 0
        and result.garbled == 0
        and result.ids_reused == 0
        and server_errors == 0
    )
    rows = [
        ("Database", f"{database}, {args.workers} gunicorn worker(s) x 4 threads"),
        ("Machine load average at start", load_average),
        ("Cache", env.get("AGORA_CACHE_URL", "each worker's memory (locmem)")),
        ("Posters / readers", f"{args.posters} / {args.readers}"),
        (
            "Comments sent",
            f"{len(posting.sent)} of {args.comments} asked"
            + ("" if len(posting.sent) == args.comments else " (stopped by the time bound)"),
        ),
        ("Acknowledged (202)", str(len(posting.acknowledged))),
        ("Wall time", f"{elapsed:.1f} s (bound {args.max_seconds:.0f} s)"),
        ("Posts per second", f"{posts.count / elapsed:.1f}"),
        ("Post latency p50 / p99", f"{fmt_ms(posts, 0.5)} / {fmt_ms(posts, 0.99)}"),
        ("Post statuses", status_summary(posts)),
        ("Thread reads, API (200 comments)", f"{api.count} ({api.count / elapsed:.1f}/s)"),
        ("API read latency p50 / p99", f"{fmt_ms(api, 0.5)} / {fmt_ms(api, 0.99)}"),
        ("Thread reads, HTML page", f"{page.count} ({page.count / elapsed:.1f}/s)"),
        ("Page read latency p50 / p99", f"{fmt_ms(page, 0.5)} / {fmt_ms(page, 0.99)}"),
        ("Read statuses (API; page)", f"{status_summary(api)}; {status_summary(page)}"),
        ("5xx responses", str(server_errors)),
        ("Requests with no answer", str(posts.failures + api.failures + page.failures)),
        ("Acknowledged but missing or different", str(len(result.acknowledged_missing))),
        ("Stored more than once", str(result.stored_twice)),
        ("Stored, answer not received", str(result.stored_unacknowledged)),
        ("Stored rows not matching a sent comment", str(result.garbled)),
        ("Rows scored by the guideline engine", f"{result.scored} of {result.rows}"),
        ("Memory per worker (after the run)", loopback.rss_summary(memory)),
        ("Load client CPU", f"{client_cpu:.0f} s ({100 * client_cpu / elapsed:.0f}% of one core)"),
        ("Nothing lost, nothing doubled, no 5xx", "PASS" if passed else "FAIL"),
    ]
    command = "bench/load_test.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.database_url:  # the password stays out of the report
        command = command.replace(args.database_url, "postgres://...")
    report = "\n".join(
        [
            f"# Load test: {database}, {args.workers} worker(s)",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine (2 cores; the load",
            f"client runs on the same cores). Reproduce: `.venv/bin/python {command}`",
            "",
            "| | |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in rows),
            "",
        ]
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{database}-{args.workers}w.md"
    out.write_text(report)
    print(report)
    print(f"written to {out.relative_to(loopback.REPO)}; server log {work / 'server.log'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
