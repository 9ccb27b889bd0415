"""Showing the guideline engine's verdict to a moderator.

The verdict is stored on each comment as JSON (``Verdict.to_dict()``) and read back
through ``Comment.engine_verdict``, which leaves out what an older model version stored
that it cannot read; these helpers render the reader's text with the evidence spans
marked, escaping everything the reader wrote.
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import quote as urlquote

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from agora.comments.models import Reason
from agora.desks import roles
from agora.guidelines.verdict import Evidence, Verdict, readable
from agora.moderation import queue
from agora.moderation.forms import LANGUAGE_CHOICES

register = template.Library()

REASON_LABELS = dict(Reason.choices)
# The engine scores these inside identity_abuse; they have no reason code of their own.
GUIDELINE_LABELS = {
    **REASON_LABELS,
    "sexism": _("Sexism"),
    "racism": _("Racism"),
    "homophobia": _("Homophobia"),
    "xenophobia": _("Xenophobia"),
}
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
# What each guideline's reason says to a moderator, in plain words.
PLAIN_REASONS = {
    "personal_attack": _("Looks like a personal attack"),
    "profanity": _("Looks like profanity or vulgarity"),
    "threat": _("Looks like a threat"),
    "identity_abuse": _("Looks like abuse of a group of people"),
    "sexism": _("Looks like sexism"),
    "racism": _("Looks like racism"),
    "homophobia": _("Looks like homophobia"),
    "xenophobia": _("Looks like xenophobia"),
    "promotion": _("Looks like advertising or self-promotion"),
    "off_topic": _("Seems to be about something other than the article"),
}
LIST_KINDS = {
    "banned": _("On the publisher's banned list"),
    "suspect": _("On the publisher's list of suspect words"),
}
ENGINE_DECISIONS = {
    "approve": _("would approve"),
    "review": _("needs review"),
    "reject": _("would reject"),
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    guideline: str


@dataclass(frozen=True)
class EngineReason:
    guideline: str
    score: float | None
    message: str
    evidence: tuple[str, ...]

    @property
    def label(self) -> str:
        return guideline_label(self.guideline)

    @property
    def sentence(self) -> str:
        """The reason in plain words ("Looks like a threat"); the evidence follows it."""
        return PLAIN_REASONS.get(self.guideline, self.label)

    @property
    def percent(self) -> str | None:
        """The engine's likelihood as a whole percentage in the moderator's locale."""
        return None if self.score is None else percent(self.score)


@dataclass(frozen=True)
class ListReason:
    """A term of the publisher's word lists found in the comment."""

    kind: str
    guideline: str
    term: str
    evidence: tuple[str, ...]

    @property
    def sentence(self) -> str:
        return f"{LIST_KINDS.get(self.kind, self.kind)} ({guideline_label(self.guideline)})"


def percent(value: float) -> str:
    return number_format(round(value * 100))


def list_reasons(verdict) -> list[ListReason]:
    """The word-list matches in a stored verdict (``agora.wordlists``)."""
    if not isinstance(verdict, dict) or not isinstance(verdict.get("lists"), list):
        return []
    return [
        ListReason(
            kind=str(raw.get("kind", "")),
            guideline=str(raw.get("guideline", "")),
            term=str(raw.get("term", "")),
            evidence=tuple(
                str(item.get("text", ""))
                for item in raw.get("evidence") or []
                if isinstance(item, dict)
            ),
        )
        for raw in verdict["lists"]
        if isinstance(raw, dict)
    ]


def engine_reasons(verdict: Verdict | None) -> list[EngineReason]:
    """The engine's reasons in a stored verdict, as a moderator reads them."""
    if verdict is None:
        return []
    return [
        EngineReason(
            guideline=reason.guideline,
            score=reason.score,
            message=reason.message,
            evidence=tuple(evidence.text for evidence in reason.evidence),
        )
        for reason in verdict.reasons
    ]


def evidence_spans(comment) -> list[Span]:
    """Every evidence span that fits the comment's text, tagged with its guideline: the
    engine's reasons' and the word lists'."""
    verdict = comment.engine_verdict
    if verdict is None:
        return []
    found = [(reason.guideline, reason.evidence) for reason in verdict.reasons]
    for raw in comment.verdict.get("lists") or []:
        if isinstance(raw, dict):
            found.append(
                (str(raw.get("guideline", "")), readable(Evidence.from_dict, raw.get("evidence")))
            )
    # A span outside the text would mark the wrong words: leave it out.
    return [
        Span(evidence.start, evidence.end, guideline)
        for guideline, spans in found
        for evidence in spans
        if 0 <= evidence.start < evidence.end <= len(comment.body)
    ]


def highlight(text: str, spans: list[Span]) -> SafeString:
    """``text`` escaped, with ``<mark>`` around the evidence spans [start, end).

    Overlapping spans of different guidelines are cut at every boundary so that each
    piece of text is marked once, with all the guidelines that point at it.
    """
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        keys = tuple(sorted({s.guideline for s in spans if s.start <= a and b <= s.end}))
        pieces.append((keys, text[a:b]))
    html = []
    for keys, group in groupby(pieces, key=lambda piece: piece[0]):
        words = escape("".join(chunk for _, chunk in group))
        if keys:
            labels = ", ".join(str(guideline_label(key)) for key in keys)
            html.append(
                format_html(
                    '<mark class="evidence" data-guidelines="{}" title="{}">{}</mark>',
                    " ".join(keys),
                    labels,
                    words,
                )
            )
        else:
            html.append(words)
    # Safe: every piece of the reader's text went through escape() above.
    return mark_safe("".join(html))


def with_evidence(comment) -> SafeString:
    """The comment's text, escaped, with the engine's evidence marked."""
    return highlight(comment.body, evidence_spans(comment))


# Stands for a comment's id in a URL reversed once per page (see CardPage.url).
PK_PLACEHOLDER = "2147483647"


class CardPage:
    """What every comment card on one page shares, worked out once for the page: the
    viewer's role, the card's links as patterns, and the rejection reasons' options."""

    def __init__(self, request) -> None:
        self.may_decide = roles.may_decide(request.user)
        self.queue_url = reverse("moderation:queue")
        self.commenter_url = reverse("commenters:page")
        self._patterns = {
            name: reverse(name, args=[PK_PLACEHOLDER])
            for name in ("moderation:comment", "moderation:approve", "moderation:reject")
        }
        self._options: dict[str, SafeString] = {}

    def url(self, name: str, pk: int) -> str:
        return self._patterns[name].replace(PK_PLACEHOLDER, str(pk))

    def reason_options(self, preselected: str) -> SafeString:
        """The rejection reasons as ``<option>``s, ``preselected`` selected."""
        if preselected not in self._options:
            self._options[preselected] = format_html_join(
                "",
                '\n        <option value="{}"{}>{}</option>\n        ',
                (
                    (value, " selected" if value == preselected else "", label)
                    for value, label in Reason.choices
                ),
            )
        return self._options[preselected]


class Card:
    """One comment as its queue card shows it, computed in Python once: a card is
    rendered for each of a page's fifty comments, and every template tag, lookup and
    URL reversal in it is paid fifty times."""

    def __init__(self, comment, page: CardPage) -> None:
        self.may_decide = page.may_decide
        self.reasons = engine_reasons(comment.engine_verdict)
        self.listed = list_reasons(comment.verdict)
        self.preselected = top_reason(comment)
        self.text = with_evidence(comment)
        self.detail_url = page.url("moderation:comment", comment.pk)
        self.approve_url = page.url("moderation:approve", comment.pk)
        self.reject_url = page.url("moderation:reject", comment.pk)
        email = urlquote(comment.author_email)
        self.email_url = f"{page.queue_url}?status={comment.status}&email={email}"
        self.commenter_url = f"{page.commenter_url}?email={email}"
        self.reason_options = page.reason_options(self.preselected)


@register.simple_tag(takes_context=True)
def queue_card(context, comment) -> Card:
    """The card's values for ``comment``; the page's shared ones are computed by its
    first card and kept on the request for the others (each card is its own include,
    with its own render context)."""
    request = context["request"]
    shared = getattr(request, "queue_card_page", None)
    if shared is None:
        shared = request.queue_card_page = CardPage(request)
    return Card(comment, shared)


@register.filter
def as_percent(value) -> str:
    return percent(value) if isinstance(value, int | float) else ""


@register.simple_tag(takes_context=True)
def user_may_decide(context) -> bool:
    """Whether the signed-in user's role lets her approve and reject (auditors read only)."""
    return roles.may_decide(context["request"].user)


@register.simple_tag(takes_context=True)
def live_count(context, name: str) -> str:
    """How many comments wait on the signed-in moderator's desks in the queue ``name``
    (``queue.count_now``), for the navigation and the title (counted once per page)."""
    request = context["request"]
    counted = getattr(request, "live_counts", None)
    if counted is None:
        counted = request.live_counts = {}
    if name not in counted:
        counted[name] = queue.count_now(name, request.user)
    # Grouped (12,345) in every language, as the live counts' script shows it.
    return number_format(counted[name], force_grouping=True)


def top_reason(comment) -> str:
    """The reason code a rejection should pre-select: the engine's highest-scoring
    guideline, else the guideline of a word list that matched, else nothing."""
    verdict = comment.engine_verdict
    listed = list_reasons(comment.verdict)
    top = "" if verdict is None else verdict.top_guideline
    return top or (listed[0].guideline if listed else "")


@register.filter
def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code) if code else _("not detected")


@register.filter
def guideline_label(key: str) -> str:
    return GUIDELINE_LABELS.get(key, key)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (empty ones dropped),
    so paging and links keep the moderator's filters and order."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    for key in [key for key, value in query.items() if value in ("", None)]:
        del query[key]
    return "?" + query.urlencode() if query else "?"


@register.simple_tag
def reason_choices() -> list[tuple[str, str]]:
    return Reason.choices


@register.filter
def engine_decision(decision: str) -> str:
    return ENGINE_DECISIONS.get(decision, decision)
