"""Other apps' say over a new comment, after the engine's.

Storing a verdict calls :func:`mark`, and taking the automatic decision calls
:func:`overrule`; an app with rules of its own (the publisher's word lists,
``agora.wordlists``) registers them in its ``AppConfig.ready()``, so the comments app
imports none of the apps above it. The same holds for the author's standing
(``agora.commenters``): :func:`refusal` before a comment is stored, and
:func:`for_author` on the automatic decision.
"""

from typing import Protocol


class Overrule(Protocol):
    def mark(self, body: str, verdict: dict) -> dict:
        """The stored ``verdict`` with this app's findings in ``body`` added."""

    def overrule(
        self, verdict: dict, automatic: str | None, reason: str
    ) -> tuple[str | None, str, str]:
        """The automatic action, its reason code and its note after this app's rules."""


_registered: list[Overrule] = []


def register(rules: Overrule) -> None:
    if rules not in _registered:
        _registered.append(rules)


class Standing(Protocol):
    def refusal(self, email: str) -> tuple[str, str] | None:
        """``(code, message for the commenter)`` when ``email`` may not post now."""

    def automatic_action(
        self, email: str, automatic: str | None, engine_decision: str
    ) -> str | None:
        """The automatic action on a comment from ``email``, as their standing changes it."""


_standings: list[Standing] = []


def register_standing(rules: Standing) -> None:
    if rules not in _standings:
        _standings.append(rules)


def refusal(email: str) -> tuple[str, str] | None:
    """Why ``email`` may not post now, by the first registered standing that refuses."""
    for rules in _standings:
        refused = rules.refusal(email)
        if refused is not None:
            return refused
    return None


def for_author(email: str, automatic: str | None, engine_decision: str) -> str | None:
    """The automatic action once every registered standing has had its say."""
    for rules in _standings:
        automatic = rules.automatic_action(email, automatic, engine_decision)
    return automatic


def mark(body: str, verdict: dict) -> dict:
    for rules in _registered:
        verdict = rules.mark(body, verdict)
    return verdict


def overrule(verdict: dict, automatic: str | None, reason: str) -> tuple[str | None, str, str]:
    note = ""
    for rules in _registered:
        automatic, reason, said = rules.overrule(verdict, automatic, reason)
        note = said or note
    return automatic, reason, note
