"""Importing a generated Disqus export: comments per second and peak memory.

Writes a Disqus XML export of ``--comments`` comments over ``--threads`` threads (one in
three a reply, many to a reply, one in fifty spam, each with an HTML paragraph and a link),
then times ``agora import disqus`` on it, in a process of its own run as in production
(``AGORA_DEBUG=0``), against a fresh SQLite database (or the empty PostgreSQL database
``--database-url`` names). Prints the rate over the whole command (start-up and the
checking read of the file included), the CPU time it used (on a shared machine, the wall
time also counts waiting for the CPU) and its peak resident memory. With ``--score-jobs N``
it then runs the same import again with ``--score --jobs N`` (nothing left to store: the
file is read again and every comment judged by the guideline engine) and times that too.

    .venv/bin/python bench/import_disqus.py [--comments 1000000] [--threads 20000]
        [--database-url postgres://...] [--score-jobs 2]

Prints the table and writes it to bench/results/import-<database>.md.

Targets: at least 5,000 comments/s without scoring; memory below 300 MB whatever the size.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import loopback

RESULTS = Path(__file__).resolve().parent / "results"

HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def write_export(path: Path, comments: int, threads: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for t in range(threads):
            out.write(
                f'<thread dsq:id="t{t}"><link>https://news.example/story-{t}</link>'
                f"<title>Story {t}</title><createdAt>2020-01-01T00:00:00Z</createdAt></thread>\n"
            )
        for n in range(comments):
            reply = n >= threads and n % 3 == 0
            parent = f'<parent dsq:id="p{n - threads}"/>' if reply else ""
            spam = "true" if n % 50 == 0 else "false"
            out.write(
                f'<post dsq:id="p{n}"><message><![CDATA[<p>Comment {n} on the story, with '
                f'<a href="https://example.org/{n}">a link</a>.</p>]]></message>'
                "<createdAt>2021-05-01T10:00:00Z</createdAt><isDeleted>false</isDeleted>"
                f"<isSpam>{spam}</isSpam><author><name>Reader {n % 997}</name>"
                f"<email>r{n % 997}@example.org</email></author>"
                f'<thread dsq:id="t{n % threads}"/>{parent}</post>\n'
            )
        out.write("</disqus>\n")


def agora(*args: str, env: dict) -> str:
    command = [sys.executable, "-m", "agora", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def timed(*args: str, env: dict) -> tuple[str, float, float, str]:
    """Run an agora command: its output, wall seconds, CPU seconds and the machine's load
    average (one minute) before and after it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    output = agora(*args, env=env)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return output, seconds, cpu, f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"


def no_address(argument: str) -> str:
    scheme, found, _ = argument.partition("://")
    return f"{scheme}://..." if found else argument


def row(what: str, count: int, size_mb: float, measured: tuple, peak_mb: float) -> str:
    _, seconds, cpu, load = measured
    return (
        f"| {what} | {count:,} | {size_mb:,.0f} | {seconds:,.1f} | {count / seconds:,.0f} | "
        f"{cpu:,.1f} | {count / cpu:,.0f} | {peak_mb:,.0f} | {load} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--database-url", help="An empty database (default: a new SQLite file).")
    parser.add_argument("--score-jobs", type=int, help="Then time --score with this many jobs.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "disqus.xml"
        write_export(export, options.comments, options.threads)
        database = options.database_url or f"sqlite:///{folder}/agora.sqlite3"
        # Production settings: with DEBUG on, Django formats every query for its log.
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "AGORA_DEBUG": "0",
            "AGORA_SECRET_KEY": os.environ.get("AGORA_SECRET_KEY", "import-benchmark"),
        }
        agora("migrate", "--verbosity", "0", env=env)
        command = ("import", "disqus", str(export), "--no-progress")
        importing = timed(*command, env=env)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = export.stat().st_size / 1e6
        if options.score_jobs:
            scoring = timed(*command, "--score", "--jobs", str(options.score_jobs), env=env)
            scoring_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stored = options.comments - options.comments // 50
    print(importing[0])
    kind = database.split(":", 1)[0]
    table = [
        # The command as run, without the database's address (it may hold a password).
        "`" + " ".join(["python bench/import_disqus.py", *map(no_address, sys.argv[1:])]) + "`",
        f"on {loopback.cpu_model()} ({os.cpu_count()} cores), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:",
        "",
        "| run | comments | file (MB) | seconds | comments/s | CPU seconds | comments/CPU s "
        "| peak memory (MB) | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        row(f"import, {kind}", stored, size_mb, importing, peak_mb),
    ]
    if options.score_jobs:
        table.append(
            row(f"--score --jobs {options.score_jobs}", stored, size_mb, scoring, scoring_peak_mb)
        )
    print("\n".join(table))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"import-{kind}.md").write_text("\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
