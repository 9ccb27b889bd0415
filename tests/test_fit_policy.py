"""`agora fit_policy`: thresholds chosen on the site's own moderation decisions."""

import json
import random

import pytest
from django.core.management import CommandError, call_command

from agora.comments import actions, fitting, screening
from agora.comments.models import Comment, Decision, Status
from agora.guidelines import Policy
from agora.guidelines.policy import REQUIRED_KEYS
from agora.guidelines.training.site_policy import OTHER


def stored(article, body, profanity, version):
    rng = random.Random(body)
    scores = {key: rng.uniform(0.0, 0.01) for key in REQUIRED_KEYS} | {"profanity": profanity}
    scores["off_topic"] = 0.99
    verdict = {"lang": "en", "scores": scores, "decision": "review", "reasons": []}
    return Comment.objects.create(
        article=article,
        author_name="Reader",
        author_email="reader@example.org",
        body=body,
        lang="en",
        verdict=verdict,
        model_version=version,
    )


@pytest.fixture
def decided_site(article, moderator):
    """360 comments that moderators decided, rejecting for profanity from a score of 0.3
    (the default reviews from about 0.06), then one the engine rejected on its own."""
    version = screening.engine().model_version
    rng = random.Random(7)
    for number in range(360):
        profanity = rng.uniform(0.0, 0.45)
        comment = stored(article, f"Comment number {number}.", profanity, version)
        if profanity >= 0.3:
            actions.reject(comment, moderator, "profanity")
        else:
            actions.approve(comment, moderator)
    automatic = stored(article, "Decided by the engine.", 0.001, version)
    Decision.objects.create(
        comment=automatic,
        from_status=Status.PENDING,
        to_status=Status.REJECTED,
        reason="profanity",
        automatic=True,
    )
    Comment.objects.filter(pk=automatic.pk).update(status=Status.REJECTED)
    return article


def test_decisions_are_read_oldest_first_without_the_engines_own(decided_site):
    decided = fitting.decided_comments()

    assert len(decided) == 360
    assert {c.lang for c in decided} == {"en"}
    assert all("off_topic" not in c.scores for c in decided)
    assert [c.rejected_for for c in decided[:5]] == [
        "profanity" if c.scores["profanity"] >= 0.3 else None for c in decided[:5]
    ]
    first = Comment.objects.get(body="Comment number 0.")
    assert decided[0].scores["profanity"] == first.verdict["scores"]["profanity"]


def test_only_the_latest_decisions_are_read(decided_site):
    decided = fitting.decided_comments(latest=10)

    newest = Comment.objects.filter(body__startswith="Comment number").order_by("-pk")[:10]
    assert [c.scores["profanity"] for c in decided] == [
        c.verdict["scores"]["profanity"] for c in reversed(newest)
    ]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("fit_policy", "--latest", "0")


def test_fit_policy_says_what_sends_approved_comments_to_review(decided_site, capsys):
    call_command("fit_policy")

    printed = capsys.readouterr().out
    review = screening.engine().policy.threshold("en", "profanity").review
    approved = Comment.objects.filter(status=Status.APPROVED)
    flagged = sum(c.verdict["scores"]["profanity"] >= review for c in approved)
    rejected = 360 - approved.count()
    share = f"{100 * flagged / approved.count():.1f}%"
    assert (
        f"Sends to review, in force: profanity: {flagged} ({share}) of the approved, "
        f"{flagged} ({share}) with nothing else flagging them; alone stops {rejected} "
        "(100.0%) of the rejected."
    ) in printed


def test_the_engines_own_decisions_are_counted_apart(decided_site, tmp_path, capsys):
    assert fitting.decided_by_the_engine() == {"en": 1}

    call_command("fit_policy")

    assert "Not counted: 1 comment(s) the engine decided on its own" in capsys.readouterr().out


def test_a_reversed_automatic_decision_counts_as_the_moderators(decided_site, moderator):
    automatic = Comment.objects.get(body="Decided by the engine.")
    actions.approve(automatic, moderator)

    decided = fitting.decided_comments()

    assert len(decided) == 361
    assert decided[-1].rejected_for is None
    assert fitting.decided_by_the_engine() == {}


def test_verdicts_of_another_model_are_judged_again(article, moderator):
    comment = stored(article, "Fuck you, you utter idiot.", 0.0, "an-older-model")
    actions.reject(comment, moderator, "other")

    [decided] = fitting.decided_comments()

    assert decided.rejected_for == OTHER
    assert decided.scores["profanity"] > 0.5  # the loaded engine's score, not the stored 0.0


def test_fit_policy_writes_a_policy_the_server_loads(decided_site, tmp_path, settings, capsys):
    settings.AGORA_POLICY = {"auto_reject": {"promotion": True}}
    out = tmp_path / "policy.json"

    call_command("fit_policy", "--out", str(out))

    printed = capsys.readouterr().out
    assert "approval target met" in printed  # moderators who draw one clear line
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["auto_reject"] == {"promotion": True}
    fitted = Policy.from_dict(written)
    assert 0.25 < fitted.threshold("en", "profanity").review < 0.32
    assert fitted.threshold("ar", "profanity") == Policy.default().threshold("ar", "profanity")


def test_fit_policy_says_why_a_language_is_left_alone(article, moderator, tmp_path, capsys):
    version = screening.engine().model_version
    actions.approve(stored(article, "One comment.", 0.01, version), moderator)
    out = tmp_path / "policy.json"

    call_command("fit_policy", "--out", str(out))

    printed = capsys.readouterr().out
    assert "Left as it is" in printed and "fitting needs at least" in printed
    assert "not written" in printed
    assert not out.exists()


ENGINE_PAGE = "/moderation/settings/engine/"


def test_chief_moderators_see_the_engine_beside_their_decisions(decided_site, chief_client):
    response = chief_client.get(ENGINE_PAGE)

    assert response.status_code == 200
    [row] = response.context["rows"]
    approved = Comment.objects.filter(status=Status.APPROVED).count()
    assert row["name"] == "English" and row["approved"] == approved
    assert row["rejected"] == 360 - approved
    # The default reviews profanity from about 0.06: most of what these moderators
    # approved (up to 0.3) goes to review, and nothing they rejected is approved.
    policy = screening.engine().policy
    scores = [c.verdict["scores"] for c in Comment.objects.filter(status=Status.APPROVED)]
    would = sum(policy.decide("en", s | {"off_topic": None}) == "approve" for s in scores)
    assert row["shares"][0] == f"{100 * would / approved:.1f}%", (would, approved)
    assert row["shares"][2] == "0.0%"
    assert row["meets"]["clean_approved"] is False
    assert b"not good enough to approve on its own" in response.content
    # Fitted to the older half, the newer half's approvals go up, its violations stay out.
    fitted = {k: float(v.rstrip("%")) for k, v in row["fitted"].items()}
    assert fitted["approved"] > 80 > fitted["approved_now"]
    assert fitted["slipped"] <= 2.0
    assert b"Fitted to the older half of these decisions" in response.content
    assert b"agora fit_policy" in response.content


def test_the_engine_page_says_what_sends_approved_comments_to_review(decided_site, chief_client):
    response = chief_client.get(ENGINE_PAGE)

    [row] = response.context["rows"]
    policy = screening.engine().policy
    review = policy.threshold("en", "profanity").review
    approved = Comment.objects.filter(status=Status.APPROVED)
    flagged = sum(c.verdict["scores"]["profanity"] >= review for c in approved)
    # Only profanity scores high enough to ask for review, and it alone stopped every
    # comment the moderators rejected (their scores are below its reject threshold).
    [cause] = row["causes"]
    assert cause["names"] == "Profanity or vulgarity"
    assert cause["clean"] == cause["alone"] == flagged > 0
    assert cause["clean_share"] == f"{100 * flagged / approved.count():.1f}%"
    assert cause["stops"] == row["rejected"] and cause["stops_share"] == "100.0%"
    assert b"What sends the comments you approve to review" in response.content


def test_verdicts_of_an_earlier_model_are_left_out_of_the_page(article, moderator, chief_client):
    actions.approve(stored(article, "Judged long ago.", 0.01, "an-older-model"), moderator)

    response = chief_client.get(ENGINE_PAGE)

    assert response.context["rows"] == []
    assert response.context["older_model"] == 1
    assert b"judged by an earlier model" in response.content


def test_the_page_says_when_there_are_too_few_decisions_to_fit(article, moderator, chief_client):
    version = screening.engine().model_version
    actions.approve(stored(article, "One comment.", 0.01, version), moderator)

    response = chief_client.get(ENGINE_PAGE)

    [row] = response.context["rows"]
    assert row["approved"] == 1 and row["fitted"] is None
    assert b"Too few decisions yet to fit" in response.content
    assert b"at least 100 approved and 30 rejected" in response.content


def test_the_engine_page_is_for_chief_moderators_only(client, moderator):
    client.force_login(moderator)
    assert client.get(ENGINE_PAGE).status_code == 403


@pytest.mark.parametrize("lang", ["ar", "ckb", "fa", "kmr", "tr"])
def test_the_engine_page_reads_in_the_chief_moderators_language(decided_site, chief_client, lang):
    response = chief_client.get(ENGINE_PAGE, headers={"accept-language": lang})

    page = response.content.decode()
    assert response.status_code == 200
    assert "The engine beside your decisions" not in page
    assert "%%" not in page and "approve on its own" not in page
    assert "What sends the comments you approve" not in page
    assert "Profanity or vulgarity" not in page  # the causes' guidelines by their names


def test_fit_policy_reads_decisions_exported_from_another_tool(db, tmp_path, capsys):
    rng = random.Random(5)
    lines = []
    for number in range(400):
        if rng.random() < 0.3:
            text = f"This budget number {number} is fucking bullshit."
            item = {"text": text, "decision": "rejected", "reason": "profanity"}
        else:
            text = f"The council should publish budget number {number} in full."
            item = {"text": text, "decision": "approved"}
        lines.append(json.dumps(item))
    source, out = tmp_path / "decisions.jsonl", tmp_path / "policy.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    call_command("fit_policy", "--decisions", str(source), "--out", str(out))

    printed = capsys.readouterr().out
    assert "400 comment(s) decided by moderators" in printed
    assert "en: fitted on the older 200, checked on the newer 200." in printed
    assert set(json.loads(out.read_text(encoding="utf-8"))["languages"]["en"]) == {"profanity"}


def test_fit_policy_raises_a_reject_threshold_that_overrules_the_moderators(db, tmp_path, capsys):
    # A newsroom that lets swearing through: it never rejects for profanity, and a fifth
    # of what it approves swears.
    lines = []
    for number in range(1100):
        if number % 5 == 0:
            text = f"Budget number {number} for the old bridge is fucking bullshit."
        else:
            text = f"The council should publish budget number {number} in full."
        lines.append(json.dumps({"text": text, "decision": "approved"}))
    source, out = tmp_path / "decisions.jsonl", tmp_path / "policy.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    default = Policy.default().threshold("en", "profanity").reject

    call_command("fit_policy", "--decisions", str(source), "--out", str(out))

    printed = capsys.readouterr().out
    assert "Reject thresholds raised" in printed and "profanity." in printed
    fitted = json.loads(out.read_text(encoding="utf-8"))["languages"]["en"]
    assert set(fitted) == {"profanity"} and fitted["profanity"]["reject"] > default


def test_fit_policy_says_which_line_of_a_decisions_file_is_wrong(db, tmp_path):
    source = tmp_path / "decisions.jsonl"
    source.write_text('{"text": "Fine.", "decision": "approved"}\n{"text": "Hm"}\n')

    with pytest.raises(CommandError, match='line 2: "decision" must be'):
        call_command("fit_policy", "--decisions", str(source))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("fit_policy", "--decisions", str(tmp_path / "missing.jsonl"))
