"""`agora demo`: the demo site in one command (what `make demo` runs).

Migrates the SQLite database, loads the demo articles and comments, then runs the
development server with a task worker beside it: new comments are checked against the
guidelines in the background, as on a production site. Ctrl-C stops both.
"""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the demo: migrate, load the demo articles, serve them with a task worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (8000).")

    def handle(self, *args, port: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddemo")
        worker = subprocess.Popen(
            [sys.executable, "-m", "agora", "db_worker", "--interval", "0.5", "--no-reload"]
        )
        self.stdout.write(f"Task worker started (process {worker.pid}): it checks new comments.")
        self.stdout.flush()
        try:
            # No autoreloader: it would run this whole command again in its child.
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
