"""Everything the embed says, in the reader's language, sent to it as JSON.

The messages are the article page's own (same msgids, so one translation serves
both; tests/test_i18n.py checks the guidelines read the same in both places), and
dates are written with Django's localised formats and month names, so a comment
is dated the same way in the embed and on Agora's pages.
"""

import re

from django.conf import settings
from django.utils import dates
from django.utils.formats import get_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agora.reports.forms import ReportForm
from agora.reports.models import REPORT_REASONS

# Lazy: each request reads them in its own language (see interface()).
INTERFACE = {
    "region": _("Comments"),
    "add": _("Add your comment"),
    "name": _("Name"),
    "email": _("Email"),
    "email_help": _("Required, never shown to anyone but the moderators."),
    "body": _("Comment"),
    "all_required": _("All fields are required."),
    "send": _("Send for moderation"),
    "sending": _("Sending your comment…"),
    "after_note": _("Your comment will appear here once a moderator has approved it."),
    "received": _(
        "Thank you. Your comment was received and will appear here once a moderator "
        "has approved it."
    ),
    "not_sent": _("Your comment was not sent. Please check the following:"),
    "field_error": _("%(label)s: %(error)s"),
    "network": _(
        "Your comment could not be sent. Check your connection and try again; "
        "what you wrote is still here."
    ),
    "reply": _("Reply"),
    "reply_to": _("Reply to %(name)s"),
    "replies_to": _("Replies to %(name)s"),
    "replying_to": _("Replying to %(name)s"),
    "cancel_reply": _("Cancel reply"),
    "orphan": _("In reply to a comment that is no longer shown."),
    "empty": _("No comments have been published yet."),
    "more": _("Show more comments"),
    "closed": _("Comments are closed on this article."),
    "closes_on": _("Comments close on %(date)s."),
    "closed_on": _("Comments closed on %(date)s."),
    "unavailable": _("Comments are not available for this article."),
    "load_failed": _("The comments could not be loaded. Please try again later."),
}

GUIDELINES = {
    "title": _("Community guidelines"),
    "intro": _(
        "A moderator reads every comment before it is published. Please keep to the subject "
        "of the article or of the discussion under it."
    ),
    "list_intro": _("We do not publish comments that contain:"),
    "items": [
        _("swearing or vulgar language;"),
        _("threats against anyone;"),
        _("personal attacks on other readers, the author or anyone else;"),
        _(
            "abuse of people for their sex, race, sexuality, nationality or origin "
            "(sexism, racism, homophobia, xenophobia);"
        ),
        _("advertising, or promotion of a business, a product, a website or yourself."),
    ],
    "outro": _(
        "We never edit comments: each one is published or rejected exactly as you wrote it. "
        "Your name is shown with your comment; your email address is never shown."
    ),
}

# Reporting a comment: the report page's own labels (agora/reports).
_REPORT_FIELDS = ReportForm.base_fields
REPORTING = {
    "report": _("Report"),
    "report_label": _("Report the comment by %(name)s"),
    "report_title": _("Report a comment"),
    "report_reason": _REPORT_FIELDS["reason"].label,
    "report_law": _REPORT_FIELDS["law"].label,
    "report_law_help": _REPORT_FIELDS["law"].help_text,
    "report_explanation": _REPORT_FIELDS["explanation"].label,
    "report_explanation_help": _REPORT_FIELDS["explanation"].help_text,
    "report_email": _REPORT_FIELDS["email"].label,
    "report_email_help": _REPORT_FIELDS["email"].help_text,
    "report_send": _("Send the report"),
    "report_not_sent": _("Your report was not sent. Please check the following:"),
    "cancel": _("Cancel"),
    **{f"reason_{code}": label for code, label in REPORT_REASONS},
}

# Django date format characters the embed knows how to write (agora/embed/static/embed/embed.js).
DATE_CODES = frozenset("djmnFNYyGHghiAaP")
_FORMAT_CHAR = re.compile(r"\\(.)|([A-Za-z])|([{}])|([^\\A-Za-z{}]+)", re.DOTALL)


def date_pattern(django_format: str) -> str:
    """A Django date format as the embed's pattern: each code in braces, text as is.

    ``"j F Y، G:i"`` -> ``"{j} {F} {Y}، {G}:{i}"``. Raises ValueError for a code the
    embed cannot write, so a new locale format fails a test instead of a reader's page.
    """
    pattern = []
    for escaped, code, brace, text in _FORMAT_CHAR.findall(django_format):
        if brace:
            raise ValueError(f"Braces are not allowed in a date format: {django_format!r}")
        if code and code not in DATE_CODES:
            raise ValueError(f"The embed cannot write the date code {code!r} ({django_format!r})")
        pattern.append(f"{{{code}}}" if code else escaped or text)
    return "".join(pattern)


def dates_spec() -> dict:
    """How to write a comment's date in the active language, the way the page does."""
    return {
        "pattern": date_pattern(get_format("DATETIME_FORMAT")),
        "time_zone": settings.TIME_ZONE,
        "months": [str(dates.MONTHS[month]) for month in range(1, 13)],
        "months_ap": [str(dates.MONTHS_AP[month]) for month in range(1, 13)],
        "AM": gettext("AM"),
        "PM": gettext("PM"),
        "am": gettext("a.m."),
        "pm": gettext("p.m."),
        "noon": gettext("noon"),
        "midnight": gettext("midnight"),
    }


def count_label(count: int) -> str:
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {"counter": count}


def interface() -> dict:
    """Every message of the embed in the active language."""
    return {
        "strings": {key: str(message) for key, message in (INTERFACE | REPORTING).items()},
        "guidelines": {
            key: [str(item) for item in value] if isinstance(value, list) else str(value)
            for key, value in GUIDELINES.items()
        },
        "dates": dates_spec(),
    }
