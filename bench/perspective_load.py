"""``comments:analyze`` under load, beside posting a comment, on one gunicorn server.

A production-like Agora (gunicorn, 2 workers x 4 threads, SQLite, rate limits off) on the
loopback; the load client on the same machine. In alternating rounds of fixed length,
concurrent clients send, each request on a connection of its own (as isso_compare.py posts):

- analyze, all attributes: every attribute Agora answers, OFF_TOPIC included (the context
  entries are the article, embedded again for every request: nothing is cached), span
  annotations on, ``doNotStore``;
- analyze, Coral's request: ``TOXICITY`` alone, as Coral's toxicity filter asks;
- post: a new comment through the JSON API under the same article, scored and stored.

Each is reported as requests per second, p50 and p99 latency, and the server's CPU time per
request (both workers and the master, measured from /proc). The comment texts are
bench/posting.py's, the same for every kind.

    .venv/bin/python bench/perspective_load.py   # prints and writes bench/results/perspective.md
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import loopback
import posting

RESULTS = loopback.REPO / "bench" / "results" / "perspective.md"
SLUG = "perspective-posts"
ALL_ATTRIBUTES = (
    "TOXICITY", "SEVERE_TOXICITY", "INSULT", "IDENTITY_ATTACK", "PROFANITY", "THREAT", "SPAM",
    "OFF_TOPIC", "SEXISM", "RACISM", "HOMOPHOBIA", "XENOPHOBIA", "LIKELY_TO_REJECT",
)  # fmt: skip
CONTEXT = [posting.TITLE, posting.STANDFIRST, posting.BODY]


def analyze_request(key: str, attributes: tuple[str, ...], tag: str):
    path = f"/v1alpha1/comments:analyze?key={key}"

    async def make_request(connection, number):
        data = {
            "comment": {"text": posting.comment_text(number, tag)},
            "requestedAttributes": {name: {} for name in attributes},
            "languages": ["en"],
            "doNotStore": True,
        }
        if "OFF_TOPIC" in attributes:
            data["context"] = {"entries": [{"text": text} for text in CONTEXT]}
            data["spanAnnotations"] = True
        body, headers = loopback.json_body(data)
        headers["Connection"] = "close"
        response = await connection.request("POST", path, body, headers)
        return response

    return make_request


def post_request(tag: str):
    async def make_request(connection, number):
        body, headers = loopback.json_body(
            {
                "author_name": "Reader",
                "author_email": f"reader-{tag}-{number}@bench.example",
                "body": posting.comment_text(number, tag),
            }
        )
        headers["Connection"] = "close"
        return await connection.request("POST", f"/api/v1/articles/{SLUG}/comments", body, headers)

    return make_request


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=15, help="length of each round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each kind, alternating")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="agora-perspective-", dir="/tmp"))
    port = loopback.free_port()
    env = loopback.agora_env(work, None, port, args.workers)
    loopback.prepare_agora(env)
    loopback.use_django(env)
    from agora.articles.models import Article
    from agora.perspective.models import ApiKey

    Article.objects.create(
        slug=SLUG, title=posting.TITLE, standfirst=posting.STANDFIRST, body=posting.BODY
    )
    _, key = ApiKey.objects.issue("bench", per_second=0, per_day=0)
    kinds = {
        "analyze, all 13 attributes": lambda tag: analyze_request(key, ALL_ATTRIBUTES, tag),
        "analyze, TOXICITY (Coral's request)": lambda tag: analyze_request(key, ("TOXICITY",), tag),
        "post a comment (JSON API)": post_request,
    }
    server = loopback.agora_server(env, port, work / "agora.log")
    load = loopback.load_average()
    tallies = {name: loopback.Tally() for name in kinds}
    elapsed = dict.fromkeys(kinds, 0.0)
    cpu = dict.fromkeys(kinds, 0.0)
    try:
        server.start("/api/v1/articles")
        for make in kinds.values():  # warm every worker's engine, relevance and caches
            asyncio.run(loopback.run_count(port, 40, 4, make("warm-up"), max_seconds=60))
        for round_number in range(args.rounds):
            for name, make in kinds.items():
                before = server.cpu_seconds()
                tally, seconds = asyncio.run(
                    loopback.run_count(
                        port, 10**9, args.users, make(f"r{round_number}"), args.seconds
                    )
                )
                cpu[name] += server.cpu_seconds() - before
                tallies[name].add_tally(tally)
                elapsed[name] += seconds
    finally:
        server.stop()

    lines = [
        f"# comments:analyze beside a post ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`python bench/perspective_load.py`: gunicorn, {args.workers} workers x 4 threads, "
        f"SQLite, {args.users} concurrent clients, a connection per request, "
        f"{args.rounds} rounds of {args.seconds:g} s per kind, alternating. Machine: "
        f"{loopback.cpu_model()}, {loopback.load_average()} load "
        f"at the end ({load} at the start); the client shares the cores.",
        "",
        "| Request | Requests/s | p50 ms | p99 ms | Server CPU ms / request | Statuses |",
        "|---|---|---|---|---|---|",
    ]
    for name, tally in tallies.items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
        lines.append(
            f"| {name} | {tally.count / elapsed[name]:.1f} | {tally.percentile_ms(0.5):.1f} | "
            f"{tally.percentile_ms(0.99):.1f} | {1000 * cpu[name] / max(tally.count, 1):.2f} | "
            f"{statuses}; failures: {tally.failures} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
