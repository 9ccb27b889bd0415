import json
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agora.comments import screening
from agora.guidelines.manifest import read_manifest
from agora.guidelines.training.datasets import DEFAULT_DATA_DIR
from agora.perspective import calibration, fitting


class Command(BaseCommand):
    help = (
        "Fit TOXICITY and SEVERE_TOXICITY to Jigsaw's human labels on the comments the "
        "guideline engine held out, and write agora/perspective/artifacts/calibration.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="The labelled data sets."
        )

    def handle(self, *args, data_dir: Path, **options):
        if not all((data_dir / source).is_dir() for source in fitting.SETS):
            raise CommandError(f"{data_dir} lacks {', '.join(fitting.SETS)}.")
        engine = screening.engine()
        calibration_rows, evaluation_rows = fitting.held_out(data_dir)
        calibration_x = fitting.engine_features(engine, calibration_rows)
        evaluation_x = fitting.engine_features(engine, evaluation_rows)
        artifact = fitting.fit(calibration_rows, evaluation_rows, calibration_x, evaluation_x)
        engine_manifest = read_manifest()
        artifact["manifest"] = {
            "command": "agora calibrate_perspective",
            "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine_model_version": engine.model_version,
            "rows": "the engine's held-out rows (split seed and halves of "
            "agora.guidelines.training.datasets.common) of the sets below",
            "data": {
                source: {
                    "files": files,
                    "licence": engine_manifest["data"][source]["licence"],
                    "citation": engine_manifest["data"][source]["citation"],
                }
                for source, files in fitting.sources(data_dir).items()
            },
        }
        calibration.ARTIFACT.parent.mkdir(exist_ok=True)
        calibration.ARTIFACT.write_text(
            json.dumps(artifact, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        calibration.fitted.cache_clear()
        for attribute, fitted in artifact["attributes"].items():
            self.stdout.write(
                f"{attribute}: fitted on {fitted['fitted_rows']} rows "
                f"({fitted['fitted_positives']} positive); {fitted['evaluation']}: "
                f"{fitted['figures']}; before: {fitted['before']}"
            )
