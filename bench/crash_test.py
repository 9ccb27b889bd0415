"""Crash test: kill -9 the server in the middle of the load, restart it, lose nothing.

The load of bench/load_test.py runs; when a third (and two thirds) of the
comments have been acknowledged, the whole server (gunicorn master and
workers) gets SIGKILL at once, mid-request, and is started again. Posters
whose requests got no answer retry them with the same Idempotency-Key, as a
real client would. Afterwards:

- every comment acknowledged with 202 is in the database, exactly as sent;
- nothing is stored twice (the retries of a comment that was committed just
  before the kill find it by its key);
- no stored row is half-written (each one is exactly one comment that was sent,
  with its author), and SQLite's integrity check passes.

    .venv/bin/python bench/crash_test.py                       # SQLite, 1 worker
    .venv/bin/python bench/crash_test.py --workers 4 --database-url postgres://...

Writes bench/results/crash-<database>-<workers>w.md. Loopback only, bounded
by --comments and --max-seconds.
"""

from __future__ import annotations

import asyncio
import sys
import time

import load_test
import loopback
from load_test import Posting


async def crash_during_load(
    server: loopback.Server, posting: Posting, kills: int, comments: int, log: list[str]
) -> None:
    """SIGKILL and restart the server each time another share of the comments is acknowledged."""
    loop = asyncio.get_running_loop()
    for kill in range(1, kills + 1):
        threshold = comments * kill // (kills + 1)
        while len(posting.acknowledged) < threshold:
            await asyncio.sleep(0.05)
        in_flight = len(posting.sent) - len(posting.acknowledged)
        await loop.run_in_executor(None, server.kill9)
        down_at = time.perf_counter()
        log.append(
            f"kill -9 #{kill} after {len(posting.acknowledged)} acknowledged, "
            f"{in_flight} sent without an answer yet"
        )
        await loop.run_in_executor(None, server.start, "/api/v1/articles")
        log.append(f"restarted; down for {time.perf_counter() - down_at:.1f} s")


async def run(args, server, port, slug, posting, log):
    crasher = asyncio.create_task(
        crash_during_load(server, posting, args.kills, args.comments, log)
    )
    api, page, elapsed = await load_test.load(
        port,
        slug,
        posting,
        args.comments,
        args.posters,
        args.readers,
        args.max_seconds,
        retry_seconds=120,
    )
    if not crasher.done():
        crasher.cancel()
        log.append("the load ended before every planned kill")
    return api, page, elapsed


def sqlite_integrity() -> str:
    from django.db import connection

    if connection.vendor != "sqlite":
        return "n/a (PostgreSQL)"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return cursor.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = loopback.server_arguments(__doc__.split("\n\n")[0], comments=3_000, readers=2)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args(argv)

    work, port, env = loopback.prepared_agora(args, "agora-crash-")
    run_id = "crash" + time.strftime("%Y%m%d%H%M%S")
    slug = f"crash-{run_id}"
    loopback.seed_thread(slug, approved=200)

    server = loopback.agora_server(env, port, work / "server.log")
    server.start("/api/v1/articles")
    posting = Posting(run_id)
    log: list[str] = []
    load_average = loopback.load_average()
    try:
        api, page, elapsed = asyncio.run(run(args, server, port, slug, posting, log))
    finally:
        server.stop()
    result = load_test.audit(slug, posting)
    integrity = sqlite_integrity()

    database = load_test.database_label(args.database_url)
    posts = posting.tally
    server_errors = posts.server_errors + api.server_errors + page.server_errors
    unanswered = [n for n in posting.sent if n not in posting.acknowledged]
    passed = (
        not unanswered  # every client, retrying with its key, got its comment accepted
        and not result.acknowledged_missing
        and result.stored_twice == 0
        and result.garbled == 0
        and result.ids_reused == 0
        and integrity in {"ok", "n/a (PostgreSQL)"}
        and server_errors == 0
    )
    rows = [
        ("Database", f"{database}, {args.workers} gunicorn worker(s)"),
        ("Machine load average at start", load_average),
        ("Cache", env.get("AGORA_CACHE_URL", "each worker's memory (locmem)")),
        ("Server killed with SIGKILL", f"{args.kills} time(s)"),
        *((f"Event {i + 1}", line) for i, line in enumerate(log)),
        ("Comments sent / acknowledged", f"{len(posting.sent)} / {len(posting.acknowledged)}"),
        ("Sent, never acknowledged (gave up)", str(len(unanswered))),
        ("Requests with no answer (then retried)", str(posts.failures)),
        ("Wall time", f"{elapsed:.1f} s"),
        ("Post statuses", load_test.status_summary(posts)),
        ("5xx responses", str(server_errors)),
        ("Acknowledged but missing or different", str(len(result.acknowledged_missing))),
        ("Stored more than once", str(result.stored_twice)),
        ("Stored rows not matching a sent comment", str(result.garbled)),
        ("SQLite integrity_check", integrity),
        ("Nothing lost, doubled or half-written", "PASS" if passed else "FAIL"),
    ]
    command = "bench/crash_test.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.database_url:
        command = command.replace(args.database_url, "postgres://...")
    report = "\n".join(
        [
            f"# Crash test: {database}, {args.workers} worker(s)",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M')} on this machine. "
            f"Reproduce: `.venv/bin/python {command}`",
            "",
            "| | |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in rows),
            "",
        ]
    )
    load_test.RESULTS.mkdir(parents=True, exist_ok=True)
    out = load_test.RESULTS / f"crash-{database}-{args.workers}w.md"
    out.write_text(report)
    print(report)
    print(f"written to {out.relative_to(loopback.REPO)}; server log {work / 'server.log'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
