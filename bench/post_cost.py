"""Where a post's CPU time goes: the relevance model, the guideline models, the rest.

Measured in-process, like bench/thread_read.py: Django's test Client sends each
comment through the whole WSGI stack (middleware, the API, form validation,
flood counters, scoring, the insert) with no server or socket in between. Then
the same comments are judged by the engine alone, and their ``off_topic`` score
computed alone, so the three parts can be told apart:

- relevance: the MiniLM model and its comparison with the article;
- guidelines: language, normalisation, the guideline models, evidence, policy;
- the rest of the request: Django, django-ninja, the form, the database.

CPU time of this process (not wall time), one comment at a time, SQLite, the
default local-memory cache, rate limits off (one client sends every comment).
The article and comments are the ones bench/isso_compare.py posts (bench/posting.py);
the relevance row is split between the comments the relevance model's fast screen
settles and those the transformer judges.

Then the same texts are posted again as a server takes them by default
(``AGORA_SCORING=background``): the request stores the comment and schedules the check,
and the task worker's check (``check_waiting_comments``, run here in the same process)
judges them 32 at a time and stores each verdict. Its row is split into the engine's
``judge_many`` on the same batches and the rest: loading the comments, the word lists,
storing the verdicts.

    .venv/bin/python bench/post_cost.py   # prints and writes bench/results/post_cost.md
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

import posting
import thread_read

RESULTS = thread_read.REPO / "bench" / "results" / "post_cost.md"
WARM_UP = 20
POSTS = 400


def comment_text(number: int) -> str:
    # The tag isso_compare.py gives its timed posts, so both benches score the same texts.
    return posting.comment_text(number, "posts")


def cpu_ms_per_call(call, numbers) -> float:
    """CPU milliseconds per ``call(number)``, on average over ``numbers``."""
    start = time.process_time()
    for number in numbers:
        call(number)
    return 1000 * (time.process_time() - start) / len(numbers)


def main() -> None:
    os.environ["AGORA_RATELIMIT"] = "0"
    os.environ["AGORA_RELEVANCE"] = "1"
    # Judged inside the request, so that one request holds the whole cost to split (with
    # the default background checking the worker pays the two scoring parts instead).
    os.environ["AGORA_SCORING"] = "request"
    thread_read.configure()
    from django.core.management import call_command
    from django.test import Client

    from agora.articles.models import Article
    from agora.comments import screening
    from agora.guidelines import ArticleContext, CommentInput

    call_command("migrate", verbosity=0)
    article = Article.objects.create(
        slug="post-cost", title=posting.TITLE, standfirst=posting.STANDFIRST, body=posting.BODY
    )
    client = Client()
    engine = screening.engine()
    url = f"/api/v1/articles/{article.slug}/comments"

    def post(number: int, reader: str = "reader") -> None:
        payload = {
            "author_name": "Reader",
            "author_email": f"{reader}{number}@bench.example",
            "body": comment_text(number),
        }
        response = client.post(url, json.dumps(payload), content_type="application/json")
        assert response.status_code == 202, response.content

    for number in range(WARM_UP):
        post(POSTS + number)
    load_before = os.getloadavg()
    request = cpu_ms_per_call(post, range(POSTS))
    context = ArticleContext(
        title=article.title,
        standfirst=article.standfirst,
        body=article.body,
        lang=article.language,
        vectors=screening.stored_article_vectors(article),
    )
    judge = cpu_ms_per_call(
        lambda n: engine.judge(CommentInput(text=comment_text(n), article=context)), range(POSTS)
    )

    def off_topic(number: int):
        return engine.relevance.off_topic(comment_text(number), "en", context.vectors)

    relevance = cpu_ms_per_call(off_topic, range(POSTS))
    screened = [n for n in range(POSTS) if off_topic(n).scored_by == "screen"]
    judged = [n for n in range(POSTS) if n not in screened]
    background, check, check_engine = in_the_background(post, engine, context)
    load_after = os.getloadavg()
    words = len(comment_text(0).split())
    rows = [
        ("Relevance (`off_topic`)", relevance),
        *[
            (f"- of which, {len(numbers)} comments {how}", cpu_ms_per_call(off_topic, numbers))
            for how, numbers in (
                ("settled by the fast screen", screened),
                ("judged by the transformer", judged),
            )
            if numbers
        ],
        ("Guideline models (language to policy)", judge - relevance),
        ("The rest of the request (Django, API, form, counters, insert)", request - judge),
        ("**Whole post**", request),
        ("Checked in the background (the default): the request", background),
        ("Checked in the background: the task worker's check, per comment", check),
        ("- of which the engine (`judge_many`, the same batches)", check_engine),
        ("- of which the rest (loading, word lists, storing the verdicts)", check - check_engine),
    ]
    report(rows, words, load_before, load_after)


def in_the_background(post, engine, context) -> tuple[float, float, float]:
    """CPU ms of a post as a server takes it by default, of the task worker's check per
    comment, and of the engine's part of that check (the same texts as above, from other
    senders, so that the duplicate check lets them through)."""
    from django.conf import settings

    from agora.comments import tasks
    from agora.comments.models import Comment
    from agora.guidelines import CommentInput

    settings.AGORA_SCORING = "background"
    for number in range(WARM_UP):
        post(POSTS + number, "warm-up")
    tasks.check_waiting_comments.func()
    request = cpu_ms_per_call(lambda n: post(n, "background"), range(POSTS))
    start = time.process_time()
    stored = tasks.check_waiting_comments.func()
    check = 1000 * (time.process_time() - start) / stored
    assert stored == POSTS and not Comment.objects.filter(awaiting_verdict=True).exists()
    size = tasks.CHECK_BATCH
    batches = [range(first, min(first + size, POSTS)) for first in range(0, POSTS, size)]

    def judge_batch(index: int) -> None:
        engine.judge_many(
            [CommentInput(text=comment_text(n), article=context) for n in batches[index]]
        )

    check_engine = cpu_ms_per_call(judge_batch, range(len(batches))) * len(batches) / POSTS
    return request, check, check_engine


def report(rows, words, load_before, load_after) -> None:
    lines = [
        "# Where a post's CPU time goes",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `.venv/bin/python "
        f"bench/post_cost.py`: {POSTS} comments (bench/posting.py, {words} words in the first), "
        "posted "
        "in-process through the whole WSGI stack, one at a time, then judged by the engine "
        "alone and scored for relevance alone; then posted again with the check in the "
        "background, and checked by the task worker's code in the same process. "
        f"Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores shared with other jobs; load average (1 min) "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        "| Part | CPU ms per post |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {ms:.2f} |" for name, ms in rows]
    lines.append("")
    thread_read.publish(lines, RESULTS)


if __name__ == "__main__":
    main()
