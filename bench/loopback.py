"""What the server benchmarks share: a small HTTP/1.1 client and server processes.

Everything here talks to 127.0.0.1 only. The client is asyncio with one
keep-alive connection per simulated user, written here so that its cost per
request is small and the same for every server measured (no third-party load
tool to install). ``Server`` starts a command in its own process group, so the
whole server (a gunicorn master and its workers) can be stopped, or killed -9,
at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


# --- Client -------------------------------------------------------------------


class ConnectionLost(Exception):
    """The connection closed or failed before a whole response arrived."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Connection:
    """One keep-alive HTTP/1.1 connection to a loopback server."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port = port
        self.timeout = timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        try:
            return await asyncio.wait_for(self._exchange(method, path, body, headers), self.timeout)
        except (
            TimeoutError,
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ValueError,
        ) as error:
            self.close()
            raise ConnectionLost(f"{type(error).__name__}: {error}") from error

    async def _exchange(self, method, path, body, headers) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(LOOPBACK, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split()[1])
        response_headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        if "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await self._read_chunked()
        else:
            payload = await self.reader.read()
            self.close()
        if response_headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, response_headers, payload)

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def json_body(data) -> tuple[bytes, dict[str, str]]:
    return json.dumps(data).encode(), {"Content-Type": "application/json"}


# --- Measurements ---------------------------------------------------------------


@dataclass
class Tally:
    """Latencies and status codes of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # no complete response at all (connection refused, reset, timeout)

    def add(self, status: int, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def add_tally(self, other: Tally) -> None:
        """Count ``other``'s requests here too (several rounds of one kind, as one)."""
        self.latencies += other.latencies
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.failures += other.failures

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile_ms(self, fraction: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


async def run_for(port: int, seconds: float, users: int, make_request) -> tuple[Tally, float]:
    """``users`` loops calling ``make_request(connection)`` until ``seconds`` pass.

    ``make_request`` returns a Response; returns the tally and the elapsed time.
    """
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def user(connection: Connection):
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await make_request(connection)
            except ConnectionLost:
                tally.failures += 1
                continue
            tally.add(response.status, time.perf_counter() - started)
        connection.close()

    return tally, await _timed(port, user, users)


async def run_count(port: int, total: int, users: int, make_request, max_seconds: float):
    """Like :func:`run_for`, but ``total`` requests shared out among the users
    (``make_request(connection, number)``), stopping early at ``max_seconds``."""
    tally = Tally()
    numbers = iter(range(total))
    deadline = time.perf_counter() + max_seconds

    async def user(connection: Connection):
        for number in numbers:
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            try:
                response = await make_request(connection, number)
            except ConnectionLost:
                tally.failures += 1
                continue
            tally.add(response.status, time.perf_counter() - started)
        connection.close()

    return tally, await _timed(port, user, users)


async def _timed(port: int, user, users: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(user(Connection(port)) for _ in range(users)))
    return time.perf_counter() - started


# --- Servers --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class Server:
    """A server command in its own process group, with its output in a log file."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, log: Path, cwd: Path):
        self.argv, self.env, self.port, self.log, self.cwd = argv, env, port, log, cwd
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str | None, timeout: float = 120) -> None:
        """Start the command; return once it answers ``ready_path`` (below 500), or with
        ``ready_path`` None once it accepts connections (a server that speaks no HTTP)."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited; see {self.log}")
            try:
                if ready_path is None:
                    socket.create_connection((LOOPBACK, self.port), timeout=1).close()
                    return
                with urllib.request.urlopen(
                    f"http://{LOOPBACK}:{self.port}{ready_path}", timeout=5
                ) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s; see {self.log}")

    def kill9(self) -> None:
        """SIGKILL the master and every worker at the same instant."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server's processes, master and workers, have used."""
        return _cpu_seconds(self.process.pid) + sum(self.worker_cpu_seconds())

    def worker_cpu_seconds(self) -> list[float]:
        """CPU time each worker process has used, in the order of their process ids."""
        return [_cpu_seconds(pid) for pid in sorted(_children(self.process.pid))]

    def worker_memory(self) -> list[dict[str, int]]:
        """RSS and PSS (shared pages split among sharers) in KiB of each worker process."""
        workers = _children(self.process.pid) or [self.process.pid]
        return [_memory(pid) for pid in workers]


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(entry.name))
    return children


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in {"Rss", "Pss"}:
            values[name.lower()] = int(rest.split()[0])
    return values


# --- Agora ------------------------------------------------------------------------


def agora_env(
    var_dir: Path, database_url: str | None, port: int, workers: int, cache_url: str | None = None
) -> dict[str, str]:
    """Production settings on loopback, with rate limits off (a load test is one
    address sending thousands of comments, which is exactly what they stop).

    The cache: ``cache_url`` if given ("memory": each worker's own); else, with
    several workers, the database cache table (what docs/production.md asks for
    without Redis); else the one worker's memory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AGORA_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="agora.settings",
        AGORA_DEBUG="0",
        AGORA_SECRET_KEY=secrets.token_urlsafe(50),
        AGORA_ALLOWED_HOSTS=LOOPBACK,
        AGORA_VAR_DIR=str(var_dir),
        AGORA_RATELIMIT="0",
        AGORA_BIND=f"{LOOPBACK}:{port}",
        AGORA_WORKERS=str(workers),
        AGORA_ACCESS_LOG="",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if cache_url != "memory" and (cache_url or workers > 1):
        env["AGORA_CACHE_URL"] = cache_url or "db://agora_cache"
    return env


def prepare_agora(env: dict[str, str]) -> None:
    """Migrate, create the cache table, collect static files."""
    for step in (["migrate", "--no-input"], ["createcachetable"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, "-m", "agora", *step],
            env=env,
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def without_root_override(argv: list[str]) -> list[str]:
    """``argv`` run so that read-only files stay read-only to it: root writes them
    regardless unless it gives up that capability (``setpriv``)."""
    if os.getuid() != 0:
        return argv
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *argv]


def agora_server(env: dict[str, str], port: int, log: Path) -> Server:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "agora.wsgi", "-c", "python:agora.gunicorn_conf"]
    return Server(argv, env, port, log, REPO)


class TaskWorker(Server):
    """Agora's task worker (`agora db_worker`), which checks posted comments against the
    guidelines off the request (AGORA_SCORING=background, the default)."""

    def __init__(self, env: dict[str, str], log: Path):
        argv = [sys.executable, "-m", "agora", "db_worker", "--interval", "0.05"]
        super().__init__([*argv, "--no-reload", "--no-startup-delay"], env, 0, log, REPO)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def wait_until_checked(timeout: float = 600) -> None:
    """Return once no posted comment waits for its verdict (Django set up here)."""
    from agora.comments.models import Comment

    deadline = time.monotonic() + timeout
    while Comment.objects.filter(awaiting_verdict=True).exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"comments still waiting for their verdict after {timeout} s")
        time.sleep(0.05)


def server_arguments(description: str, *, comments: int, readers: int):
    """The command-line options every loopback load benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="PostgreSQL URL; default: a new SQLite file")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--comments", type=int, default=comments)
    parser.add_argument("--posters", type=int, default=50)
    parser.add_argument("--readers", type=int, default=readers)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--cache-url", help="AGORA_CACHE_URL; default: see agora_env")
    return parser


def prepared_agora(args, prefix: str) -> tuple[Path, int, dict[str, str]]:
    """A fresh work folder, a free port and a migrated Agora for ``args``, Django set up."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    port = free_port()
    env = agora_env(work, args.database_url, port, args.workers, args.cache_url)
    prepare_agora(env)
    use_django(env)
    return work, port, env


def use_django(env: dict[str, str]) -> None:
    """Set up Django in this process against the server's database."""
    for key in [k for k in os.environ if k.startswith(("AGORA_", "DATABASE_URL"))]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith(("AGORA_", "DATABASE_URL"))})
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings"
    import django

    django.setup()


def seed_thread(slug: str, approved: int) -> None:
    """An article with ``approved`` approved comments, as readers would find it."""
    from django.contrib.auth import get_user_model

    from agora.articles.models import Article
    from agora.comments import actions
    from agora.comments.actions import NewComment

    article = Article.objects.create(
        slug=slug,
        title="Benchmark: the council's plan for the river dam",
        standfirst="A thread for measuring how fast comments are read and posted.",
        body="The council met on Tuesday to discuss rebuilding the dam on the river. " * 20,
    )
    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True}
    )
    for number in range(approved):
        comment, _ = actions.post_comment(
            NewComment(
                article,
                f"Reader {number}",
                f"seed{number}@bench.example",
                f"Seeded comment {number}: the dam repairs should start before the spring "
                f"floods, and the council should publish the full costs first.",
            )
        )
        actions.approve(comment, moderator)


def rss_summary(memory: list[dict[str, int]]) -> str:
    if not memory:
        return "n/a"
    rss = sum(m["rss"] for m in memory) / len(memory) / 1024
    pss = sum(m["pss"] for m in memory) / len(memory) / 1024
    return f"{rss:.0f} MiB RSS ({pss:.0f} MiB PSS)"


def client_cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


def load_average() -> str:
    """The 1-minute load average: on 2 cores, above 2 means other work competed."""
    return f"{os.getloadavg()[0]:.1f} (2 cores)"


def cpu_model() -> str:
    """The machine's processor, as benchmark tables name it."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown CPU"
