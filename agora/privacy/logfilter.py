"""Keep email addresses out of the logs."""

import logging
import re

# Loose on purpose: anything shaped like an address goes, valid or not, with its "@"
# percent-encoded too ("nisa%40example.org", as in a URL's query string).
EMAIL = re.compile(
    r"[^\s<>()\[\]@,;:\"']+(?:@|%40)[^\s<>()\[\]@,;:\"']+\.[^\s<>()\[\]@,;:\"']+",
    re.IGNORECASE,
)


class RedactEmails(logging.Filter):
    """Replace every email address in a log record (message and traceback) with ``[email]``.

    Agora's own code never logs an email or a comment's text; this filter is
    the net under exception messages and third-party code that might.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = EMAIL.sub("[email]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = EMAIL.sub("[email]", record.exc_text)
        return True
