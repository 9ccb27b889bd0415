"""Speed and memory of the guideline engine (every key, relevance excluded).

Targets: one comment's full verdict at most 3 ms median on one core (the English models
include the sentence encoder's pass); ``agora score --jobs 2`` at least 1,000 comments a
second; at most 300 MB a process; artifacts load in under 2 s. Comments are real English
ones from ``../shared/data`` (read at run time, never stored), a seeded mix of every
English set, judged with language detection on (no language hint), as the web app would
judge them.

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
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "engine_speed.md"
N_SINGLE = 1000
N_SCORE = 10_000


def sample_texts(n: int, seed: int = 1) -> list[str]:
    from agora.guidelines.training.datasets import DEFAULT_DATA_DIR, english

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


def _tree_memory(pid: int) -> tuple[float, float]:
    """Summed RSS and PSS (MB) of a process and its children; PSS splits shared pages."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(child) for child in task.read_text().split()]
    rss = pss = 0
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return rss / 1024, pss / 1024


def bench_cli(comments: list[dict], jobs: int, options: tuple[str, ...] = ()) -> dict:
    """``agora score --jobs N [options]`` on a file of ``comments`` (input objects), as a
    separate process.

    Memory is sampled every 50 ms over the process and its workers: the peak of the summed
    RSS (counts pages the forked workers share once per process) and of the summed PSS.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "comments.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for comment in comments:
                handle.write(json.dumps(comment) + "\n")
        agora = Path(sys.executable).with_name("agora")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        process = subprocess.Popen(
            [str(agora), "score", "--jobs", str(jobs), *options, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        peak_rss = peak_pss = 0.0
        output = []
        reader = threading.Thread(target=lambda: output.append(process.stdout.read()))
        reader.start()
        while process.poll() is None:
            rss, pss = _tree_memory(process.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.05)
        reader.join()
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = output[0].splitlines()
    assert len(lines) == len(comments), "agora score must answer every line"
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "rss_mb": peak_rss,
        "pss_mb": peak_pss,
    }


def artifact_mb() -> float:
    from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest

    manifest = read_manifest()
    files = [ARTIFACTS_DIR / entry["file"] for entry in manifest["languages"].values()]
    return sum(f.stat().st_size for f in files) / 2**20


def library_in_subprocess(texts: list[str]) -> dict:
    """:func:`bench_library` in a fresh interpreter pinned to one core (clean memory)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "texts.json"
        path.write_text(json.dumps(texts), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, __file__, "--library", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(result.stdout)


def main() -> int:
    if sys.argv[1:2] == ["--library"]:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        texts = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        print(json.dumps(bench_library(texts)))
        return 0
    load_average = os.getloadavg()[0]
    texts = sample_texts(N_SCORE)
    lib = library_in_subprocess(texts[:N_SINGLE])
    # The command line runs unpinned, as a user would run it.
    comments = [{"id": str(i), "text": text} for i, text in enumerate(texts)]
    clis = {jobs: bench_cli(comments, jobs) for jobs in (1, 2)}
    rows = [
        ("import agora.guidelines (fresh process)", f"{import_seconds():.2f} s", "-"),
        ("Engine.load() (all models)", f"{lib['load_wall']:.2f} s", f"{lib['load_cpu']:.2f} s"),
        (
            "one verdict, median",
            f"{lib['median_wall_ms']:.2f} ms",
            f"{lib['median_cpu_ms']:.2f} ms",
        ),
        ("one verdict, p95", f"{lib['p95_wall_ms']:.2f} ms", f"{lib['p95_cpu_ms']:.2f} ms"),
        (
            f"judge_many({N_SINGLE}), per comment",
            f"{lib['batch_wall_ms']:.2f} ms",
            f"{lib['batch_cpu_ms']:.2f} ms",
        ),
        ("library process RSS after scoring", f"{lib['rss_mb']:.0f} MB", "-"),
    ]
    for jobs, cli in clis.items():
        rows += [
            (
                f"`agora score --jobs {jobs}`, {N_SCORE:,} comments",
                f"{cli['wall']:.1f} s ({N_SCORE / cli['wall']:,.0f} comments/s)",
                f"{cli['cpu']:.1f} s (all processes)",
            ),
            (
                f"`agora score --jobs {jobs}` peak memory, RSS / PSS summed",
                f"{cli['rss_mb']:.0f} MB / {cli['pss_mb']:.0f} MB",
                "-",
            ),
        ]
    rows.append(("artifacts on disk (all languages)", f"{artifact_mb():.1f} MB", "-"))
    table = [
        "# Guideline engine speed",
        "",
        f"Load average at start: {load_average:.2f} on {os.cpu_count()} cores (other jobs "
        "share this machine). Library figures in a fresh process pinned to one core; CPU is "
        "that process's CPU time. Texts: real English comments from ../shared/data (a seeded "
        "mix of every set), language detected (no hint), every key scored, relevance "
        "excluded (the sentence encoder runs for every English comment). Targets: one "
        "verdict <= 3 ms median on one core; `agora score --jobs 2` >= 1,000 comments/s; "
        "<= 300 MB a process; load < 2 s. Produced by "
        "`.venv/bin/python bench/engine_speed.py`.",
        "",
        "| measure | wall | CPU |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    report = "\n".join(table)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
