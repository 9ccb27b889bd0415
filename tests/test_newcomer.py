"""What a newcomer meets first: the command's help, its engine commands without data,
and the icon every browser asks for."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

AGORA = [sys.executable, "-m", "agora"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*AGORA, *args], capture_output=True, text=True, timeout=120)


def test_the_help_lists_the_engine_commands_beside_djangos():
    listed = run("--help").stdout
    assert "migrate" in listed
    engine = listed[listed.index("[guideline engine]") :].split()
    assert engine == ["[guideline", "engine]", "evaluate", "score", "train"]


def test_help_on_an_engine_command_is_its_usage():
    answer = run("help", "score")
    assert answer.returncode == 0
    assert answer.stdout.startswith("usage: agora score")


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_without_the_data_the_engine_commands_say_where_it_must_be(command, tmp_path):
    missing = tmp_path / "data"
    answer = run(command, "--data", str(missing))
    assert answer.returncode == 2
    assert str(missing) in answer.stderr and "--data" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_the_favicon_is_served(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    icon = answer["Location"]
    assert icon.startswith(settings.STATIC_URL) and icon.endswith(".svg")
    assert "<svg" in Path(finders.find(icon.removeprefix(settings.STATIC_URL))).read_text()
