"""A server installs what it runs: the engine, the web app and `agora score` work without
the training extra (scikit-learn, openpyxl), and `agora train` says what it needs."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Run first in the child: any import of the training extra fails as if it were not installed.
WITHOUT_TRAINING = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"sklearn", "openpyxl"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
"""


def run(code: str, tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGORA_", "DATABASE_URL"))}
    env["AGORA_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_TRAINING + code],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_engine_judges_without_the_training_extra(tmp_path):
    result = run(
        """
from agora.guidelines import CommentInput, Engine
verdict = Engine.load().judge(CommentInput(text="You are a fucking idiot."))
print(verdict.decision, verdict.lang)
assert "sklearn" not in sys.modules
""",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() in (["review", "en"], ["reject", "en"])


def test_the_web_app_loads_without_the_training_extra(tmp_path):
    result = run(
        """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings"
from agora.wsgi import application
import agora.urls
from django.core.management import call_command
call_command("check")
""",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_agora_score_runs_and_agora_train_says_what_it_needs(tmp_path):
    score = run(
        "from agora.__main__ import main\nmain(['agora', 'score'])",
        tmp_path,
        stdin=json.dumps({"text": "Thank you for this report on the dam."}) + "\n",
    )
    assert score.returncode == 0, score.stderr
    assert json.loads(score.stdout)["lang"] == "en"

    train = run("from agora.__main__ import main\nmain(['agora', 'train'])", tmp_path)
    assert train.returncode == 2
    assert "pip install 'agora[training]'" in train.stderr


def test_the_labelled_data_is_looked_for_beside_the_repository():
    from agora.guidelines.training.datasets import DEFAULT_DATA_DIR

    assert DEFAULT_DATA_DIR == REPO.parent / "shared" / "data"
