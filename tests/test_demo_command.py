"""`agora demo` (what `make demo` runs): the demo site with its task worker beside it.

Run as a reader would: the command in a process of its own on a fresh SQLite file, a
comment posted through the JSON API, its verdict stored by the worker the demo started,
and Ctrl-C stopping the server and the worker together."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from real_servers import free_port

REPO = Path(__file__).resolve().parent.parent
SLUG = "zerdava-council-agrees-budget"


def demo_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGORA_", "DATABASE_URL"))}
    env.update(AGORA_VAR_DIR=str(var_dir), AGORA_RATELIMIT="0")
    return env


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds} s: {what}")


def answering(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/articles", timeout=2):
            return True
    except OSError:
        return False


def test_the_demo_serves_its_articles_and_its_worker_checks_new_comments(tmp_path):
    port = free_port()
    log = tmp_path / "demo.log"
    with open(log, "wb") as output:
        demo = subprocess.Popen(
            [sys.executable, "-m", "agora", "demo", "--port", str(port)],
            env=demo_env(tmp_path),
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    workers = []
    try:
        wait_for(lambda: answering(port), 120, f"the demo answering; log: {log}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/articles/{SLUG}/comments",
            data=json.dumps(
                {
                    "author_name": "Reader",
                    "author_email": "reader@example.org",
                    "body": "The council should publish the budget line by line.",
                }
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
            comment_id = json.load(response)["id"]

        database = sqlite3.connect(tmp_path / "agora.sqlite3")

        def checked():
            row = database.execute(
                "SELECT awaiting_verdict, model_version FROM comments_comment WHERE id = ?",
                (comment_id,),
            ).fetchone()
            return row if row and not row[0] and row[1] else None

        wait_for(checked, 120, "the worker storing the comment's verdict")
        started = re.search(r"Task worker started \(process (\d+)\)", log.read_text())
        assert started, "the demo says which process is its worker"
        workers = [int(started.group(1))]
        assert Path(f"/proc/{workers[0]}").exists()
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        demo.wait(timeout=30)
    # The worker stops with the server: nothing is left running.
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 15, "no worker")
