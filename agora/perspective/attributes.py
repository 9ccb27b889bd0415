"""Perspective's attributes as functions of one engine verdict.

Each attribute is read from the engine's scores for the comment's language, under the
loaded policy; nothing here holds a score or a threshold of its own (docs/perspective.md
explains each derivation):

- one guideline or identity sub-key per attribute where Perspective has a like-named one
  (``INSULT`` is ``personal_attack``, ``SPAM`` is ``promotion`` ...);
- ``TOXICITY`` and ``SEVERE_TOXICITY``: probabilities of their own, from the four abuse
  scores (profanity, threat, personal attack, identity abuse) through regressions fitted to
  human "toxic" and "severe toxic" labels (agora/perspective/calibration.py); severe
  toxicity never exceeds toxicity, as a severely toxic comment is toxic;
- ``LIKELY_TO_REJECT``: the publisher's policy's reject decision as a score: each guideline
  that can reject maps its score onto 0-0.5 below its reject threshold and 0.5-1 above it,
  and the highest counts, so the value reaches 0.5 exactly when the policy rejects.
"""

from collections.abc import Callable
from dataclasses import dataclass

from agora.guidelines import GUIDELINES, Policy, Verdict
from agora.guidelines.calibration import DECIMALS
from agora.perspective import calibration
from agora.perspective.calibration import ABUSE_KEYS

Scorer = Callable[[Verdict, Policy], float | None]


@dataclass(frozen=True)
class Attribute:
    """How one attribute is scored, and which guidelines' evidence marks its spans."""

    score: Scorer
    evidence_keys: tuple[str, ...]


def _key(key: str) -> Scorer:
    return lambda verdict, policy: verdict.scores.get(key)


def _highest(scores) -> float | None:
    known = [score for score in scores if score is not None]
    return max(known) if known else None


def toxicity(verdict: Verdict, policy: Policy) -> float | None:
    return calibration.probability("TOXICITY", verdict.scores)


def severe_toxicity(verdict: Verdict, policy: Policy) -> float | None:
    severe = calibration.probability("SEVERE_TOXICITY", verdict.scores)
    return None if severe is None else min(severe, toxicity(verdict, policy))


def likely_to_reject(verdict: Verdict, policy: Policy) -> float | None:
    levels = []
    for key in GUIDELINES:
        score = verdict.scores.get(key)
        if score is None:
            continue
        reject = policy.threshold(verdict.lang, key).reject
        if reject is None:  # a guideline that only ever asks for review
            continue
        if score >= reject:
            levels.append(0.5 + 0.5 * (score - reject) / (1 - reject) if reject < 1 else 1.0)
        else:
            levels.append(0.5 * score / reject)
    highest = _highest(levels)
    return None if highest is None else round(highest, DECIMALS)


ATTRIBUTES: dict[str, Attribute] = {
    "TOXICITY": Attribute(toxicity, ABUSE_KEYS),
    "SEVERE_TOXICITY": Attribute(severe_toxicity, ("threat", "identity_abuse", "personal_attack")),
    "INSULT": Attribute(_key("personal_attack"), ("personal_attack",)),
    "IDENTITY_ATTACK": Attribute(_key("identity_abuse"), ("identity_abuse",)),
    "PROFANITY": Attribute(_key("profanity"), ("profanity",)),
    "THREAT": Attribute(_key("threat"), ("threat",)),
    "SPAM": Attribute(_key("promotion"), ("promotion",)),
    "OFF_TOPIC": Attribute(_key("off_topic"), ("off_topic",)),
    "SEXISM": Attribute(_key("sexism"), ("identity_abuse",)),
    "RACISM": Attribute(_key("racism"), ("identity_abuse",)),
    "HOMOPHOBIA": Attribute(_key("homophobia"), ("identity_abuse",)),
    "XENOPHOBIA": Attribute(_key("xenophobia"), ("identity_abuse",)),
    "LIKELY_TO_REJECT": Attribute(likely_to_reject, GUIDELINES),
}


def span_scores(verdict: Verdict, attribute: str, text_length: int, summary: float) -> list[dict]:
    """``spanScores`` for one attribute: each evidence span of its guidelines with that
    guideline's score (the highest where guidelines mark the same span), in text order.
    A comment with no evidence (no guideline reached review) is one span, the whole text,
    with the summary score. Offsets count Unicode code points of the scored text."""
    keys = ATTRIBUTES[attribute].evidence_keys
    spans: dict[tuple[int, int], float] = {}
    for reason in verdict.reasons:
        if reason.guideline not in keys or reason.score is None:
            continue
        for evidence in reason.evidence:
            span = (evidence.start, evidence.end)
            spans[span] = max(spans.get(span, 0.0), min(reason.score, summary))
    if not spans:
        spans = {(0, text_length): summary}
    return [
        {"begin": begin, "end": end, "score": {"value": value, "type": "PROBABILITY"}}
        for (begin, end), value in sorted(spans.items())
    ]
