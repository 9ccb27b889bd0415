"""Agora and Isso side by side, on this machine, in one run.

Isso is the self-hosted Python comment server. Both run under the same server
stack (gunicorn, the same number of workers, gthread with ``--threads`` each, a 5 s
keep-alive, on SQLite, which is the only database Isso has), both with moderation on (a new
comment is held: 202) and without rate limits (Isso's guard off, Agora's
AGORA_RATELIMIT=0), and both are measured by the same client:

- posts per second: ``--rounds`` rounds of ``--posts`` new comments sent by ``--users``
  clients, the systems taking turns (who goes first alternates, so neither always meets
  the same background load; a single round of a few seconds moved by 10% between runs),
  each comment from a reader (an email address) of its own, as under a real article, on a
  connection of its own (``--post-keep-alive``: over each client's kept-alive connection;
  then the rate mostly says how those connections fell on the workers, shown by each
  worker's share of the CPU);
- reads per second of one thread of 200 approved comments, for ``--seconds``:
  Agora's JSON API and article page, Isso's JSON thread (what its widget loads); each read
  on a connection of its own, as a reverse proxy sends them to gunicorn by default
  (``--read-keep-alive``: over each client's kept-alive connection; runs then gave about
  950 or 2,000-2,300 thread reads/s for Agora, as the 20 connections all fell on one worker
  or split over both);
- a static file served by the same stack (WhiteNoise for Agora, Isso's own
  static middleware): the ceiling for reads;
- p50 and p99 latency of each, and memory per worker (RSS, and PSS, which
  splits pages shared between workers) after the run;
- each server's CPU time per post (master and workers, from /proc), over the posts
  phases: what a post costs, which the client sharing the cores does not blur as it
  blurs the rates.

Before anything is timed, each system takes ``WARM_UP`` posts (to a thread of
their own) and reads of each page, so both are measured as servers that have
run a while, not on their workers' first requests.

Isso is installed on first use into its own virtualenv (``--isso-venv``,
default /tmp/isso-venv) with ``pip install isso gunicorn``; its config file is
written under /tmp. Loopback only; every phase is bounded in count or time.

    .venv/bin/python bench/isso_compare.py [--workers 2] [--threads 4] [--users 20]
        [--posts 1000] [--rounds 3] [--post-keep-alive] [--read-keep-alive] [--no-relevance]
        [--append]

Writes bench/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import loopback
import posting
from loopback import Tally, json_body

RESULTS = loopback.REPO / "bench" / "results.md"
THREAD = 200
AGORA_THREAD = f"/api/v1/articles/compare-thread/comments?limit={THREAD}"
AGORA_PAGE = "/articles/compare-thread/"
ISSO_THREAD = "/?uri=%2Fthread"
ISSO_STATIC = "/js/embed.min.js"
WARM_UP = 40


def ensure_isso(venv: Path) -> str:
    """The Isso version in ``venv``, installing it (and gunicorn) there if needed."""
    python = venv / "bin" / "python"
    if not (venv / "bin" / "gunicorn").exists() or not (venv / "bin" / "isso").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "isso", "gunicorn"], check=True
        )
    return subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('isso'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def isso_config(work: Path, port: int) -> Path:
    config = work / "isso.cfg"
    config.write_text(
        "\n".join(
            [
                "[general]",
                f"dbpath = {work / 'isso.db'}",
                f"host = http://127.0.0.1:{port}/",
                "notify = stdout",
                "gravatar = false",
                "[moderation]",
                "enabled = true",
                "[guard]",
                "enabled = false",
                "[server]",
                f"listen = http://127.0.0.1:{port}/",
                "[hash]",
                "salt = agora-benchmark-salt",
                "",
            ]
        )
    )
    return config


def isso_server(venv: Path, config: Path, port: int, workers: int, threads: int, work: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("AGORA_")}
    env["ISSO_SETTINGS"] = str(config)
    # Isso creates its database when its app loads. Two workers loading it at once on a new
    # database both insert its first rows, and one fails to boot (seen once: the run
    # stopped), so the app is loaded once here first.
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-c", "import isso.run"], env=env, check=True, timeout=60, capture_output=True
    )
    argv = [
        str(venv / "bin" / "gunicorn"),
        "isso.run",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        # Agora's keep-alive (agora.gunicorn_conf), so both run the same server stack.
        "--keep-alive",
        "5",
        # No --preload: Isso's app, loaded in the master, starts a purge thread there that
        # holds Isso's lock while it runs; a worker forked at that moment inherits the lock
        # held, and every new comment it takes waits forever (seen as runs where Isso left
        # posts, then reads, unanswered). Each worker loads its own app instead.
    ]
    return loopback.Server(argv, env, port, work / "isso.log", work)


async def seed_isso(port: int, database: Path) -> None:
    """200 comments on Isso's thread, then published (as a moderator would)."""
    connection = loopback.Connection(port)
    for number in range(THREAD):
        body, headers = json_body(
            {
                "author": f"Reader {number}",
                "email": f"seed{number}@bench.example",
                "title": "Benchmark thread",
                "text": f"Seeded comment {number}: the dam repairs should start before the "
                "spring floods, and the council should publish the full costs first.",
            }
        )
        response = await connection.request("POST", "/new?uri=%2Fthread", body, headers)
        assert response.status == 202, (response.status, response.body[:200])
    connection.close()
    with sqlite3.connect(database) as db:
        db.execute("UPDATE comments SET mode = 1")


def post_request(system: str, topic: str = "posts", keep_alive: bool = False, first: int = 0):
    """New comments under Agora's article ``compare-{topic}`` or Isso's thread ``/{topic}``,
    numbered from ``first``, each on a connection of its own unless ``keep_alive``."""
    path = (
        f"/api/v1/articles/compare-{topic}/comments"
        if system == "agora"
        else f"/new?uri=%2F{topic}"
    )

    async def make_request(connection, number):
        number += first
        # The same texts in every run (each server starts on an empty database): a tag
        # with the time of day changed how many the relevance model's fast screen settled
        # (18-37% of the posts across twelve runs), and so what a post cost.
        text = posting.comment_text(number, topic)
        # Each comment from a reader of its own, as under a real article.
        email = f"reader{number}@bench.example"
        if system == "agora":
            data = {"author_name": "Reader", "author_email": email, "body": text}
        else:
            data = {"author": "Reader", "email": email, "text": text, "title": "Posts"}
        body, headers = json_body(data)
        if not keep_alive:
            # As each reader's browser opens its own: a gthread worker serves every request
            # on the connections it accepted, so over kept-alive connections the rate says
            # how the clients happened to fall on the workers (see --post-keep-alive).
            headers["Connection"] = "close"
        return await connection.request("POST", path, body, headers)

    return make_request


async def warm_up(port: int, system: str, reads: list[tuple[str, str]]) -> None:
    """``WARM_UP`` posts (to a thread of their own) and reads of each page before anything
    is timed, so both systems are measured warm: each worker thread has its database
    connection, compiled templates and filled caches, as a server that has run a while."""
    await loopback.run_count(port, WARM_UP, 4, post_request(system, "warm-up"), max_seconds=60)
    for _, path in reads:
        await loopback.run_count(port, WARM_UP, 4, get_request(path), max_seconds=60)


def get_request(path: str, keep_alive: bool = False):
    """Reads of ``path``; each on a connection of its own unless ``keep_alive``."""
    headers = {} if keep_alive else {"Connection": "close"}

    async def make_request(connection, number=None):  # run_count passes a number
        return await connection.request("GET", path, headers=headers)

    return make_request


async def first_response(port: int, path: str) -> loopback.Response:
    connection = loopback.Connection(port)
    try:
        return await connection.request("GET", path)
    finally:
        connection.close()


def check_threads(agora_port: int, isso_port: int) -> None:
    """Both threads hold the same 200 approved comments before reads are timed."""
    agora = asyncio.run(first_response(agora_port, AGORA_THREAD)).json()
    isso = asyncio.run(first_response(isso_port, ISSO_THREAD)).json()
    assert agora["count"] == THREAD and len(agora["comments"]) == THREAD, agora["count"]
    assert isso["total_replies"] == THREAD and len(isso["replies"]) == THREAD


def post_round(server, args, make_request, checker=None) -> dict:
    """One round of ``--posts`` posts: the tally, the time, and the server's CPU.

    With Agora's task worker (``checker``), the round ends when the worker has stored the
    verdict of every comment posted, and its CPU counts as the server's."""
    cpu, workers = server.cpu_seconds(), server.worker_cpu_seconds()
    checker_cpu = checker.cpu_seconds() if checker else 0.0
    start = time.monotonic()
    tally, _ = asyncio.run(
        loopback.run_count(server.port, args.posts, args.users, make_request, max_seconds=300)
    )
    accepted = time.monotonic() - start
    checked_cpu = 0.0
    if checker:
        loopback.wait_until_checked()
        checked_cpu = checker.cpu_seconds() - checker_cpu
    elapsed = time.monotonic() - start
    used = cpu_used(server, workers)
    return {
        "tally": tally,
        "elapsed": elapsed,
        "accepted": accepted,
        "cpu": server.cpu_seconds() - cpu + checked_cpu,
        "checker_cpu": checked_cpu,
        "used": used,
    }


def cpu_used(server, before: list[float]) -> list[float]:
    """Each worker's CPU seconds since ``before`` (``server.worker_cpu_seconds()``)."""
    return [b - a for a, b in zip(before, server.worker_cpu_seconds(), strict=True)]


def shares_of(used: list[float]) -> list[float]:
    """Each worker's share of the workers' CPU, in percent: an uneven split means the
    connections fell on one worker more than on the others."""
    return [100 * u / (sum(used) or 1) for u in used]


def combine(rounds: list[dict]) -> dict:
    """The posts row over all rounds (rate, latencies, CPU per post, worker shares), with
    each round's own rate."""
    tally = Tally()
    for one in rounds:
        tally.add_tally(one["tally"])
    row = measure("posts", tally, sum(one["elapsed"] for one in rounds), 202)
    row["cpu_ms"] = 1000 * sum(one["cpu"] for one in rounds) / tally.count
    row["checker_cpu_ms"] = 1000 * sum(one["checker_cpu"] for one in rounds) / tally.count
    row["worker_shares"] = shares_of(
        [sum(worker) for worker in zip(*(one["used"] for one in rounds), strict=True)]
    )
    row["round_rates"] = [one["tally"].statuses.get(202, 0) / one["elapsed"] for one in rounds]
    row["accepted_rate"] = tally.statuses.get(202, 0) / sum(one["accepted"] for one in rounds)
    return row


def measure(label, tally: Tally, elapsed: float, expected_status: int) -> dict:
    ok = tally.statuses.get(expected_status, 0)
    return {
        "label": label,
        "rate": ok / elapsed,
        "p50": tally.percentile_ms(0.5),
        "p99": tally.percentile_ms(0.99),
        "other": {s: n for s, n in tally.statuses.items() if s != expected_status},
        "failures": tally.failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, both servers")
    parser.add_argument("--users", type=int, default=20, help="concurrent clients per phase")
    parser.add_argument("--posts", type=int, default=1000, help="posts per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of posts per system, alternating"
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each read phase")
    parser.add_argument("--isso-venv", type=Path, default=Path("/tmp/isso-venv"))
    parser.add_argument(
        "--cache-url", help="Agora's AGORA_CACHE_URL, or 'memory'; default db://agora_cache"
    )
    parser.add_argument(
        "--no-relevance",
        action="store_true",
        help="run Agora with AGORA_RELEVANCE=0 (guidelines scored, off_topic not)",
    )
    parser.add_argument(
        "--post-keep-alive",
        action="store_true",
        help="send the timed posts over the clients' kept-alive connections, not one each",
    )
    parser.add_argument(
        "--read-keep-alive",
        action="store_true",
        help="send each client's reads over one kept-alive connection, not one each",
    )
    parser.add_argument(
        "--append", action="store_true", help="add this run to bench/results.md, not replace it"
    )
    args = parser.parse_args(argv)

    isso_version = ensure_isso(args.isso_venv)
    work = Path(tempfile.mkdtemp(prefix="agora-isso-", dir="/tmp"))
    agora_port, isso_port = loopback.free_port(), loopback.free_port()

    env = loopback.agora_env(work / "agora", None, agora_port, args.workers, args.cache_url)
    env["AGORA_THREADS"] = str(args.threads)
    if args.no_relevance:
        env["AGORA_RELEVANCE"] = "0"
    (work / "agora").mkdir()
    loopback.prepare_agora(env)
    loopback.use_django(env)
    loopback.seed_thread("compare-thread", approved=THREAD)
    from agora.articles.models import Article
    from agora.comments.models import Comment

    for topic in ("posts", "warm-up"):
        Article.objects.create(
            slug=f"compare-{topic}",
            title=posting.TITLE,
            standfirst=posting.STANDFIRST,
            body=posting.BODY,
        )
    manifest = json.loads((work / "agora" / "static" / "staticfiles.json").read_text())
    agora_static = "/static/" + manifest["paths"]["agora/site.css"]

    agora = loopback.agora_server(env, agora_port, work / "agora.log")
    worker = loopback.TaskWorker(env, work / "agora-worker.log")
    isso = isso_server(
        args.isso_venv, isso_config(work, isso_port), isso_port, args.workers, args.threads, work
    )
    load_average = loopback.load_average()
    results: dict[str, dict[str, dict]] = {}
    try:
        agora.start("/api/v1/articles")
        worker.start()
        isso.start(ISSO_STATIC)
        asyncio.run(seed_isso(isso_port, work / "isso.db"))
        check_threads(agora_port, isso_port)
        servers = {"agora": agora, "isso": isso}
        reads = {
            "agora": [("thread", AGORA_THREAD), ("page", AGORA_PAGE), ("static", agora_static)],
            "isso": [("thread", ISSO_THREAD), ("static", ISSO_STATIC)],
        }
        for system, server in servers.items():
            asyncio.run(warm_up(server.port, system, reads[system]))
        # Alternate who goes first, so neither always meets the same background load.
        rounds = {system: [] for system in servers}
        for number in range(args.rounds):
            for system in ["agora", "isso"] if number % 2 == 0 else ["isso", "agora"]:
                make_request = post_request(
                    system, keep_alive=args.post_keep_alive, first=number * args.posts
                )
                checker = worker if system == "agora" else None
                rounds[system].append(post_round(servers[system], args, make_request, checker))
        for system, measured in rounds.items():
            results[system] = {"posts": combine(measured)}
        for order, phase in enumerate(["thread", "page", "static"]):
            systems = ["isso", "agora"] if order % 2 == 0 else ["agora", "isso"]
            for system in systems:
                server = servers[system]
                port = server.port
                paths = dict(reads[system])
                if phase not in paths:
                    continue
                workers = server.worker_cpu_seconds()
                tally, elapsed = asyncio.run(
                    loopback.run_for(
                        port,
                        args.seconds,
                        args.users,
                        get_request(paths[phase], keep_alive=args.read_keep_alive),
                    )
                )
                row = measure(phase, tally, elapsed, 200)
                row["worker_shares"] = shares_of(cpu_used(server, workers))
                results.setdefault(system, {})[phase] = row
        memory = {"agora": agora.worker_memory(), "isso": isso.worker_memory()}
        headers = asyncio.run(first_response(agora_port, AGORA_THREAD)).headers
    finally:
        agora.stop()
        worker.stop()
        isso.stop()
    posted = Comment.objects.filter(article__slug="compare-posts")
    scored = posted.exclude(model_version="").count()
    cache = env.get("AGORA_CACHE_URL", "each worker's memory (locmem)")
    report = render(args, results, memory, headers, isso_version, load_average, scored, cache)
    if args.append and RESULTS.exists():
        report = (
            RESULTS.read_text() + "\n" + report.replace("# Agora and Isso", "## Agora and Isso")
        )
    RESULTS.write_text(report)
    print(report)
    print(f"written to {RESULTS.relative_to(loopback.REPO)}; logs in {work}")
    return 0


def render(args, results, memory, headers, isso_version, load_average, scored, cache) -> str:
    agora, isso = results["agora"], results["isso"]

    def rate(row):
        return f"{row['rate']:.0f}/s" if row else "–"

    def latency(row):
        return f"{row['p50']:.0f} / {row['p99']:.0f} ms" if row else "–"

    def shares(row):
        return " / ".join(f"{share:.0f}%" for share in row["worker_shares"])

    def ratio(a, b):
        if a and b and (a["failures"] or b["failures"]):
            return "not comparable: requests unanswered"  # a server hung; see below
        return f"{a['rate'] / b['rate']:.2f}×" if a and b and b["rate"] else "–"

    lines = [
        ("Posts (held for moderation, 202)", agora["posts"], isso["posts"]),
        ("Thread reads, 200 comments (JSON)", agora["thread"], isso["thread"]),
        ("Thread reads, 200 comments (Agora's HTML article page)", agora["page"], None),
        ("Static file, same server stack (read ceiling)", agora["static"], isso["static"]),
    ]
    table = [
        "| | Agora req/s | Isso req/s | Agora ÷ Isso | Agora p50 / p99 | Isso p50 / p99 |",
        "|---|---|---|---|---|---|",
    ]
    for name, a, b in lines:
        table.append(
            f"| {name} | {rate(a)} | {rate(b)} | {ratio(a, b)} | {latency(a)} | {latency(b)} |"
        )
    problems = [
        f"{system} {phase}: other statuses {row['other']}, no answer {row['failures']}"
        for system, rows in results.items()
        for phase, row in rows.items()
        if row["other"] or row["failures"]
    ]
    cached = "ETag" if "etag" in headers else "no ETag"
    ceiling = agora["thread"]["rate"] / agora["static"]["rate"]
    return "\n".join(
        [
            "# Agora and Isso, side by side",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M')} by "
            "`.venv/bin/python bench/isso_compare.py "
            f"--workers {args.workers} --threads {args.threads} --users {args.users} "
            f"--posts {args.posts} --rounds {args.rounds} "
            f"--seconds {args.seconds:g}"
            + (f" --cache-url {args.cache_url}" if args.cache_url else "")
            + (" --no-relevance" if args.no_relevance else "")
            + (" --post-keep-alive" if args.post_keep_alive else "")
            + (" --read-keep-alive" if args.read_keep_alive else "")
            + "`, on this machine: 2 cores, with the load client on "
            f"the same cores. Machine load average at start: {load_average}.",
            "",
            f"Both under gunicorn, {args.workers} workers × {args.threads} threads (gthread), "
            "keep-alive 5 s, "
            f"SQLite, moderation on, rate limits off; {args.users} concurrent clients; "
            f"Isso {isso_version}. Posts: {args.rounds} rounds of {args.posts} per system, "
            f"alternating which system goes first. Reads: {args.seconds:g} s "
            "per row. Agora's cache (cached threads; rate-limit and flood counters are a "
            f"database table): {cache}. Agora scores every post against the guidelines"
            + (
                " without the relevance model (`off_topic` off)."
                if args.no_relevance
                else ", relevance (`off_topic`) included."
            ),
            "",
            *table,
            "",
            "- Posts per second in each round: Agora "
            + ", ".join(f"{r:.0f}" for r in agora["posts"]["round_rates"])
            + "; Isso "
            + ", ".join(f"{r:.0f}" for r in isso["posts"]["round_rates"])
            + " (Agora ÷ Isso: "
            + ", ".join(
                f"{a / b:.2f}×" if b else "–"
                for a, b in zip(
                    agora["posts"]["round_rates"], isso["posts"]["round_rates"], strict=True
                )
            )
            + "). The table's row is all rounds together.",
            "- Agora's posts are checked by its task worker, off the request: a round ends "
            "when the worker has stored every verdict, so the rates and the CPU count its work. "
            f"The clients saw Agora accept {agora['posts']['accepted_rate']:.0f} posts/s; "
            f"the worker used {agora['posts']['checker_cpu_ms']:.1f} ms of CPU per post.",
            f"- Server CPU per post (master and workers, Agora's task worker included, over "
            "the posts phases): Agora "
            f"{agora['posts']['cpu_ms']:.1f} ms, Isso {isso['posts']['cpu_ms']:.1f} ms "
            f"(Agora ÷ Isso: {agora['posts']['cpu_ms'] / isso['posts']['cpu_ms']:.2f}×).",
            "- Each worker's share of its server's worker CPU over the posts phases: Agora "
            f"{shares(agora['posts'])}, Isso {shares(isso['posts'])}; the posts came "
            + (
                "over the clients' kept-alive connections."
                if args.post_keep_alive
                else "on a connection each."
            )
            + " Over the thread reads ("
            + (
                "each client's reads over one kept-alive connection"
                if args.read_keep_alive
                else "a connection each"
            )
            + f"): Agora {shares(agora['thread'])}, Isso {shares(isso['thread'])}.",
            f"- Memory per worker after the run: Agora {loopback.rss_summary(memory['agora'])}; "
            f"Isso {loopback.rss_summary(memory['isso'])}.",
            f"- Agora's thread reads reach {100 * ceiling:.0f}% of its static-file ceiling "
            f"(Agora's thread response carried {cached}).",
            f"- Agora posts scored by the guideline engine during the run: {scored} of "
            f"{args.posts * args.rounds}."
            + (
                " The sentence encoder read each of them once, for the guideline models and "
                f"relevance alike (the posts cycle through {len(posting.TEXTS)} comments "
                f"written for the bench, {len(posting.TEXTS) - 2} on the article's story and 2 "
                "about something else)."
                if not args.no_relevance
                else ""
            ),
            *(f"- Non-success answers: {p}" for p in problems),
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
