"""A field that people never see and naive bots always fill.

The field is an ordinary text input named like something a bot wants to
fill in (``AGORA_HONEYPOT_FIELD``, "homepage"), hidden by a stylesheet rather
than ``type="hidden"``: bots that read the HTML but not the CSS see a field to
fill. It is also taken out of the tab order and of autofill, and its label
tells the rare person who sees it (no CSS, a text browser) to leave it empty.

Templates: ``{% load protection %}{% honeypot %}`` inside the <form>.
"""

from django.conf import settings


def field_name() -> str:
    return settings.AGORA_HONEYPOT_FIELD


def is_filled(data) -> bool:
    """True when the submitted form data (a QueryDict or dict) has the field filled."""
    return bool(str(data.get(field_name(), "")).strip())
