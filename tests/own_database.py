"""Run a scenario in a process of its own, on a SQLite file of its own.

Some behaviour shows only in the database files (what stays on disk after an
erasure) or in a fresh process (a worker opening a read-only database); the
test database pytest-django sets up is neither. A test module defines its
scenario as a function taking the folder, and ends with
``if __name__ == "__main__": print_result(scenario)``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Root writes read-only files regardless, unless it gives up that capability.
WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def run(
    module_file: str, var_dir: Path, *, read_only_files: bool = False, env: dict | None = None
) -> dict:
    """Run ``module_file`` as a script with the cache in a table of its database (and
    ``env``); return what its scenario printed. ``read_only_files``: it makes files
    read-only, so root gives up writing them anyway."""
    prefix = []
    if read_only_files and os.getuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: read-only files stay writable")
        prefix = WITHOUT_OVERRIDE
    env = {
        **os.environ,
        **(env or {}),
        "AGORA_VAR_DIR": str(var_dir),
        "AGORA_CACHE_URL": "db://agora_cache",
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "HOME": str(var_dir),
        # The checkout these tests belong to, whatever the installed package points at.
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [*prefix, sys.executable, module_file, str(var_dir)],
        env=env,
        cwd=var_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def set_up() -> None:
    """In the scenario's process: Django, the schema and the cache table."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def database_files() -> list[Path]:
    """The database file and its -wal and -shm files, as they are now."""
    from django.db import connection

    database = Path(connection.settings_dict["NAME"])
    return [path for path in database.parent.iterdir() if path.name.startswith(database.name)]


def print_result(scenario) -> None:
    print(json.dumps(scenario(Path(sys.argv[1]))))
