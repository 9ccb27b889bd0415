"""The word lists' say over a new comment, applied where the engine's verdict is stored
and turned into a decision (``agora.comments.actions``).

The publisher's lists have the last word: a banned term rejects the comment (with its
list's guideline as the reason) whatever the engine or the automatic policy said; a
suspect term holds it for a moderator even if the policy would have approved it. The
matches are kept in the stored verdict under ``"lists"``, shown to moderators as
evidence like the engine's.
"""

from agora.wordlists.matching import find
from agora.wordlists.models import Kind


def mark(body: str, verdict: dict) -> dict:
    """The stored ``verdict`` with the listed terms found in ``body``, and its decision
    raised to what they ask for."""
    hits = find(body, verdict.get("lang") or "")
    if not hits:
        return verdict
    kinds = {hit.kind for hit in hits}
    decision = verdict.get("decision")
    if Kind.BANNED in kinds:
        decision = "reject"
    elif decision == "approve":
        decision = "review"
    return {**verdict, "decision": decision, "lists": [hit.to_dict() for hit in hits]}


def overrule(verdict: dict, automatic: str | None, reason: str) -> tuple[str | None, str, str]:
    """The automatic action, its reason code and its note once the lists marked in
    ``verdict`` (by :func:`mark`) are taken into account."""
    hits = verdict.get("lists") or []
    banned = [hit for hit in hits if hit["kind"] == Kind.BANNED]
    if banned:
        terms = ", ".join(f"'{hit['term']}'" for hit in banned)
        return "reject", banned[0]["guideline"], f"word list: {terms}"
    if hits and automatic == "approve":
        return None, reason, ""
    return automatic, reason, ""
