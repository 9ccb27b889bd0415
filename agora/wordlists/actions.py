"""Every change to the word lists happens here, with its entry in the lists' audit trail
in the same transaction (the entry also moves the lists' version: see ``matching``)."""

from django.db import IntegrityError, transaction

from agora.wordlists.matching import normalized_term
from agora.wordlists.models import Kind, Term, TermChange


class ListError(ValueError):
    """A change the lists refuse; the message says why, for the moderator."""


def add_term(moderator, *, language: str, kind: str, guideline: str, text: str) -> Term:
    text = text.strip()
    normalized = normalized_term(text, language)
    if not normalized:
        raise ListError("This term is empty once normalised; write letters or digits.")
    if kind == Kind.ALLOWED:
        guideline = ""
    elif not guideline:
        raise ListError("A banned or suspect term needs the guideline it breaks.")
    try:
        with transaction.atomic():
            term = Term.objects.create(
                language=language,
                kind=kind,
                guideline=guideline,
                text=text,
                normalized=normalized,
                added_by=moderator,
            )
            _audit(TermChange.ADDED, term, moderator)
    except IntegrityError:
        raise ListError(f"{text!r} is already on this list (as {normalized!r}).") from None
    return term


def remove_term(moderator, term: Term) -> None:
    with transaction.atomic():
        _audit(TermChange.REMOVED, term, moderator)
        term.delete()


def _audit(action: str, term: Term, moderator) -> None:
    TermChange.objects.create(
        action=action,
        language=term.language,
        kind=term.kind,
        guideline=term.guideline,
        text=term.text,
        moderator=moderator,
    )
