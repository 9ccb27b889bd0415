"""Characters a comment may not contain, checked by the HTML form and the API alike."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line breaks and tabs are how readers lay out a comment; every other control
# character is invisible junk at best and breaks PostgreSQL (NUL) at worst.
ALLOWED_CONTROL_CHARACTERS = frozenset("\n\r\t")
# Every control (Cc) and surrogate (Cs) code point but those: one regular expression
# scans a text far faster than asking the category of each character (imports check
# millions of comments).
_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(value: str) -> tuple[str, str] | None:
    """Return (kind, code point) of the first character no comment may hold, else None.

    kind is "control_character" or "surrogate" (an unpaired UTF-16 half, which
    is not a character at all and cannot be stored as UTF-8).
    """
    if _SUSPECT.search(value) is None:
        return None
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc" and char not in ALLOWED_CONTROL_CHARACTERS:
            return "control_character", f"{ord(char):04X}"
        if category == "Cs":
            return "surrogate", f"{ord(char):04X}"
    return None


def validate_characters(value: str) -> None:
    """Django validator form of ``forbidden_character``."""
    found = forbidden_character(value)
    if found is None:
        return
    kind, code = found
    if kind == "surrogate":
        message = _("Remove the unpaired surrogate U+%(code)s; it is not a character.")
    else:
        message = _(
            "Remove the control character U+%(code)s (only line breaks and tabs are allowed)."
        )
    raise ValidationError(message, code=kind, params={"code": code})
