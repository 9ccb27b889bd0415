"""The moderator's pages: queue, filters and orders, decisions, conflicts, audit trail."""

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agora.articles.models import Article
from agora.comments import actions, screening
from agora.comments.models import Comment, Decision, Reason, Status
from agora.moderation import forms, views
from agora.moderation.templatetags.moderation import with_evidence

QUEUE = reverse("moderation:queue")


@pytest.fixture
def other_article(db):
    return Article.objects.create(
        slug="border-crossing-reopens",
        title="Border crossing reopens after three weeks",
        body="Lorries queued for hours as the crossing reopened.",
    )


@pytest.fixture
def colleague(db, django_user_model):
    return django_user_model.objects.create_user(
        "colleague", "colleague@example.org", "another-long-test-password", is_staff=True
    )


@pytest.fixture
def make_comment(article):
    """Post a comment as a reader would, then set what the engine and earlier
    moderators would have: received one minute after the previous one."""
    minutes = itertools.count()
    start = timezone.now() - timedelta(days=1)

    def make(
        body="The dam needed this vote.",
        *,
        email="reader@example.org",
        name="Reader",
        on=None,
        status=Status.PENDING,
        verdict=None,
        risk=0.0,
        lang="en",
        by=None,
    ):
        comment, _ = actions.post_comment(
            actions.NewComment(
                article=on or article, author_name=name, author_email=email, body=body
            )
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=start + timedelta(minutes=next(minutes)),
            verdict=verdict,
            risk=risk,
            lang=lang,
            decision=verdict["decision"] if verdict else "",
            model_version=verdict["model_version"] if verdict else "",
            flags=screening.flags_of(verdict) if verdict else "",
        )
        if status == Status.APPROVED:
            actions.approve(comment, by)
        elif status == Status.REJECTED:
            actions.reject(comment, by, Reason.OTHER)
        return Comment.objects.get(pk=comment.pk)

    return make


def verdict_for(body, *reasons, decision="review"):
    """A stored verdict in the engine's JSON form; each reason is
    (guideline, score, [(start, end), ...], message)."""
    return {
        "id": None,
        "lang": "en",
        "scores": {key: 0.05 for key in ("profanity", "threat", "personal_attack")},
        "decision": decision,
        "reasons": [
            {
                "guideline": guideline,
                "score": score,
                "evidence": [{"start": a, "end": b, "text": body[a:b]} for a, b in spans],
                "message": message,
            }
            for guideline, score, spans, message in reasons
        ],
        "model_version": "test-1",
    }


def listed(response) -> list[int]:
    return [comment.pk for comment in response.context["comments"]]


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- The queue ------------------------------------------------------------------


def test_queue_shows_pending_comments_oldest_first(staff_client, make_comment):
    first = make_comment("First pending comment about the dam.")
    make_comment("An approved comment.", status=Status.APPROVED)
    make_comment("A rejected comment.", status=Status.REJECTED)
    second = make_comment("Second pending comment about the dam.")

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert listed(response) == [first.pk, second.pk]
    html = response.content.decode()
    assert html.index(f'id="comment-{first.pk}"') < html.index(f'id="comment-{second.pk}"')
    assert "An approved comment." not in html and "A rejected comment." not in html


def test_queue_item_shows_article_author_email_time_and_language(
    staff_client, make_comment, article
):
    comment = make_comment(name="Dilan Rêber", email="dilan@example.org", lang="kmr")

    html = staff_client.get(QUEUE).content.decode()

    assert f'href="{article.get_absolute_url()}"' in html
    assert article.title in html
    assert "Dilan Rêber" in html and "dilan@example.org" in html
    assert f'datetime="{comment.created_at.isoformat()}"' in html
    assert re.search(
        r'<span class="lang-badge" title="Language: Kurdî \(Kurmancî\)">kmr</span>', html
    )


def test_riskiest_first_and_clean_first_orders(staff_client, make_comment):
    def scored(risk):
        return make_comment(f"Comment at risk {risk}", risk=risk, verdict=verdict_for("x"))

    low, high, unscored, middle = scored(0.1), scored(0.9), make_comment("Not scored"), scored(0.5)

    oldest = staff_client.get(QUEUE)
    riskiest = staff_client.get(QUEUE, {"sort": "riskiest"})
    clean = staff_client.get(QUEUE, {"sort": "clean"})

    assert listed(oldest) == [low.pk, high.pk, unscored.pk, middle.pk]
    assert listed(riskiest) == [high.pk, middle.pk, low.pk, unscored.pk]
    # A comment the engine never saw is not passed off as clean.
    assert listed(clean) == [low.pk, middle.pk, high.pk, unscored.pk]


def test_order_and_filters_are_kept_in_the_query_string(
    staff_client, make_comment, monkeypatch, article
):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    for risk in (0.2, 0.8, 0.5):
        make_comment(f"Risk {risk}", risk=risk, verdict=verdict_for("x"))

    first_page = staff_client.get(QUEUE, {"sort": "riskiest", "article": article.pk})
    html = first_page.content.decode()

    assert '<option value="riskiest" selected>' in html
    next_link = re.search(r'href="(\?[^"]*)" rel="next"', html).group(1)
    assert (
        "sort=riskiest" in next_link
        and f"article={article.pk}" in next_link
        and "page=2" in next_link
    )
    # After an action the moderator comes back to the same view of the queue.
    assert re.search(r'name="next" value="/moderation/\?sort=riskiest&amp;article=', html)

    second_page = staff_client.get(QUEUE + next_link.replace("&amp;", "&"))
    assert [c.body for c in second_page.context["comments"]] == ["Risk 0.2"]


def test_queue_is_paginated(staff_client, make_comment, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    comments = [make_comment(f"Comment number {n}") for n in range(5)]

    pages = [listed(staff_client.get(QUEUE, {"page": n})) for n in (1, 2, 3)]

    assert pages == [[c.pk for c in comments[0:2]], [c.pk for c in comments[2:4]], [comments[4].pk]]
    assert staff_client.get(QUEUE).context["page"].paginator.count == 5


def test_filter_by_article(staff_client, make_comment, other_article):
    here = make_comment("On the dam article.")
    there = make_comment("On the border article.", on=other_article)

    response = staff_client.get(QUEUE, {"article": other_article.pk})

    assert listed(response) == [there.pk]
    assert here.pk not in listed(response)
    # The select offers each article that has pending comments, with how many.
    assert f"{other_article.title} (1)" in response.content.decode()


def test_article_select_offers_the_latest_articles_and_keeps_the_chosen_one(
    staff_client, make_comment, article, other_article, monkeypatch
):
    monkeypatch.setattr(forms, "ARTICLE_CHOICES_SHOWN", 1)
    older = make_comment("On the older article.")
    make_comment("On the newer article.", on=other_article)

    default = staff_client.get(QUEUE).context["form"]
    chosen = staff_client.get(QUEUE, {"article": article.pk})

    assert list(default.fields["article"].queryset) == [other_article]
    assert list(chosen.context["form"].fields["article"].queryset) == [other_article, article]
    assert listed(chosen) == [older.pk]


def test_filter_by_status_shows_decided_comments(staff_client, make_comment):
    make_comment("Still pending.")
    approved = make_comment("Approved one.", status=Status.APPROVED)
    rejected = make_comment("Rejected one.", status=Status.REJECTED)

    assert listed(staff_client.get(QUEUE, {"status": "approved"})) == [approved.pk]
    assert listed(staff_client.get(QUEUE, {"status": "rejected"})) == [rejected.pk]


def test_filter_by_language(staff_client, make_comment):
    make_comment("An English comment.", lang="en")
    sorani = make_comment("بەڕێوەبەرایەتی بەنداو", lang="ckb")
    arabic = make_comment("تعليق عن السد", lang="ar")

    assert listed(staff_client.get(QUEUE, {"lang": "ckb"})) == [sorani.pk]
    assert listed(staff_client.get(QUEUE, {"lang": "ar"})) == [arabic.pk]


def test_filter_by_guideline_finds_the_reason_at_any_position(staff_client, make_comment):
    threat_first = make_comment(
        "x", verdict=verdict_for("x", ("threat", 0.9, [], ""), ("profanity", 0.6, [], ""))
    )
    threat_later = make_comment(
        "y",
        verdict=verdict_for(
            "y",
            ("profanity", 0.7, [], ""),
            ("personal_attack", 0.6, [], ""),
            ("promotion", 0.5, [], ""),
            ("identity_abuse", 0.5, [], ""),
            ("off_topic", 0.5, [], ""),
            ("threat", 0.4, [], ""),
        ),
    )
    make_comment("z", verdict=verdict_for("z", ("profanity", 0.8, [], "")))
    make_comment("No verdict at all.")

    assert listed(staff_client.get(QUEUE, {"guideline": "threat"})) == [
        threat_first.pk,
        threat_later.pk,
    ]
    assert len(listed(staff_client.get(QUEUE, {"guideline": "profanity"}))) == 3
    assert listed(staff_client.get(QUEUE, {"guideline": "promotion"})) == [threat_later.pk]


def test_invalid_filters_are_reported_and_ignored(staff_client, make_comment):
    pending = make_comment()

    response = staff_client.get(QUEUE, {"status": "deleted", "article": "999", "sort": "random"})

    assert response.status_code == 200
    assert listed(response) == [pending.pk]
    assert set(response.context["form"].errors) == {"status", "article", "sort"}
    assert 'class="errorlist"' in response.content.decode()


# --- Earlier decisions on the same email --------------------------------------------


def test_author_record_counts_earlier_decisions_of_that_email(staff_client, make_comment):
    make_comment("Old approved 1", email="regular@example.org", status=Status.APPROVED)
    make_comment("Old approved 2", email="regular@example.org", status=Status.APPROVED)
    make_comment("Old rejected", email="regular@example.org", status=Status.REJECTED)
    make_comment("Someone else's", email="other@example.org", status=Status.REJECTED)
    target = make_comment("The one to decide", email="regular@example.org")
    make_comment("Later, approved", email="regular@example.org", status=Status.APPROVED)
    newcomer = make_comment("First comment ever", email="new@example.org")

    response = staff_client.get(QUEUE)
    records = {c.pk: (c.earlier_approved, c.earlier_rejected) for c in response.context["comments"]}

    assert records == {target.pk: (2, 1), newcomer.pk: (0, 0)}
    html = response.content.decode()
    assert "Earlier comments from this email: 2 approved, 1 rejected" in html


def test_author_records_take_one_query_for_the_whole_page(staff_client, make_comment):
    def queries_for_queue():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(QUEUE).status_code == 200
        return len(captured)

    make_comment(email="a@example.org")
    make_comment(email="b@example.org", status=Status.APPROVED)
    small = queries_for_queue()
    for n in range(8):
        make_comment(f"More from person {n}", email=f"person{n}@example.org")
    assert queries_for_queue() == small


def test_the_pending_queue_is_counted_once_for_its_pages_and_its_navigation(
    staff_client, make_comment
):
    for n in range(3):
        make_comment(f"Waiting {n}")
    make_comment("Decided", status=Status.APPROVED)

    def counts(url):
        with CaptureQueriesContext(connection) as captured:
            html = staff_client.get(url).content.decode()
        return html, sum("COUNT(" in q["sql"].upper() for q in captured)

    html, every_pending = counts(QUEUE)
    assert 'id="pending-count" data-count="pending">3<' in html
    # Another order shows the same comments; a search shows fewer, and the navigation
    # still needs every pending comment counted.
    assert counts(QUEUE + "?sort=riskiest")[1] == every_pending
    html, searched = counts(QUEUE + "?text=Waiting+1")
    assert searched == every_pending + 1
    assert 'id="pending-count" data-count="pending">3<' in html


def test_the_queue_reads_only_the_article_fields_a_card_shows(
    staff_client, make_comment, article, other_article
):
    """An article's text and relevance vectors run to tens of kilobytes; a queue page of 50
    comments, and its article filter, must not fetch them for every card or option."""
    for story in (article, other_article):
        story.body = "The full text of the story. " * 200
        story.relevance_vectors = bytes(30_000)
        story.save()
    make_comment(on=article)
    make_comment(on=other_article)
    with CaptureQueriesContext(connection) as captured:
        html = staff_client.get(QUEUE).content.decode()
    assert article.title in html and other_article.title in html
    fetched = [q["sql"] for q in captured if '"articles_article"' in q["sql"]]
    assert fetched
    heavy = ('"articles_article"."body"', '"articles_article"."relevance_vectors"')
    assert not [sql for sql in fetched if any(column in sql for column in heavy)]


# --- The engine's verdict ----------------------------------------------------------


def test_verdict_reasons_and_evidence_are_shown(staff_client, make_comment):
    body = "Buy cheap watches at shop dot example, you fool"
    ad, fool = body.index("cheap"), body.index("fool")
    verdict = verdict_for(
        body,
        ("promotion", 0.91, [(ad, ad + 21)], "Looks like an advertisement."),
        ("personal_attack", 0.64, [(fool, fool + 4)], "Insults another reader."),
    )
    make_comment(body, verdict=verdict, risk=0.91)

    html = staff_client.get(QUEUE).content.decode()

    assert "Guideline engine: needs review, risk 0.91" in html
    # The engine's reasons in plain words, with the evidence quoted and isolated.
    promotion = "Looks like advertising or self-promotion: <q><bdi>cheap watches at shop</bdi></q>"
    assert promotion in html
    assert "Looks like a personal attack: <q><bdi>fool</bdi></q>" in html
    assert "(likelihood 64%)" in html
    assert (
        '<mark class="evidence" data-guidelines="promotion" '
        'title="Commercial or personal promotion">cheap watches at shop</mark>'
    ) in html
    assert (
        '<mark class="evidence" data-guidelines="personal_attack" '
        'title="Personal attack">fool</mark>' in html
    )


def test_evidence_highlighting_escapes_the_comment(staff_client, make_comment):
    body = '<script>alert("x")</script> & you idiot <b>'
    start = body.index("idiot")
    make_comment(
        body, verdict=verdict_for(body, ("personal_attack", 0.8, [(start, start + 5)], ""))
    )

    html = staff_client.get(QUEUE).content.decode()

    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; you " in html
    assert 'title="Personal attack">idiot</mark> &lt;b&gt;' in html


def test_right_to_left_comment_is_marked_and_wrapped_for_direction(staff_client, make_comment):
    body = "هذا تعليق فيه كلمة سيئة هنا"
    start = body.index("سيئة")
    make_comment(
        body,
        lang="ar",
        verdict=verdict_for(body, ("profanity", 0.7, [(start, start + 4)], "")),
    )

    html = staff_client.get(QUEUE).content.decode()

    assert (
        '<div class="comment-text" dir="auto" lang="ar">هذا تعليق فيه كلمة '
        '<mark class="evidence" data-guidelines="profanity" '
        'title="Profanity or vulgarity">سيئة</mark> هنا</div>'
    ) in html


def test_highlight_cuts_overlapping_spans_and_leaves_out_spans_outside_the_text():
    text = "abcdefghij"
    verdict = verdict_for(
        text,
        ("threat", 0.9, [(2, 6)], ""),
        ("profanity", 0.8, [(4, 8), (8, 40), (-1, 1), (5, 5)], ""),
    )

    assert with_evidence(Comment(body=text, verdict=verdict)) == (
        'ab<mark class="evidence" data-guidelines="threat" title="Threat">cd</mark>'
        '<mark class="evidence" data-guidelines="profanity threat" '
        'title="Profanity or vulgarity, Threat">ef</mark>'
        '<mark class="evidence" data-guidelines="profanity" '
        'title="Profanity or vulgarity">gh</mark>ij'
    )
    assert with_evidence(Comment(body="a<b", verdict=None)) == "a&lt;b"


def test_rejection_preselects_the_engines_top_reason(staff_client, make_comment):
    scored = make_comment(
        "x", verdict=verdict_for("x", ("profanity", 0.6, [], ""), ("threat", 0.9, [], ""))
    )
    unscored = make_comment("Not scored")

    html = staff_client.get(QUEUE).content.decode()

    def selected_reason(comment):
        select = re.search(
            rf'<select name="reason" id="reason-{comment.pk}".*?</select>', html, re.S
        )
        return re.findall(r'<option value="([^"]*)" selected>', select.group(0))

    assert selected_reason(scored) == ["threat"]
    assert selected_reason(unscored) == [""]


# --- Decisions ----------------------------------------------------------------------


def decide(client, comment, action, expected, **fields):
    url = reverse(f"moderation:{action}", args=[comment.pk])
    return client.post(url, {"expected_status": expected, **fields})


def test_approve_changes_status_and_records_the_moderator(staff_client, make_comment, moderator):
    comment = make_comment()

    response = decide(staff_client, comment, "approve", "pending", next=f"{QUEUE}?sort=riskiest")

    assert response.status_code == 302 and response.url == f"{QUEUE}?sort=riskiest"
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    decision = Decision.objects.get(comment=comment)
    assert (decision.moderator, decision.from_status, decision.to_status) == (
        moderator,
        Status.PENDING,
        Status.APPROVED,
    )
    assert not decision.automatic
    followed = staff_client.get(response.url)
    assert shown_messages(followed) == [f"Approved comment #{comment.pk} by Reader."]


def test_reject_records_reason_and_note(staff_client, make_comment, moderator):
    comment = make_comment()

    decide(staff_client, comment, "reject", "pending", reason="threat", note="Threatens the mayor")

    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    decision = Decision.objects.get(comment=comment)
    assert (decision.moderator, decision.reason, decision.note) == (
        moderator,
        "threat",
        "Threatens the mayor",
    )


@pytest.mark.parametrize("reason", ["", "spam"])
def test_reject_needs_a_known_reason(staff_client, make_comment, reason):
    comment = make_comment()

    response = decide(staff_client, comment, "reject", "pending", reason=reason)

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert not Decision.objects.exists()
    messages = shown_messages(staff_client.get(response.url))
    assert len(messages) == 1 and "reason" in messages[0].lower()


def test_stale_expected_status_gives_a_conflict_message(staff_client, make_comment, colleague):
    comment = make_comment()
    # Another moderator approves it while ours still sees it as pending.
    actions.approve(comment, colleague)

    response = decide(staff_client, comment, "reject", "pending", reason="profanity")

    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert Decision.objects.filter(comment=comment).count() == 1
    messages = shown_messages(staff_client.get(response.url))
    assert messages == [
        f"Not changed: comment #{comment.pk} is already approved. "
        "Another moderator decided it while you were looking."
    ]


def test_json_answers_for_the_keyboard_client(staff_client, make_comment, colleague):
    ok = make_comment()
    stale = make_comment()
    actions.reject(stale, colleague, Reason.PROMOTION)
    json = {"HTTP_ACCEPT": "application/json"}

    done = staff_client.post(
        reverse("moderation:approve", args=[ok.pk]), {"expected_status": "pending"}, **json
    )
    conflict = staff_client.post(
        reverse("moderation:approve", args=[stale.pk]), {"expected_status": "pending"}, **json
    )
    invalid = staff_client.post(
        reverse("moderation:reject", args=[ok.pk]), {"expected_status": "approved"}, **json
    )

    assert done.status_code == 200
    assert done.json() == {
        "ok": True,
        "id": ok.pk,
        "status": "approved",
        "message": f"Approved comment #{ok.pk} by Reader.",
    }
    assert conflict.status_code == 409
    assert conflict.json()["ok"] is False and conflict.json()["status"] == "rejected"
    assert invalid.status_code == 400 and "reason" in invalid.json()["message"]
    # The JSON client announces the result itself; nothing is left for the next page.
    assert shown_messages(staff_client.get(QUEUE)) == []


def test_a_decision_can_be_reversed_and_history_is_kept(staff_client, make_comment, moderator):
    comment = make_comment()
    decide(staff_client, comment, "approve", "pending")

    approved_view = staff_client.get(QUEUE, {"status": "approved"}).content.decode()
    assert "Reject instead" in approved_view and ">Approve<" not in approved_view
    decide(staff_client, comment, "reject", "approved", reason="personal_attack")

    rejected_view = staff_client.get(QUEUE, {"status": "rejected"}).content.decode()
    assert "Approve instead" in rejected_view and "Reject instead" not in rejected_view
    decide(staff_client, comment, "approve", "rejected", note="Appeal upheld")

    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    history = list(comment.decisions.order_by("created_at", "id"))
    assert [(d.from_status, d.to_status, d.reason) for d in history] == [
        ("pending", "approved", ""),
        ("approved", "rejected", "personal_attack"),
        ("rejected", "approved", ""),
    ]
    page = staff_client.get(reverse("moderation:comment", args=[comment.pk]))
    assert list(page.context["history"]) == history
    html = page.content.decode()
    assert html.index("Pending → Approved") < html.index("Approved → Rejected")
    assert html.index("Approved → Rejected") < html.index("Rejected → Approved")
    assert "Appeal upheld" in html


def test_redirect_after_a_decision_stays_on_this_site(staff_client, make_comment):
    comment = make_comment()

    response = decide(staff_client, comment, "approve", "pending", next="https://evil.example/")

    assert response.url == QUEUE


def test_queue_returns_to_the_next_item_after_a_decision(staff_client, make_comment):
    first, second = make_comment("First"), make_comment("Second")

    html = staff_client.get(QUEUE).content.decode()

    item = re.search(rf'id="comment-{first.pk}".*?</article>', html, re.S).group(0)
    assert f'name="next" value="/moderation/#comment-{second.pk}"' in item


# --- One comment, the audit trail -----------------------------------------------------


def test_comment_page_shows_scores_and_history(staff_client, make_comment, colleague):
    body = "A comment with a score table"
    comment = make_comment(body, verdict=verdict_for(body, ("threat", 0.42, [], "")))
    actions.reject(comment, colleague, Reason.THREAT, note="Clear threat")

    html = staff_client.get(reverse("moderation:comment", args=[comment.pk])).content.decode()

    assert "Model version test-1" in html
    assert "colleague" in html and "Clear threat" in html and "Pending → Rejected" in html
    assert "Approve instead" in html


def test_audit_lists_every_decision_newest_first(
    staff_client, make_comment, moderator, colleague, other_article
):
    a, b = make_comment("First"), make_comment("Second", on=other_article)
    first = actions.approve(a, moderator)
    second = actions.reject(b, None, Reason.PROMOTION)
    third = actions.reject(a, colleague, Reason.THREAT, note="Second look")

    response = staff_client.get(reverse("moderation:audit"))

    assert list(response.context["page"].object_list) == [third, second, first]
    html = response.content.decode()
    by = re.findall(r"<td>(automatic|moderator|colleague)</td>", html)
    assert by == ["colleague", "automatic", "moderator"]
    assert other_article.title in html
    assert f'href="{reverse("moderation:comment", args=[b.pk])}"' in html


def test_audit_filters_by_moderator_automatic_and_comment(
    staff_client, make_comment, moderator, colleague
):
    a, b = make_comment("First"), make_comment("Second")
    by_moderator = actions.approve(a, moderator)
    automatic = actions.reject(b, None, Reason.PROMOTION)
    by_colleague = actions.reject(a, colleague, Reason.THREAT)
    audit = reverse("moderation:audit")

    def found(**query):
        return list(staff_client.get(audit, query).context["page"].object_list)

    assert found(moderator=colleague.pk) == [by_colleague]
    assert found(moderator="automatic") == [automatic]
    assert found(comment=a.pk) == [by_colleague, by_moderator]
    assert found(comment=a.pk, moderator=moderator.pk) == [by_moderator]


@pytest.mark.parametrize(
    "url",
    [
        "/moderation/?article=99999999999999999999999&page=99999999999999999999999",
        "/moderation/audit/?comment=99999999999999999999999",
        "/moderation/audit/?comment=-1&moderator=99999999999999999999999",
        # Characters str.isdigit() takes for digits that are no number's digits.
        "/moderation/?article=%C2%B2",
        "/moderation/?article=%E2%91%A0&status=%C2%B9",
        "/moderation/audit/?comment=%C2%B2&moderator=%C2%B2",
        "/moderation/?article=0",
    ],
)
def test_absurd_filter_values_are_form_errors(staff_client, url):
    response = staff_client.get(url)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_audit_is_paginated(staff_client, make_comment, moderator, monkeypatch):
    monkeypatch.setattr(views, "AUDIT_PAGE_SIZE", 2)
    for n in range(3):
        actions.approve(make_comment(f"Comment {n}"), moderator)

    second_page = staff_client.get(reverse("moderation:audit"), {"page": 2})

    assert len(second_page.context["page"].object_list) == 1


# --- Login and logout ------------------------------------------------------------------


def test_staff_log_in_and_out(client, moderator):
    login = reverse("moderation:login")
    page = client.get(login).content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page

    response = client.post(login, {"username": "moderator", "password": "a-long-test-password"})
    assert response.status_code == 302 and response.url == QUEUE
    assert client.get(QUEUE).status_code == 200

    assert client.get(reverse("moderation:logout")).status_code == 405
    client.post(reverse("moderation:logout"))
    assert client.get(QUEUE).status_code == 302


def test_wrong_password_is_refused(client, moderator):
    response = client.post(
        reverse("moderation:login"), {"username": "moderator", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_the_live_queue_appends_the_card_the_page_shows(staff_client, make_comment):
    """New items come from their own view but must be the page's cards, byte for byte,
    but for the form's token, the address a plain post returns to, and the ``after``
    that the item request's own query adds to the "Only this article" link."""
    text = "You idiot, the dam is a scam."
    make_comment("An earlier comment.")
    newer = make_comment(
        text,
        verdict=verdict_for(text, ("personal_attack", 0.91, [(4, 9)], "")),
        risk=0.91,
        email="ana+news@example.org",
    )

    def card(html):
        found = re.search(rf'<article [^>]*id="comment-{newer.pk}".*?</article>', html, re.S)
        assert found, html
        card = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", found.group())
        card = re.sub(r'name="next" value="[^"]*"', "", card)
        return card.replace(f"?after={newer.pk - 1}&amp;", "?")

    page = staff_client.get(QUEUE).content.decode()
    items = staff_client.get(
        reverse("moderation:queue-items"), {"after": newer.pk - 1}
    ).content.decode()

    assert card(items) == card(page)
    assert '<mark class="evidence" data-guidelines="personal_attack"' in card(page)
    assert "email=ana%2Bnews%40example.org" in card(page)
