"""Other apps' say over a new comment, after the engine's.

Storing a verdict calls :func:`mark`, and taking the automatic decision calls
:func:`overrule`; an app with rules of its own (the publisher's word lists,
``agora.wordlists``) registers them in its ``AppConfig.ready()``, so the comments app
imports none of the apps above it.
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
