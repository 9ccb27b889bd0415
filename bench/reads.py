"""Thread reads at the origin and through Varnish, beside the static-file ceiling.

One Agora under gunicorn (``--workers`` × ``--threads``, gthread, SQLite), a thread of
200 approved comments, ``--users`` concurrent clients each sending its reads on a
connection of its own (as a reverse proxy does), and for each cache Agora can share
between workers (the database cache table, Redis: a real ``redis-server`` started here):

- the thread's own JSON, and the article page's own HTML, served as static files by the
  same server (WhiteNoise): the ceilings for reads;
- the thread as JSON (``/api/v1/articles/<slug>/comments?limit=200``), the embed's data
  (``/api/v1/embed/articles/<slug>``) and the article page (the page every anonymous
  reader shares), each with the replayed fast path on (the default) and off
  (``AGORA_REPLAY_READS=0``: the full Django path); the page is set beside its own
  static copy, the others beside the thread's;
- each row's rate, p50 / p99 latency and the server's CPU per read (master and workers,
  from /proc), which the load client sharing the cores blurs less than the rate.

Then Varnish (``deploy/varnish/agora.vcl``, a real ``varnishd``) in front of the same
server: the thread, the embed's data and the article page read through Varnish, with
Varnish's CPU and Agora's per read.

Before the rows, a profile of one cached read's CPU in-process (``--profile``): the full
path's top functions, and what the replay path costs.

Each row runs ``--rounds`` times, the rows taking turns, and reports the range. Loopback
only; every phase is bounded in time. Redis and Varnish rows are skipped, and say so,
when ``redis-server`` or ``varnishd`` is not installed.

    .venv/bin/python bench/reads.py [--workers 2] [--threads 4] [--users 64] [--seconds 8]
        [--rounds 3] [--caches db,redis] [--no-varnish] [--profile]

Writes bench/results/reads.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import loopback

RESULTS = loopback.REPO / "bench" / "results" / "reads.md"
VCL = loopback.REPO / "deploy" / "varnish" / "agora.vcl"
SLUG = "reads-thread"
THREAD = f"/api/v1/articles/{SLUG}/comments?limit=200"
EMBED = f"/api/v1/embed/articles/{SLUG}"
PAGE = f"/articles/{SLUG}/"
COMMENTS = 200


def get_request(path: str):
    async def make_request(connection, number=None):
        return await connection.request("GET", path, headers={"Connection": "close"})

    return make_request


def measure(server: loopback.Server, path: str, args, others=()) -> dict:
    """``args.seconds`` of reads of ``path``: rate, latencies, CPU per read of ``server``
    (and of each of ``others``, e.g. Agora behind Varnish)."""
    before = [server.cpu_seconds(), *(other.cpu_seconds() for other in others)]
    tally, elapsed = asyncio.run(
        loopback.run_for(server.port, args.seconds, args.users, get_request(path))
    )
    after = [server.cpu_seconds(), *(other.cpu_seconds() for other in others)]
    ok = tally.statuses.get(200, 0)
    return {
        "rate": ok / elapsed,
        "p50": tally.percentile_ms(0.5),
        "p99": tally.percentile_ms(0.99),
        "cpu_ms": [1000 * (b - a) / max(ok, 1) for a, b in zip(before, after, strict=True)],
        "other": {s: n for s, n in tally.statuses.items() if s != 200},
        "failures": tally.failures,
    }


def warm(port: int, paths: list[str]) -> None:
    """First reads (building the cached entries), then a pause past the second of the
    thread's version, then more reads: from then on answers carry Last-Modified and the
    fast path keeps them (agora/comments/replay.py)."""
    for path in paths:
        asyncio.run(loopback.run_count(port, 8, 4, get_request(path), max_seconds=60))
    time.sleep(1.2)
    for path in paths:
        asyncio.run(loopback.run_count(port, 200, 8, get_request(path), max_seconds=60))


def redis_server(work: Path) -> loopback.Server | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = loopback.free_port()
    argv = [binary, "--port", str(port), "--bind", loopback.LOOPBACK, "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(work)]
    return loopback.Server(argv, dict(os.environ), port, work / "redis.log", work)


def varnish_server(work: Path, backend_port: int) -> loopback.Server | None:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    binary = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")
    if binary is None:
        return None
    # varnishd reads its VCL after dropping root for its own user.
    work.chmod(0o755)
    vcl = work / "agora.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = loopback.free_port()
    argv = [binary, "-F", "-a", f"{loopback.LOOPBACK}:{port}", "-f", str(vcl)]
    argv += ["-n", str(work / "varnish"), "-s", "malloc,256m"]
    return loopback.Server(argv, dict(os.environ), port, work / "varnish.log", work)


def profile(work: Path) -> list[str]:
    """CPU of one cached thread read in-process: the full path's top functions by
    cumulative time, and the replay path's cost per read."""
    script = loopback.REPO / "bench" / "reads_profile.py"
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=loopback.REPO,
        env={**os.environ, "AGORA_VAR_DIR": str(work / "profile")},
    )
    return result.stdout.splitlines()


def same_bytes_as_static(path: str, static_root: Path, name: str) -> str:
    """A ceiling's file: the answer to ``path`` (read in-process), written as ``name``
    where the server's WhiteNoise serves static files, so both rows send the same bytes."""
    from django.test import Client

    body = Client().get(path, HTTP_HOST=loopback.LOOPBACK).content
    (static_root / "bench").mkdir(exist_ok=True)
    (static_root / "bench" / name).write_bytes(body)
    return f"/static/bench/{name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--caches", default="db,redis", help="db, redis, or both")
    parser.add_argument("--no-varnish", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="agora-reads-", dir="/tmp"))
    port = loopback.free_port()
    env = loopback.agora_env(work / "agora", None, port, args.workers, "db://agora_cache")
    env["AGORA_THREADS"] = str(args.threads)
    (work / "agora").mkdir()
    loopback.prepare_agora(env)
    loopback.use_django(env)
    loopback.seed_thread(SLUG, approved=COMMENTS)
    static = same_bytes_as_static(THREAD, work / "agora" / "static", "thread.json")
    static_page = same_bytes_as_static(PAGE, work / "agora" / "static", "page.html")
    load_average = loopback.load_average()
    lines = ["# Thread reads beside the static-file ceiling", ""]
    if args.profile:
        lines += ["## Where a cached read's CPU goes (in-process)", "", "```", *profile(work)]
        lines += ["```", ""]

    results: dict[str, dict[str, list[dict]]] = {}
    skipped = []
    helpers = []
    try:
        for cache in args.caches.split(","):
            server_env = dict(env)
            if cache == "redis":
                redis = redis_server(work)
                if redis is None:
                    skipped.append("Redis: `redis-server` is not installed")
                    continue
                redis.start(None)
                helpers.append(redis)
                server_env["AGORA_CACHE_URL"] = f"redis://{loopback.LOOPBACK}:{redis.port}/0"
            for replay in ("1", "0"):
                server_env["AGORA_REPLAY_READS"] = replay
                label = f"{cache}, {'replayed' if replay == '1' else 'full path'}"
                server = loopback.agora_server(server_env, port, work / f"agora-{cache}.log")
                server.start("/api/v1/articles")
                try:
                    paths = {"static": static, "thread": THREAD, "embed": EMBED}
                    paths |= {"static page": static_page, "page": PAGE}
                    warm(port, list(paths.values()))
                    rows = results.setdefault(label, {})
                    for _ in range(args.rounds):
                        for name, path in paths.items():
                            rows.setdefault(name, []).append(measure(server, path, args))
                finally:
                    server.stop()
        if not args.no_varnish:
            server = loopback.agora_server(env, port, work / "agora-varnish.log")
            varnish = varnish_server(work, port)
            if varnish is None:
                skipped.append("Varnish: `varnishd` is not installed")
            else:
                server.start("/api/v1/articles")
                helpers.append(server)
                varnish.start(None)
                helpers.append(varnish)
                warm(varnish.port, [THREAD, EMBED, PAGE])
                rows = results.setdefault("db, through Varnish", {})
                for _ in range(args.rounds):
                    for name, path in (("thread", THREAD), ("embed", EMBED), ("page", PAGE)):
                        row = measure(varnish, path, args, others=[server])
                        rows.setdefault(name, []).append(row)
    finally:
        for helper in reversed(helpers):
            helper.stop()

    (work / "results.json").write_text(json.dumps(results))
    load_average += f", at the end: {loopback.load_average()}"
    sizes = {
        name: (work / "agora" / "static" / "bench" / name).stat().st_size
        for name in ("thread.json", "page.html")
    }
    lines += report(args, results, skipped, load_average, sizes)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written to {RESULTS.relative_to(loopback.REPO)}; logs in {work}")
    return 0


def report(args, results, skipped, load_average, sizes) -> list[str]:
    def span(values, fmt):
        low, high = min(values), max(values)
        return (
            fmt.format(low)
            if fmt.format(low) == fmt.format(high)
            else (f"{fmt.format(low)}–{fmt.format(high)}")
        )

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `.venv/bin/python bench/reads.py "
        f"--workers {args.workers} --threads {args.threads} --users {args.users} "
        f"--seconds {args.seconds:g} --rounds {args.rounds} --caches {args.caches}"
        + (" --no-varnish" if args.no_varnish else "")
        + (" --profile" if args.profile else "")
        + "`, on this machine: 2 cores shared with the load client (and other jobs). "
        f"Load average at start: {load_average}.",
        "",
        f"gunicorn, {args.workers} workers × {args.threads} threads, SQLite, a thread of "
        f"{COMMENTS} approved comments (the thread's JSON "
        f"{sizes['thread.json'] / 1024:.0f} KiB, the article page "
        f"{sizes['page.html'] / 1024:.0f} KiB); {args.users} clients, each read on a "
        f"connection of its own; {args.rounds} rounds of {args.seconds:g} s per row, rows "
        "taking turns.",
        "",
        "| Cache, path | Read | req/s | ÷ static | p50 / p99 ms | server CPU ms/read |",
        "|---|---|---|---|---|---|",
    ]
    for label, rows in results.items():
        for name, runs in rows.items():
            rates = [run["rate"] for run in runs]
            ceiling = rows.get("static page" if name == "page" else "static")
            share = (
                span([r["rate"] / c["rate"] for r, c in zip(runs, ceiling, strict=True)], "{:.0%}")
                if ceiling and not name.startswith("static")
                else "–"
            )
            latency = (
                f"{span([r['p50'] for r in runs], '{:.0f}')} / "
                f"{span([r['p99'] for r in runs], '{:.0f}')}"
            )
            cpu = " + ".join(
                span([r["cpu_ms"][i] for r in runs], "{:.2f}")
                for i in range(len(runs[0]["cpu_ms"]))
            )
            lines.append(
                f"| {label} | {name} | {span(rates, '{:,.0f}')} | {share} | {latency} | {cpu} |"
            )
            problems = [(r["other"], r["failures"]) for r in runs if r["other"] or r["failures"]]
            if problems:
                lines.append(f"| | (non-200 answers, unanswered: {problems}) | | | | |")
    lines += [
        "",
        "`÷ static`: each round's rate over the static file's rate in the same round "
        "(the page's own HTML for the page, the thread's JSON for the others). "
        "Through Varnish the CPU column is Varnish's + Agora's per read.",
    ]
    lines += [f"- Skipped: {reason}." for reason in skipped]
    return lines


if __name__ == "__main__":
    sys.exit(main())
