"""Speed and memory of the guideline engine (without relevance).

Targets (issue 3): one comment's verdict under 5 ms median on one core; 10,000 comments
through ``agora score`` in under 10 s; under 500 MB resident memory; artifacts load in
under 2 s. Comments are real English ones from ``../shared/data`` (read at run time,
never stored), a seeded mix of every English set, judged with language detection on (no
language hint), as the web app would judge them.

The process is pinned to one CPU with one BLAS thread. Other jobs share this machine, so
per-comment figures are CPU time of this process (what the call costs on one core) and
wall time is given beside them, with the load average at the start.

    .venv/bin/python bench/engine_speed.py   # prints and writes bench/results/engine_speed.md
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "engine_speed.md"
N_SINGLE = 1000
N_SCORE = 10_000


def sample_texts(n: int, seed: int = 1) -> list[str]:
    from agora.guidelines.datasets import DEFAULT_DATA_DIR, english

    texts = [row.text for row in english.load(DEFAULT_DATA_DIR)]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def import_seconds() -> float:
    """Wall time of ``import agora.guidelines`` in a fresh interpreter."""
    code = (
        "import time; start = time.perf_counter(); import agora.guidelines; "
        "print(time.perf_counter() - start)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(result.stdout)


def bench_library(texts: list[str]) -> dict:
    """Load time and per-verdict cost inside one process, pinned to one core."""
    from agora.guidelines import CommentInput, Engine

    cpu, wall = time.process_time(), time.perf_counter()
    engine = Engine.load()
    load_cpu, load_wall = time.process_time() - cpu, time.perf_counter() - wall
    engine.judge(CommentInput(text="warm up the language model and the analyzers"))

    cpu_times, wall_times = [], []
    for text in texts:
        cpu, wall = time.process_time(), time.perf_counter()
        engine.judge(CommentInput(text=text))
        cpu_times.append(time.process_time() - cpu)
        wall_times.append(time.perf_counter() - wall)

    comments = [CommentInput(text=text) for text in texts]
    cpu, wall = time.process_time(), time.perf_counter()
    engine.judge_many(comments)
    batch_cpu, batch_wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "load_cpu": load_cpu,
        "load_wall": load_wall,
        "median_cpu_ms": 1000 * statistics.median(cpu_times),
        "median_wall_ms": 1000 * statistics.median(wall_times),
        "p95_cpu_ms": 1000 * percentile(cpu_times, 0.95),
        "p95_wall_ms": 1000 * percentile(wall_times, 0.95),
        "batch_cpu_ms": 1000 * batch_cpu / len(texts),
        "batch_wall_ms": 1000 * batch_wall / len(texts),
        "rss_mb": rss_mb(),
    }


def bench_cli(texts: list[str]) -> dict:
    """``agora score`` on a file of ``len(texts)`` comments, as a separate process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "comments.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for i, text in enumerate(texts):
                handle.write(json.dumps({"id": str(i), "text": text}) + "\n")
        agora = Path(sys.executable).with_name("agora")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        result = subprocess.run(
            [str(agora), "score", str(path)], capture_output=True, text=True, check=True
        )
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = result.stdout.splitlines()
    assert len(lines) == len(texts), "agora score must answer every line"
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "max_rss_mb": after.ru_maxrss / 1024,
    }


def artifact_mb() -> float:
    from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest

    manifest = read_manifest()
    files = [ARTIFACTS_DIR / entry["file"] for entry in manifest["languages"].values()]
    return sum(f.stat().st_size for f in files) / 2**20


def main() -> int:
    load_average = os.getloadavg()[0]
    texts = sample_texts(N_SCORE)
    # The CLI runs unpinned (both cores, as a user would run it); the library is pinned.
    cli = bench_cli(texts)
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    lib = bench_library(texts[:N_SINGLE])
    rows = [
        ("import agora.guidelines (fresh process)", f"{import_seconds():.2f} s", "-", "-"),
        (
            "Engine.load() (all models)",
            f"{lib['load_wall']:.2f} s",
            f"{lib['load_cpu']:.2f} s",
            "< 2 s",
        ),
        (
            "one verdict, median",
            f"{lib['median_wall_ms']:.2f} ms",
            f"{lib['median_cpu_ms']:.2f} ms",
            "< 5 ms",
        ),
        ("one verdict, p95", f"{lib['p95_wall_ms']:.2f} ms", f"{lib['p95_cpu_ms']:.2f} ms", "-"),
        (
            f"judge_many({N_SINGLE}), per comment",
            f"{lib['batch_wall_ms']:.2f} ms",
            f"{lib['batch_cpu_ms']:.2f} ms",
            "-",
        ),
        (
            f"`agora score`, {N_SCORE:,} comments",
            f"{cli['wall']:.1f} s",
            f"{cli['cpu']:.1f} s",
            "< 10 s",
        ),
        ("resident memory, library after scoring", f"{lib['rss_mb']:.0f} MB", "-", "< 500 MB"),
        ("resident memory, `agora score` peak", f"{cli['max_rss_mb']:.0f} MB", "-", "< 500 MB"),
        ("artifacts on disk (all languages)", f"{artifact_mb():.1f} MB", "-", "< 50 MB"),
    ]
    table = [
        "# Guideline engine speed",
        "",
        f"Load average at start: {load_average:.2f} on {os.cpu_count()} cores. Library figures "
        "on one pinned core; CPU = this process's CPU time. Texts: real English comments, "
        "language detected (no hint), no relevance model. Produced by "
        "`.venv/bin/python bench/engine_speed.py`.",
        "",
        "| measure | wall | CPU | target |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
    ]
    report = "\n".join(table)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
