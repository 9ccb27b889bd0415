"""A field that people never see and naive bots always fill.

The field is an ordinary text input named like something a bot wants to
fill in (``AGORA_HONEYPOT_FIELD``, "homepage"), hidden by a stylesheet rather
than ``type="hidden"``: bots that read the HTML but not the CSS see a field to
fill. It is also taken out of the tab order and of autofill, and its label
tells the rare person who sees it (no CSS, a text browser) to leave it empty.

Templates: ``{% load protection %}{% honeypot %}`` inside the <form>; forms read it
through a :class:`TrapField` named :func:`field_name`.
"""

from django import forms
from django.conf import settings


def field_name() -> str:
    return settings.AGORA_HONEYPOT_FIELD


def filled(value) -> bool:
    """Whether a submitted value of the field counts as filled in (spaces do not)."""
    return bool(str(value or "").strip())


def is_filled(data) -> bool:
    """True when the submitted form data (a QueryDict or dict) has the field filled."""
    return filled(data.get(field_name(), ""))


class TrapField(forms.Field):
    """The honeypot in a form: never required, never invalid; cleaned, whether it was
    filled. Its input is drawn by the ``{% honeypot %}`` tag, not with the form's fields."""

    widget = forms.HiddenInput

    def __init__(self):
        super().__init__(required=False)

    def to_python(self, value) -> bool:
        return filled(value)
