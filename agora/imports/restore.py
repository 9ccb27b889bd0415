"""Reading back ``agora export``'s JSON Lines: the same articles, comments, engine verdicts,
audit trails, readers' reports and measures on commenters, as they were on the exporting
site (files of version 1, which had no reports nor measures, are read too).

The file is read twice, as a stream: first checked whole (a broken line stops the import
before anything is stored), then stored, comments in small transactions with their
decisions and origin, so a run that stops midway can be run again to finish."""

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import reset_queries, transaction
from tqdm import tqdm

from agora.articles import actions as article_actions
from agora.commenters import actions as commenter_actions
from agora.comments import actions as comment_actions
from agora.comments.models import Comment, Status
from agora.imports.export import ARTICLE_FIELDS, COMMENT_FIELDS, FORMAT, VERSION
from agora.imports.models import ImportedComment
from agora.imports.records import ImportFileError
from agora.imports.state import ImportOptions, ImportSummary, batches, imported_comments
from agora.reports import actions as report_actions

SOURCE = "agora"
DATE_FIELDS = ("published_at", "created_at", "resolved_at", "until")
DECISION_FIELDS = ("moderator", "from_status", "to_status", "reason", "note", "automatic")
REPORT_FIELDS = ("email", "resolved_by", "reason", "law", "explanation", "lang", "resolution")
MEASURE_FIELDS = (
    "email",
    "moderator",
    "measure",
    "lifted",
    "reason",
    "automatic",
    "rejections",
    "window_days",
)
VERSIONS = (1, VERSION)


def run_restore(path, options: ImportOptions) -> ImportSummary:
    summary = ImportSummary()
    summary.planned = _check(path)
    summary.threads = sum(1 for record in _records(path) if record["type"] == "article")
    if options.dry_run:
        return summary
    articles = {}
    for record in _records(path):
        if record["type"] == "article":
            fields = {name: _parsed(name, record[name]) for name in ARTICLE_FIELDS}
            articles[record["slug"]], created = article_actions.restore(fields)
            summary.articles_created += created
            summary.articles_matched += not created
    comments = (record for record in _records(path) if record["type"] == "comment")
    total = sum(summary.planned.values())
    with tqdm(total=total, unit="comment", disable=not options.progress, desc="Importing") as bar:
        for batch in batches(comments):
            _store(batch, articles, summary)
            bar.update(len(batch))
            reset_queries()  # with DEBUG on, Django keeps every query; archives make millions
    measures = [record for record in _records(path) if record["type"] == "measure"]
    accounts = _accounts({record["moderator"] for record in measures})
    for record in measures:
        summary.measures += commenter_actions.restore_measure(
            record, accounts.get(record["moderator"])
        )
    return summary


def _records(path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as file:
        next(file, None)  # the header, checked by _check
        for line in file:
            if line.strip():
                yield json.loads(line)


def _check(path) -> Counter:
    """Read the whole file, raise ``ImportFileError`` naming the first bad line; count
    the comments by status."""
    counts = Counter()
    slugs, comment_ids = set(), set()
    try:
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                try:
                    _check_record(json.loads(line), number, slugs, comment_ids, counts)
                except (ValueError, KeyError, TypeError) as error:
                    raise ImportFileError(f"{path}, line {number}: {error}") from error
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path} is not UTF-8 text ({error}).") from error
    if not slugs and not comment_ids and not counts:
        raise ImportFileError(f"{path} is empty.")
    return counts


def _check_record(record, number, slugs, comment_ids, counts) -> None:
    if number == 1:
        if record.get("type") != FORMAT or record.get("version") not in VERSIONS:
            raise ValueError(f"not an Agora export (the first line is not a {FORMAT} header)")
        return
    kind = record["type"]
    if kind == "article":
        for name in ARTICLE_FIELDS:
            _parsed(name, record[name])
        slugs.add(record["slug"])
    elif kind == "comment":
        for name in COMMENT_FIELDS:
            _parsed(name, record[name])
        if record["article"] not in slugs:
            raise ValueError(f"comment {record['id']} names an article not listed before it")
        if record["parent_id"] is not None and record["parent_id"] not in comment_ids:
            raise ValueError(f"comment {record['id']} replies to a comment not listed before it")
        if record["status"] not in Status.values:
            raise ValueError(f"unknown status {record['status']!r}")
        for decision in record["decisions"]:
            for name in DECISION_FIELDS:
                decision[name]  # noqa: B018 - a missing key is the error
            _parsed("created_at", decision["created_at"])
        for report in record.get("reports", []):
            for name in REPORT_FIELDS:
                report[name]  # noqa: B018 - a missing key is the error
            for name in ("created_at", "resolved_at"):
                _parsed(name, report[name])
        comment_ids.add(record["id"])
        counts[record["status"]] += 1
    elif kind == "measure":
        for name in MEASURE_FIELDS:
            record[name]  # noqa: B018 - a missing key is the error
        for name in ("created_at", "until"):
            _parsed(name, record[name])
    else:
        raise ValueError(f"unknown record type {kind!r}")


def _parsed(name: str, value):
    """``value`` read as the field ``name`` holds it: a date where one is due (those that
    may be missing, ``resolved_at`` and ``until``, may be null)."""
    if name in ("resolved_at", "until") and value is None:
        return None
    return datetime.fromisoformat(value) if name in DATE_FIELDS else value


def _store(batch: list[dict], articles: dict, summary: ImportSummary) -> None:
    ids = [str(record["id"]) for record in batch]
    parent_ids = [str(record["parent_id"]) for record in batch if record["parent_id"]]
    moderators = _moderators(batch)
    with transaction.atomic():
        done = imported_comments(SOURCE, ids)
        parents = imported_comments(SOURCE, parent_ids)
        for record in batch:
            original_id = str(record["id"])
            if original_id in done:
                summary.already_imported += 1
                continue
            parent_id = str(record["parent_id"]) if record["parent_id"] else ""
            fields = {
                name: record[name]
                for name in COMMENT_FIELDS
                if name not in ("id", "parent_id", "created_at")
            }
            comment = comment_actions.restore_comment(
                Comment(
                    article=articles[record["article"]], parent_id=parents.get(parent_id), **fields
                ),
                datetime.fromisoformat(record["created_at"]),
                [
                    comment_actions.RestoredDecision(
                        **{name: decision[name] for name in DECISION_FIELDS},
                        created_at=datetime.fromisoformat(decision["created_at"]),
                    )
                    for decision in _with_accounts(record["decisions"], moderators)
                ],
            )
            report_actions.restore_reports(comment, record.get("reports", []), moderators)
            ImportedComment.objects.create(
                source=SOURCE,
                original_id=original_id,
                original_parent_id=parent_id,
                comment=comment,
            )
            summary.imported[record["status"]] += 1
            parents[original_id] = comment.pk  # its replies may follow in this batch


def _with_accounts(decisions: list[dict], moderators: dict) -> list[dict]:
    return [{**d, "moderator": moderators.get(d["moderator"])} for d in decisions]


def _moderators(batch: list[dict]) -> dict:
    """The staff accounts the batch's decisions and reports name, by username."""
    names = {d["moderator"] for record in batch for d in record["decisions"]}
    names |= {r["resolved_by"] for record in batch for r in record.get("reports", [])}
    return _accounts(names)


def _accounts(names: set) -> dict:
    """This site's accounts by username, for those of ``names`` that have one."""
    users = get_user_model().objects.filter(username__in=[name for name in names if name])
    return {user.get_username(): user for user in users}
