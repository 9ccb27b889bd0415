"""How the off-topic score is fitted and evaluated: pairs, halves and the review threshold."""

import json
import random

import numpy as np

from agora.guidelines.training.relevance_eval import (
    DATA_FILE,
    Corpus,
    budget_threshold,
    rates,
    topic,
)

ARTICLES = [
    ("Council approves the new ferry timetable", "Boats will run every hour."),
    ("Transgender athletes and the school board", "A vote on sports teams."),
    ("Immigration checks at the border tightened", "New rules for asylum claims."),
    ("Welfare reform bill passes", "Food stamp rules change."),
    ("Gay marriage ruling appealed", "The state asks a higher court."),
]


def write_corpus(data_dir, rows):
    path = data_dir / DATA_FILE
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")


def sample_rows():
    rows = []
    for n in range(40):
        title, meta = ARTICLES[n % len(ARTICLES)]
        rows.append({"text": f"Comment {n} on {title}", "title": title, "meta": meta, "prev": ""})
    rows.append(dict(rows[0], text="  COMMENT 0 on   " + ARTICLES[0][0].upper()))  # a repeat
    rows[7]["prev"] = rows[2]["text"]
    return rows


def test_the_corpus_drops_repeated_comments_and_groups_articles_by_topic(tmp_path):
    write_corpus(tmp_path, sample_rows())
    corpus = Corpus.load(tmp_path)
    assert len(corpus.comments) == 40
    assert len(corpus.articles) == len(ARTICLES)
    assert corpus.groups.count("gender and sexuality") == 2
    assert topic("Ferry timetable") == "other"
    fitting, test = corpus.halves()
    assert len(fitting) == len(test) == 20
    assert fitting == Corpus.load(tmp_path).halves()[0]  # a fixed seed


def test_each_comment_is_paired_with_its_own_article_and_another(tmp_path):
    write_corpus(tmp_path, sample_rows())
    corpus = Corpus.load(tmp_path)
    for how in ("random", "other topic", "same topic"):
        rows = corpus.pairs(corpus.comments, how, random.Random(1))
        own, other = rows[0::2], rows[1::2]
        assert [r[3] for r in own] == [0] * len(own)
        assert [r[3] for r in other] == [1] * len(other)
        for (text, mine, _, _), (same_text, theirs, _, _) in zip(own, other, strict=True):
            assert text == same_text and mine != theirs
            same_group = corpus.groups[mine] == corpus.groups[theirs]
            assert same_group if how == "same topic" else how == "random" or not same_group
    # "same topic" skips comments whose group has one article only.
    assert len(corpus.pairs(corpus.comments, "same topic", random.Random(1))) == 2 * 16


def test_replies_are_paired_with_their_parent_and_a_comment_of_the_other_thread(tmp_path):
    write_corpus(tmp_path, sample_rows())
    corpus = Corpus.load(tmp_path)
    rows = corpus.pairs(corpus.comments, "random", random.Random(1), with_parent=True)
    (text, own, parent, label), (_, other, fake_parent, _) = rows
    assert label == 0 and parent == "Comment 2 on " + ARTICLES[2][0]
    other_thread = [c["text"] for c in corpus.comments if c["article"] == other]
    assert fake_parent in other_thread


def test_the_review_threshold_flags_at_most_the_budget_of_on_topic_pairs():
    rng = np.random.default_rng(3)
    scores = np.concatenate([rng.uniform(0, 0.8, 1000), rng.uniform(0.3, 1, 1000)])
    labels = np.array([0] * 1000 + [1] * 1000)
    threshold = budget_threshold(scores, labels, 0.10)
    on_topic, off_topic = rates(scores, labels, threshold)
    assert 0.09 <= on_topic <= 0.10
    assert off_topic > on_topic
    assert rates(scores, labels, threshold - 0.01)[0] > on_topic
