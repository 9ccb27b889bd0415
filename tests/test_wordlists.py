"""The publisher's word lists: matched after the engine's normalisation, whole words and
phrases; banned terms reject, suspect ones hold for review, allowed ones shield; every
change is audited and takes effect on the next comment."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from roles import user_in

from agora.comments.actions import NewComment, post_comment
from agora.comments.models import Decision, Status
from agora.desks.roles import AUDITOR, MODERATOR
from agora.wordlists import actions, matching
from agora.wordlists.models import Kind, Term, TermChange
from agora.wordlists.ruling import mark, overrule

LISTS = reverse("wordlists:lists")


def add(chief, text, kind=Kind.BANNED, guideline="personal_attack", language=""):
    return actions.add_term(chief, language=language, kind=kind, guideline=guideline, text=text)


def post(article, body):
    comment, _ = post_comment(
        NewComment(article=article, author_name="Reader", author_email="r@example.org", body=body)
    )
    comment.refresh_from_db()
    return comment


def found(body, language="en"):
    return [
        (hit.kind, hit.term, [e["text"] for e in hit.evidence])
        for hit in matching.find(body, language)
    ]


def test_evasions_meet_the_term_after_normalisation_and_evidence_is_as_written(chief):
    add(chief, "nitwit")

    body = "You absolute N.I.T.W.I.T and a ｎｉｔｗｉｔ, nitwiiiit"
    hits = matching.find(body, "en")

    assert len(hits) == 1 and hits[0].term == "nitwit"
    assert [e["text"] for e in hits[0].evidence] == ["N.I.T.W.I.T", "ｎｉｔｗｉｔ", "nitwiiiit"]
    for evidence in hits[0].evidence:
        assert body[evidence["start"] : evidence["end"]] == evidence["text"]


def test_only_whole_words_and_whole_phrases_match(chief):
    add(chief, "nitwit")
    add(chief, "go back home", kind=Kind.SUSPECT, guideline="identity_abuse")

    assert found("nitwits and nitwitted people") == []
    assert found("they should go back homeward") == []
    assert found("they should go  back home now") == [
        ("suspect", "go back home", ["go  back home"])
    ]


def test_an_allowed_term_shields_what_it_contains_and_nothing_else(chief):
    add(chief, "dick", guideline="profanity")
    add(chief, "dick cheney", kind=Kind.ALLOWED, guideline="")

    assert found("Dick Cheney spoke today") == []
    assert found("Dick Cheney is a dick") == [("banned", "dick", ["dick"])]


def test_per_language_lists_apply_to_their_language_only_and_global_ones_to_all(chief):
    add(chief, "کەر", language="ckb")  # Sorani: "donkey", as an insult
    add(chief, "spamword", guideline="promotion")

    assert found("تۆ کەریت؟ کەر", "ckb") == [("banned", "کەر", ["کەر"])]
    assert found("کەر", "fa") == []
    assert [hit[1] for hit in found("spamword", "kmr")] == ["spamword"]


def test_turkish_terms_meet_spellings_without_marks_but_not_other_words(chief):
    add(chief, "şerefsiz", language="tr")
    add(chief, "sik", guideline="profanity", language="tr")
    add(chief, "kûçik", kind=Kind.SUSPECT, language="kmr")

    assert found("Serefsiz herif, ŞEREFSİZ!", "tr") == [
        ("banned", "şerefsiz", ["Serefsiz", "ŞEREFSİZ"])
    ]
    # Listed without marks, the vulgar word leaves "often" and "smart" alone.
    assert found("Sık sık zam geliyor, şık bir çözüm değil.", "tr") == []
    assert found("sik", "tr") == [("banned", "sik", ["sik"])]
    assert found("Tu kucik î", "kmr") == [("suspect", "kûçik", ["kucik"])]
    # The widening follows the comment's language: an English comment keeps its letters.
    add(chief, "çöp", guideline="profanity")
    assert found("cop", "en") == []
    assert found("cop", "tr") == [("banned", "çöp", ["cop"])]


def test_a_change_takes_effect_on_the_next_match_and_a_removal_too(chief):
    assert found("what a nincompoop") == []  # the lists are read and kept

    term = add(chief, "nincompoop")
    assert found("what a nincompoop") == [("banned", "nincompoop", ["nincompoop"])]

    actions.remove_term(chief, term)
    assert found("what a nincompoop") == []


def test_a_version_check_sees_a_change_written_by_another_server(chief):
    found("warm the lists")
    # Another app server writes the row and its audit entry; this process never saw it.
    Term.objects.create(
        language="", kind=Kind.BANNED, guideline="threat", text="zapword", normalized="zapword"
    )
    TermChange.objects.create(action="added", kind=Kind.BANNED, text="zapword")

    assert found("zapword") == [("banned", "zapword", ["zapword"])]


def test_a_banned_term_rejects_a_posted_comment_for_its_guideline(article, chief):
    add(chief, "nitwit")

    comment = post(article, "The council members are all n i t w i t s? No: a nitwit.")

    assert comment.status == Status.REJECTED
    decision = Decision.objects.get(comment=comment)
    assert decision.automatic and decision.reason == "personal_attack"
    assert decision.note == "word list: 'nitwit'"
    assert comment.decision == "reject"
    assert ",personal_attack," in comment.flags
    assert comment.verdict["lists"][0]["evidence"][0]["text"] == "nitwit"


def test_a_suspect_term_holds_a_comment_the_policy_would_approve():
    verdict = {"lang": "en", "decision": "approve", "reasons": []}
    Term.objects.create(
        kind=Kind.SUSPECT, guideline="promotion", text="free money", normalized="free money"
    )
    TermChange.objects.create(action="added", kind=Kind.SUSPECT, text="free money")

    marked = mark("Get FREE money here", verdict)

    assert marked["decision"] == "review"
    assert marked["lists"][0]["kind"] == "suspect"
    assert overrule(marked, "approve", "") == (None, "", "")
    assert overrule(verdict, "approve", "") == ("approve", "", "")


def test_a_listed_term_puts_a_comment_ahead_in_the_riskiest_first_queue(article, chief):
    # Kurdish: no model scores it, so the newsroom's list is what tells one comment from
    # another; English: a suspect term counts beside what the engine read.
    add(chief, "kûçik", kind=Kind.SUSPECT, language="kmr")
    add(chief, "parrot", kind=Kind.SUSPECT)
    plain = post(article, "Spas ji bo vê nûçeyê, ez ê wê bi hevalên xwe re parve bikim.")
    listed = post(article, "Tu kûçik î, ji bo vê nûçeyê spas nakim û parve nakim.")
    clean = post(article, "The council will publish the budget for the new bridge next week.")
    parrot = post(article, "The council will publish the budget for the new bridge, parrot.")

    assert plain.lang == listed.lang == "kmr"
    assert plain.risk == 0.5 and listed.risk == 0.75
    assert parrot.decision == "review" and parrot.risk > max(clean.risk, 0.5)
    assert listed.status == plain.status == Status.PENDING


pytestmark = pytest.mark.django_db


def test_every_change_is_audited_and_the_trail_is_append_only(chief):
    term = add(chief, "nitwit")
    actions.remove_term(chief, term)

    trail = list(TermChange.objects.order_by("id").values_list("action", "text", "moderator"))
    assert trail == [("added", "nitwit", chief.pk), ("removed", "nitwit", chief.pk)]
    change = TermChange.objects.first()
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()


def test_duplicates_and_empty_terms_are_refused_with_a_reason(chief):
    add(chief, "nitwit")
    with pytest.raises(actions.ListError, match="already on this list"):
        add(chief, "NITWIT")
    with pytest.raises(actions.ListError, match="empty once normalised"):
        add(chief, "\u200b ")
    with pytest.raises(actions.ListError, match="needs the guideline"):
        add(chief, "other", guideline="")
    assert Term.objects.count() == 1 and TermChange.objects.count() == 1


def test_a_chief_moderator_adds_and_removes_terms_in_the_pages(client, chief):
    client.force_login(chief)

    response = client.post(
        LISTS, {"language": "ar", "kind": "banned", "guideline": "threat", "text": "word one"}
    )
    assert response.status_code == 302
    term = Term.objects.get()
    assert (term.language, term.kind, term.guideline, term.added_by) == (
        "ar",
        "banned",
        "threat",
        chief,
    )
    assert "word one" in client.get(LISTS).content.decode()

    again = client.post(
        LISTS, {"language": "ar", "kind": "banned", "guideline": "threat", "text": "Word One"}
    )
    assert again.status_code == 400 and "already on this list" in again.content.decode()

    assert client.post(reverse("wordlists:remove", args=[term.pk])).status_code == 302
    assert not Term.objects.exists()
    changes = client.get(reverse("wordlists:changes")).content.decode()
    assert "word one" in changes and "removed" in changes


@pytest.mark.parametrize("role", [MODERATOR, AUDITOR, None])
def test_other_roles_may_not_change_the_lists(client, role):
    client.force_login(user_in(role, "someone"))

    response = client.post(
        LISTS, {"language": "", "kind": "banned", "guideline": "threat", "text": "nitwit"}
    )

    assert response.status_code == 403
    assert not Term.objects.exists() and not TermChange.objects.exists()


def test_the_queue_shows_list_matches_as_evidence(client, article, chief):
    add(chief, "suspicious phrase", kind=Kind.SUSPECT, guideline="promotion")
    comment = post(article, "This is a Suspicious  Phrase indeed")
    assert comment.status == Status.PENDING
    client.force_login(chief)

    html = client.get(reverse("moderation:queue")).content.decode()

    assert (
        "On the publisher&#x27;s list of suspect words (Commercial or personal promotion): "
        "<q><bdi>Suspicious  Phrase</bdi></q>"
    ) in html
    assert '<mark class="evidence" data-guidelines="promotion"' in html


def test_a_suspect_term_preselects_its_guideline_when_the_engine_found_nothing(chief):
    from agora.comments.models import Comment
    from agora.moderation.templatetags.moderation import top_reason

    verdict = {"lang": "en", "decision": "review", "scores": {}, "reasons": []}
    verdict["lists"] = [{"kind": "suspect", "guideline": "promotion", "term": "x", "evidence": []}]

    assert top_reason(Comment(body="x", verdict=verdict)) == "promotion"
    assert top_reason(Comment(body="x", verdict={**verdict, "lists": []})) == ""
