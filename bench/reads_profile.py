"""Where one cached thread read's CPU goes, in-process (run by bench/reads.py --profile).

The thread of bench/thread_read.py (200 approved comments) in a throwaway SQLite database
with the local-memory cache, read through Django's WSGI application as a server would
call it: first the full path under cProfile (its top functions by cumulative time), then
the CPU per read of the full path and of the replayed one (agora/comments/replay.py).
"""

import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import thread_read

READS = 2000
PATH, QUERY = "/api/v1/articles/bench-thread/comments", "limit=200"


def environ() -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": QUERY,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def read(application) -> None:
    result = application(environ(), lambda status, headers, exc_info=None: None)
    b"".join(result)
    getattr(result, "close", lambda: None)()


def cpu_per_read(application) -> float:
    for _ in range(50):
        read(application)
    start = time.process_time()
    for _ in range(READS):
        read(application)
    return 1000 * (time.process_time() - start) / READS


def main() -> None:
    thread_read.configure()
    thread_read.build_thread()
    import django
    from django.core.wsgi import get_wsgi_application

    from agora.comments import reading
    from agora.comments.replay import ReplayReads

    # Answers are kept once the second of the thread's last change is over.
    later = time.time() + 2
    reading.time = SimpleNamespace(time=lambda: later)
    full = get_wsgi_application()
    replayed = ReplayReads(full)
    for _ in range(50):
        read(full)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(READS):
        read(full)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"Full path, {READS} reads of the cached thread under cProfile, top 25 by cumulative:")
    # Paths relative to the repository and to site-packages, so the table reads the same
    # on every machine.
    table = out.getvalue().replace(f"{thread_read.REPO}/", "")
    table = table.replace(f"{Path(django.__file__).parent.parent}/", "")
    print("\n".join(line for line in table.splitlines() if line.strip()))
    print(f"CPU per read, full path: {cpu_per_read(full):.3f} ms")
    print(f"CPU per read, replayed:  {cpu_per_read(replayed):.3f} ms")


if __name__ == "__main__":
    main()
