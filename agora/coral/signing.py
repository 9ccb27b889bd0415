"""Checking Coral's ``X-Coral-Signature`` header.

Coral signs the raw request body with HMAC-SHA256 under the phase's signing secret and
sends ``sha256=<hex>``; while an administrator rolls the secret over it signs with the old
and the new one and sends both, comma-separated. A request is genuine when any signature
matches any secret Agora holds (``AGORA_CORAL_SIGNING_SECRETS``, so both ends can roll at
their own pace).
"""

import hashlib
import hmac
from collections.abc import Iterable


def signatures(header: str) -> list[str]:
    """The ``sha256`` values in a signature header, in order."""
    found = []
    for element in header.split(","):
        prefix, _, value = element.strip().partition("=")
        if prefix == "sha256" and value:
            found.append(value.strip().lower())
    return found


def sign(body: bytes, secret: str) -> str:
    """The signature Coral sends for ``body`` under ``secret`` (hex digest)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, header: str, secrets: Iterable[str]) -> bool:
    """Whether any signature in ``header`` is ``body``'s under any of ``secrets``."""
    expected = [sign(body, secret) for secret in secrets]
    # Every pair is compared in constant time; a match does not stop the loop early
    # enough to tell an attacker which secret matched.
    matches = [
        hmac.compare_digest(given, wanted) for given in signatures(header) for wanted in expected
    ]
    return any(matches)
