"""Real Varnish and Redis servers for the tests that need them, on free loopback ports.

A test that needs one is skipped, and says why, when the binary is not installed; under
CI (``CI`` set, as in .ci/run, which installs both) it fails instead."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VCL = REPO / "deploy" / "varnish" / "agora.vcl"


def binary(name: str, package: str) -> str:
    """The path of ``name``, or skip (fail under CI) when ``package`` is not installed."""
    # Debian installs varnishd in /usr/sbin, which is not on every user's PATH.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if found is None:
        message = f"{name} is missing (apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def started(argv: list[str], port: int, log: Path) -> subprocess.Popen:
    """``argv`` running, once it listens on ``port`` (within 30 s)."""
    with open(log, "wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{argv[0]} did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def varnish(backend_port: int):
    """A varnishd running deploy/varnish/agora.vcl in front of ``backend_port``; yields
    its port."""
    varnishd = binary("varnishd", "varnish varnish-modules")
    work = Path(tempfile.mkdtemp(prefix="agora-varnish-"))
    work.chmod(0o755)  # varnishd reads the VCL after giving up root
    vcl = work / "agora.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = free_port()
    argv = [varnishd, "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-n", str(work / "n")]
    process = started([*argv, "-s", "malloc,32m"], port, work / "varnish.log")
    try:
        yield port
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)


def redis():
    """A redis-server that keeps nothing on disk; yields its port."""
    server = binary("redis-server", "redis-server")
    work = Path(tempfile.mkdtemp(prefix="agora-redis-"))
    port = free_port()
    argv = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = started([*argv, "--appendonly", "no", "--dir", str(work)], port, work / "log")
    try:
        yield port
    finally:
        stop(process)
        shutil.rmtree(work, ignore_errors=True)
