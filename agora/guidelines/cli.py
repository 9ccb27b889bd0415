"""``agora train``, ``agora score`` and ``agora evaluate``: the engine's command line.

``agora score [FILE|-]`` reads JSON Lines, one comment per line::

    {"id": "c1", "text": "...", "article": {"title": "...", "body": "..."}, "lang": "en"}

(``article``, ``lang`` and ``parent_text`` are optional) and writes one JSON object per
input line, in the same order: the verdict (``id``, ``lang``, ``scores``, ``decision``,
``reasons``, ``model_version``), or ``{"line": N, "error": "..."}`` for a line that cannot
be read, after which it goes on. Blank lines are skipped. The exit status is 0 when every
line was scored and 1 when some line was bad (its error object is in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO

from tqdm import tqdm

from agora.guidelines.processes import judging
from agora.guidelines.verdict import ArticleContext, CommentInput

#: Comments judged per engine call: large enough to amortise vectorising, small enough to
#: stream.
BATCH_SIZE = 256
REPO_DIR = Path(__file__).resolve().parents[2]


def parse_comment(obj: object) -> CommentInput:
    """A :class:`CommentInput` from one decoded JSON line; ``ValueError`` says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError('"text" is required and must be a string')
    for name in ("id", "lang", "parent_text"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise ValueError(f'"{name}" must be a string')
    article = obj.get("article")
    if article is not None:
        if not isinstance(article, dict):
            raise ValueError('"article" must be an object with "title" and "body"')
        fields = {name: article.get(name) for name in ("title", "body", "standfirst", "lang")}
        for name, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f'"article.{name}" must be a string')
        article = ArticleContext(
            title=fields["title"] or "",
            body=fields["body"] or "",
            standfirst=fields["standfirst"] or "",
            lang=fields["lang"],
        )
    return CommentInput(
        text=text,
        lang=obj.get("lang"),
        article=article,
        parent_text=obj.get("parent_text"),
        id=obj.get("id"),
    )


def _read_items(handle: IO[bytes], bar: tqdm) -> Iterator[CommentInput | dict]:
    """Each non-blank line as a comment, or as the error object that replaces it."""
    for number, raw in enumerate(handle, start=1):
        bar.update(len(raw))
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield {"line": number, "error": f"not UTF-8 (byte {error.start + 1})"}
            continue
        if not line.strip():
            continue
        try:
            yield parse_comment(json.loads(line))
        except json.JSONDecodeError as error:
            yield {"line": number, "error": f"invalid JSON: {error.msg} (column {error.colno})"}
        except ValueError as error:
            yield {"line": number, "error": str(error)}


def _batches(items: Iterator[CommentInput | dict]) -> Iterator[list[CommentInput | dict]]:
    batch: list[CommentInput | dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def judge_batch(engine, batch: list[CommentInput | dict]) -> list[dict]:
    """Output objects for one batch, in order: verdicts, and error objects as they were."""
    verdicts = iter(engine.judge_many([i for i in batch if isinstance(i, CommentInput)]))
    return [item if isinstance(item, dict) else next(verdicts).to_dict() for item in batch]


def score_stream(
    engine, source: IO[bytes], sink: IO[str], total_bytes: int | None = None, jobs: int = 1
) -> int:
    """Score JSON Lines from ``source`` (bytes) to ``sink``; returns the number of bad lines.

    With ``jobs`` > 1, batches are judged by that many processes forked after the engine
    was loaded (:mod:`agora.guidelines.processes`); output order is kept.
    """
    errors = 0
    with (
        tqdm(
            total=total_bytes, unit="B", unit_scale=True, desc="score", file=sys.stderr, delay=1.0
        ) as bar,
        judging(engine, judge_batch, jobs) as judge_all,
    ):
        batches = _batches(_read_items(source, bar))
        # A few batches per process at a time, so memory stays flat on long inputs.
        while window := list(islice(batches, 4 * jobs)):
            for outputs in judge_all(window):
                for out in outputs:
                    if "error" in out:
                        errors += 1
                    sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return errors


def _score(args: argparse.Namespace) -> int:
    from agora.guidelines.engine import Engine

    relevance = None
    if args.relevance:
        from agora.guidelines.relevance import Relevance

        relevance = Relevance.load()
    engine = Engine.load(relevance=relevance)
    # Forking (--jobs) is safe with relevance too: its ONNX session (and threads) starts
    # on first use, in each worker.
    jobs = args.jobs
    if args.file == "-":
        errors = score_stream(engine, sys.stdin.buffer, sys.stdout, jobs=jobs)
    else:
        path = Path(args.file)
        with path.open("rb") as source:
            size = os.path.getsize(path)
            errors = score_stream(engine, source, sys.stdout, total_bytes=size, jobs=jobs)
    if errors:
        print(f"{errors} line(s) could not be scored; see their error objects", file=sys.stderr)
    return 1 if errors else 0


def _train(args: argparse.Namespace, argv: list[str]) -> int:
    command = " ".join(["agora", *argv])
    if args.relevance:
        from agora.guidelines.training.relevance_eval import calibrate

        calibration = calibrate(data_dir=args.data, command=command)
        print(json.dumps(calibration, indent=2))
        return 0
    if args.thresholds:
        from agora.guidelines.training.train import refit_thresholds

        manifest = refit_thresholds(data_dir=args.data, out_dir=args.out, command=command)
        print(json.dumps({lang: e["thresholds"] for lang, e in manifest["languages"].items()}))
        return 0

    from agora.guidelines.training.train import train

    train(
        data_dir=args.data,
        out_dir=args.out,
        languages=args.lang,
        seed=args.seed,
        command=command,
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from agora.guidelines.training.evaluate import evaluate

    evaluate(data_dir=args.data, artifacts_dir=args.artifacts, docs_dir=args.docs)
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    from agora.guidelines.manifest import ARTIFACTS_DIR
    from agora.guidelines.training.datasets import DEFAULT_DATA_DIR
    from agora.guidelines.training.datasets.common import SEED

    parser = argparse.ArgumentParser(prog="agora", description="Agora's guideline engine.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="rebuild the models from the labelled data")
    train.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data directory")
    train.add_argument("--out", type=Path, default=ARTIFACTS_DIR, help="artifacts directory")
    train.add_argument(
        "--lang", action="append", help="train only this language (repeatable; default all)"
    )
    train.add_argument("--seed", type=int, default=SEED)
    train.add_argument(
        "--relevance",
        action="store_true",
        help="only refit the off_topic calibration and review threshold (about 20 s)",
    )
    train.add_argument(
        "--thresholds",
        action="store_true",
        help="only choose the default policy's thresholds again for the committed models",
    )

    score = commands.add_parser("score", help="score comments (JSON Lines in and out)")
    score.add_argument("file", nargs="?", default="-", help="input file, or - for stdin")
    score.add_argument(
        "--relevance", action="store_true", help="also score off_topic against the article"
    )
    score.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        help="processes judging batches in parallel (each adds about 100 MB)",
    )

    evaluate = commands.add_parser("evaluate", help="validation table and ROC curves")
    evaluate.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    evaluate.add_argument("--artifacts", type=Path, default=ARTIFACTS_DIR)
    evaluate.add_argument(
        "--docs", type=Path, default=REPO_DIR / "docs", help="where evaluation.md and roc.png go"
    )
    return parser


#: What ``agora train`` and ``agora evaluate`` need beyond a server's install.
TRAINING_EXTRA = ("sklearn", "openpyxl")


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; ``argv`` excludes the program name (``["score", "in.jsonl"]``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command == "score":
        return _score(args)
    try:
        if args.command == "train":
            return _train(args, argv)
        return _evaluate(args)
    except FileNotFoundError:
        if args.data.is_dir():
            raise
        print(
            f"agora {args.command} reads the labelled data sets from {args.data}, which does "
            "not exist: put them there (docs/guidelines.md names each one) or give another "
            "directory with --data.",
            file=sys.stderr,
        )
        return 2
    except ModuleNotFoundError as error:
        if error.name not in TRAINING_EXTRA:
            raise
        print(
            f"agora {args.command} needs the training extra ({error.name} is missing): "
            "pip install 'agora[training]'",
            file=sys.stderr,
        )
        return 2
