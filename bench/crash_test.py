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

On SQLite the database files are then made read-only for ``--read-only-seconds``
(and the server killed and started again meanwhile, so its workers open them
read-only), then writable again without a restart: posts are refused with 503
while they are read-only (the posters retry them), nothing acknowledged is
lost, and posting resumes within seconds (at most RECOVERY_SECONDS after the
last 503).

    .venv/bin/python bench/crash_test.py                       # SQLite, 1 worker
    .venv/bin/python bench/crash_test.py --workers 4 --database-url postgres://...

Writes bench/results/crash-<database>-<workers>w.md. Loopback only, bounded
by --comments and --max-seconds.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import load_test
import loopback
from load_test import Posting

# Posting must resume this soon after the database is writable again: a refused write
# closes its connection when the request ends, and the next request opens a fresh one.
RECOVERY_SECONDS = 5


@dataclass
class ReadOnlySpell:
    """When the database files were read-only, on time.perf_counter()'s clock."""

    seconds: float
    started: float = 0.0
    ended: float = 0.0


def database_files() -> list[Path]:
    """The SQLite database and its -wal and -shm files (SQLite creates those with the
    database's permissions, so a -shm made while it is read-only is read-only too)."""
    from django.db import connection

    database = Path(connection.settings_dict["NAME"])
    return [path for path in database.parent.iterdir() if path.name.startswith(database.name)]


def make_read_only(read_only: bool) -> None:
    for path in database_files():
        path.chmod(0o444 if read_only else 0o644)


async def crash_during_load(
    server: loopback.Server,
    posting: Posting,
    kills: int,
    comments: int,
    spell: ReadOnlySpell | None,
    log: list[str],
) -> None:
    """SIGKILL and restart the server each time another share of the comments is
    acknowledged; then, with ``spell``, make the database read-only for a while."""
    loop = asyncio.get_running_loop()
    events = kills + (spell is not None)

    async def reached(event: int) -> None:
        while len(posting.acknowledged) < comments * event // (events + 1):
            await asyncio.sleep(0.05)

    async def kill_and_restart(label: str) -> None:
        in_flight = len(posting.sent) - len(posting.acknowledged)
        await loop.run_in_executor(None, server.kill9)
        down_at = time.perf_counter()
        log.append(
            f"kill -9 {label}after {len(posting.acknowledged)} acknowledged, "
            f"{in_flight} sent without an answer yet"
        )
        await loop.run_in_executor(None, server.start, "/api/v1/articles")
        log.append(f"restarted; down for {time.perf_counter() - down_at:.1f} s")

    for kill in range(1, kills + 1):
        await reached(kill)
        await kill_and_restart(f"#{kill} ")
    if spell is None:
        return
    await reached(events)
    make_read_only(True)
    spell.started = time.perf_counter()
    log.append(f"database files read-only after {len(posting.acknowledged)} acknowledged")
    # Workers started now open the files read-only, as after a deploy or a crash.
    await kill_and_restart("with the database read-only ")
    await asyncio.sleep(max(0.0, spell.started + spell.seconds - time.perf_counter()))
    make_read_only(False)
    spell.ended = time.perf_counter()
    log.append(
        f"database files writable again after {spell.ended - spell.started:.1f} s, "
        "server not restarted"
    )


async def run(args, server, port, slug, posting, spell, log):
    crasher = asyncio.create_task(
        crash_during_load(server, posting, args.kills, args.comments, spell, log)
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


def read_only_summary(
    spell: ReadOnlySpell | None, posting: Posting
) -> tuple[list[tuple[str, str]], bool]:
    """Report rows for the read-only spell, and whether it went as it must: posts
    refused with 503 while it lasted, and none refused soon after it ended."""
    if spell is None:
        return [("Database made read-only", "no")], True
    during = [t for t in posting.unavailable_at if spell.started <= t <= spell.ended]
    after = [t - spell.ended for t in posting.unavailable_at if t > spell.ended]
    last_refusal = f"{max(after):.2f} s" if after else "none"
    rows = [
        ("Database made read-only", f"{spell.ended - spell.started:.1f} s, a restart within"),
        ("Posts answered 503 while read-only (then retried)", str(len(during))),
        ("Last 503 after the files were writable again", last_refusal),
    ]
    return rows, bool(during) and max(after, default=0) <= RECOVERY_SECONDS


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
    parser.add_argument(
        "--read-only-seconds",
        type=float,
        default=10,
        help="how long the SQLite files stay read-only (0: not at all; PostgreSQL: never)",
    )
    args = parser.parse_args(argv)

    work, port, env = loopback.prepared_agora(args, "agora-crash-")
    run_id = "crash" + time.strftime("%Y%m%d%H%M%S")
    slug = f"crash-{run_id}"
    loopback.seed_thread(slug, approved=200)

    database = load_test.database_label(args.database_url)
    server = loopback.agora_server(env, port, work / "server.log")
    spell = None
    if database == "sqlite" and args.read_only_seconds > 0:
        spell = ReadOnlySpell(args.read_only_seconds)
        server.argv = loopback.without_root_override(server.argv)
    server.start("/api/v1/articles")
    posting = Posting(run_id)
    log: list[str] = []
    load_average = loopback.load_average()
    try:
        api, page, elapsed = asyncio.run(run(args, server, port, slug, posting, spell, log))
    finally:
        server.stop()
        if spell is not None:
            make_read_only(False)
    result = load_test.audit(slug, posting)
    integrity = sqlite_integrity()

    posts = posting.tally
    # A 503 is the answer while the database cannot write; any other 5xx is a failure.
    server_errors = (
        posts.server_errors - posts.statuses.get(503, 0) + api.server_errors + page.server_errors
    )
    unanswered = [n for n in posting.sent if n not in posting.acknowledged]
    spell_rows, spell_held = read_only_summary(spell, posting)
    passed = (
        not unanswered  # every client, retrying with its key, got its comment accepted
        and not result.acknowledged_missing
        and result.stored_twice == 0
        and result.garbled == 0
        and result.ids_reused == 0
        and integrity in {"ok", "n/a (PostgreSQL)"}
        and server_errors == 0
        and spell_held
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
        ("5xx responses other than 503", str(server_errors)),
        *spell_rows,
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
