"""Bringing another comment system's archive into Agora.

An import reads its file once, as a stream, to check it all and decide what to keep (a
malformed file stops here, before anything is stored), keeping the parsed posts in a
temporary spool; it then stores the top-level comments, then the replies, each attached
to its top-level comment (Agora shows one level of replies). Comments are stored in
transactions of a batch each, with the record of their origin, so an import that stops
midway leaves whole comments only, and running it again skips what is already there.
"""

from dataclasses import dataclass, field
from itertools import islice

from django.db import reset_queries, transaction
from tqdm import tqdm

from agora.articles import actions as article_actions
from agora.articles.models import Article
from agora.comments import actions as comment_actions
from agora.comments import bulk
from agora.comments.models import NAME_MAX_LENGTH, Reason, Status
from agora.comments.validators import forbidden_character
from agora.imports import restore
from agora.imports.models import ImportedComment
from agora.imports.parsers import PARSERS
from agora.imports.records import ImportFileError, Post, SourceStatus, Thread
from agora.imports.spool import Spool
from agora.imports.state import ImportOptions, ImportSummary, batches, imported_comments

SOURCES = (*PARSERS, restore.SOURCE)
ANONYMOUS = "Anonymous"
URL_MAX_LENGTH = Article._meta.get_field("url").max_length
STATUSES = {SourceStatus.APPROVED: Status.APPROVED, SourceStatus.PENDING: Status.PENDING}
REMOVED = {SourceStatus.SPAM: Reason.PROMOTION, SourceStatus.DELETED: Reason.OTHER}


@dataclass
class _Survey:
    """What the first reading learnt: the threads, and every post to keep (on disk)."""

    kept: Spool
    threads: dict[str, Thread] = field(default_factory=dict)
    used_threads: set[str] = field(default_factory=set)


def run_import(path, options: ImportOptions) -> ImportSummary:
    """Import the export at ``path``; with ``dry_run``, only say what would be imported.

    Raises ``ImportFileError`` (with nothing stored) for a file that cannot be read."""
    if options.source == restore.SOURCE:
        return restore.run_restore(path, options)
    if options.source not in PARSERS:
        raise ImportFileError(
            f"Unknown source {options.source!r}; use one of {', '.join(SOURCES)}."
        )
    summary = ImportSummary()
    with Spool() as spool:
        survey = _survey(path, options, summary, spool)
        summary.threads = len(survey.used_threads)
        if options.dry_run:
            _count_planned(survey, options, summary)
            return summary
        articles = _Articles(survey.threads, options.language, summary)
        with (
            bulk.tuned_for_writing(),
            tqdm(
                total=len(survey.kept),
                unit="comment",
                disable=not options.progress,
                desc="Importing",
            ) as bar,
        ):
            top_level = ((post, None) for post in survey.kept.top_level())
            replies = ((post, _anchor(post, survey.kept)) for post in survey.kept.replies())
            for anchored in (top_level, replies):
                for batch in batches(anchored):
                    _store(batch, articles, options, summary)
                    bar.update(len(batch))
                    # With DEBUG on, Django keeps every query; archives make millions.
                    reset_queries()
    return summary


def _survey(path, options: ImportOptions, summary: ImportSummary, spool: Spool) -> _Survey:
    """Read the whole file, deciding what to keep; the posts kept go to ``spool``."""
    survey = _Survey(kept=spool)
    for record in PARSERS[options.source](path, {"base_url": options.base_url}):
        if isinstance(record, Thread):
            survey.threads.setdefault(record.key, record)
            continue
        reason = _skip_reason(record, survey, options)
        if not reason and not spool.add(record):
            reason = "repeated id"
        if reason:
            summary.skipped[reason] += 1
        else:
            summary.planned[STATUSES.get(record.status, Status.REJECTED)] += 1
            survey.used_threads.add(record.thread_key)
    return survey


def _skip_reason(post: Post, survey: _Survey, options: ImportOptions) -> str:
    """Why ``post`` is left out, or "" to import it unless its id is kept already."""
    if post.skip_reason:
        return post.skip_reason
    if post.status in REMOVED and not options.keep_removed:
        return str(post.status)
    reason = _invalid(post, survey)
    # A post repeating a kept one's id is a repeat first, whatever else is wrong with it;
    # a valid one is found to be a repeat when the spool refuses it (one look-up, not two).
    if reason and post.original_id in survey.kept:
        return "repeated id"
    return reason


def _invalid(post: Post, survey: _Survey) -> str:
    """What keeps ``post`` from being imported as a comment, or "" if nothing does."""
    thread = survey.threads.get(post.thread_key)
    if thread is None:
        return "unknown thread"
    if not thread.url:
        return "thread without address"
    if len(thread.url) > URL_MAX_LENGTH:
        return "thread address too long"
    if not post.body:
        return "empty text"
    if forbidden_character(post.body) or forbidden_character(post.author_name):
        return "control character"
    if post.created_at is None:
        return "unreadable date"
    return ""


def _anchor(reply: Post, kept: Spool) -> str:
    """The top-level comment a reply hangs from: its highest ancestor being imported.

    (A post whose parent is not imported, a deleted comment say, is top-level, its
    original parent still recorded; see ``Spool.top_level``.)"""
    anchor = reply.parent_id
    visited = {reply.original_id, anchor}
    while (parent := kept.parent(anchor)) and parent not in visited and parent in kept:
        anchor = parent
        visited.add(parent)
    return anchor


class _Articles:
    """The article for each thread, matched by address or created, looked up once."""

    def __init__(self, threads: dict[str, Thread], language: str, summary: ImportSummary):
        self.threads = threads
        self.language = language
        self.summary = summary
        self.found: dict[str, Article] = {}

    def prepare(self, batch: list[Post]) -> None:
        """Find or create, together, the articles of the batch's threads not yet met."""
        wanted = {}
        for post in batch:
            if post.thread_key not in self.found and post.thread_key not in wanted:
                thread = self.threads[post.thread_key]
                wanted[post.thread_key] = article_actions.ImportedThread(
                    thread.url, thread.title, thread.created_at or post.created_at
                )
        if not wanted:
            return
        by_url, created = article_actions.find_or_create_for_import(
            list(wanted.values()), self.language
        )
        for key, thread in wanted.items():
            self.found[key] = by_url[thread.url]
        self.summary.articles_created += created
        self.summary.articles_matched += len(set(by_url)) - created

    def get(self, key: str) -> Article:
        return self.found[key]


def _store(batch: list[tuple[Post, str | None]], articles: _Articles, options, summary) -> None:
    """Store a batch of posts, each with the top-level comment it hangs from (or None)."""
    anchors = {post.original_id: anchor for post, anchor in batch}
    with transaction.atomic():
        done = imported_comments(options.source, list(anchors))
        parents = imported_comments(options.source, [a for a in anchors.values() if a])
        new = [post for post, _ in batch if post.original_id not in done]
        summary.already_imported += len(batch) - len(new)
        articles.prepare(new)
        statuses = [STATUSES.get(post.status, Status.REJECTED) for post in new]
        comment_ids = comment_actions.import_comments(
            [
                comment_actions.ImportedComment(
                    article=articles.get(post.thread_key),
                    parent_id=parents.get(anchors[post.original_id]),
                    author_name=(post.author_name or ANONYMOUS)[:NAME_MAX_LENGTH],
                    author_email=post.author_email,
                    body=post.body,
                    created_at=post.created_at,
                    status=status,
                    source=options.source,
                    original_id=post.original_id,
                    reason=REMOVED.get(post.status, ""),
                )
                for post, status in zip(new, statuses, strict=True)
            ]
        )
        bulk.insert(
            ImportedComment,
            [
                {
                    "source": options.source,
                    "original_id": post.original_id,
                    "original_parent_id": post.parent_id,
                    "comment_id": comment_id,
                }
                for post, comment_id in zip(new, comment_ids, strict=True)
            ],
        )
        summary.imported.update(statuses)


def _count_planned(survey: _Survey, options: ImportOptions, summary: ImportSummary) -> None:
    """Fill a dry run's summary: what would be stored, and what is there already."""
    ids = survey.kept.ids()
    while chunk := list(islice(ids, 1000)):
        summary.already_imported += ImportedComment.objects.filter(
            source=options.source, original_id__in=chunk
        ).count()
    urls = {survey.threads[key].url for key in survey.used_threads}
    summary.articles_matched = Article.objects.filter(url__in=urls).count()
    summary.articles_created = len(urls) - summary.articles_matched
