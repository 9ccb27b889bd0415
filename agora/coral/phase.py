"""The moderation Coral is told to apply, from the engine's verdict and the publisher's
policy (``AGORA_POLICY``, the same as for Agora's own comments):

- the policy lets the engine reject the comment on its own: ``REJECTED``;
- the policy lets the engine approve it on its own: ``APPROVED``;
- the engine wants a moderator to look (a guideline reached review, or one could not be
  checked, as for a language no model covers): ``PREMOD``, so it waits for a human;
- otherwise Coral's own settings decide (204, no body).

Abuse guidelines at or above review add a ``COMMENT_DETECTED_TOXIC`` flag, promotion a
``COMMENT_DETECTED_SPAM`` flag, so Coral's queue says why; in a language no model reads, so
do the threat and promotion cues (:attr:`agora.guidelines.Reason.flags`).
"""

from agora.articles.models import Article
from agora.comments import screening
from agora.guidelines import CommentInput, Verdict
from agora.perspective.attributes import ABUSE_KEYS

FLAG_REASONS = {key: "COMMENT_DETECTED_TOXIC" for key in ABUSE_KEYS} | {
    "promotion": "COMMENT_DETECTED_SPAM"
}


def moderate(body: str, story_url: str) -> dict | None:
    """Coral's external moderation response for a comment, or None for "leave it"."""
    article = Article.objects.filter(url=story_url, confirmed=True).first() if story_url else None
    if article is not None:
        screening.store_vectors([article])
        verdict = screening.judge(article, body)
    else:
        verdict = screening.engine().judge(CommentInput(text=body))
    return response(verdict)


def response(verdict: Verdict) -> dict | None:
    policy = screening.engine().policy
    reasons = {
        FLAG_REASONS[reason.guideline]
        for reason in verdict.reasons
        if reason.flags and reason.guideline in FLAG_REASONS
    }
    actions = [{"actionType": "FLAG", "reason": reason} for reason in sorted(reasons)]
    automatic = policy.automatic_action(verdict.lang, verdict.scores)
    if automatic == "reject":
        status = "REJECTED"
    elif automatic == "approve":
        status = "APPROVED"
    elif verdict.decision != "approve":
        status = "PREMOD"
    else:
        return None
    answer = {"status": status}
    if actions:
        answer["actions"] = actions
    return answer
