"""Showing the guideline engine's verdict to a moderator.

The verdict is stored on each comment as JSON (``Verdict.to_dict()``) and read back
through ``Comment.engine_verdict``, which leaves out what an older model version stored
that it cannot read; these helpers render the reader's text with the evidence spans
marked, escaping everything the reader wrote.

A queue card (``{% queue_card %}``, the one card of the queue, the live queue's new
items, a comment's page and the Reported queue) is written here in Python rather than as
a template: a page shows fifty of them, and the template engine's cost per tag, lookup,
translation and URL reversal, paid fifty times, was most of the page's time. The card
writes exactly what the template wrote, translated with the same messages.
"""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import quote as urlquote

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date, floatformat
from django.urls import reverse
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_noop
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


def evidence_spans(comment, verdict: Verdict | None) -> list[Span]:
    """Every evidence span that fits the comment's text, tagged with its guideline: the
    engine's reasons' (``verdict``, the comment's parsed) and the word lists'."""
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
    return highlight(comment.body, evidence_spans(comment, comment.engine_verdict))


# Stands for a comment's id in a URL reversed once per page (see CardPage.url).
PK_PLACEHOLDER = "2147483647"


# The words on every card, translated once per page (gettext is paid on each call).
CARD_WORDS = {
    "likelihood": gettext_noop("(likelihood %(value)s%%)"),
    "no_model": gettext_noop("(no model reads this language)"),
    "engine": gettext_noop("Guideline engine"),
    "engine_line": gettext_noop("Guideline engine: %(decision)s, risk %(risk)s"),
    "what": gettext_noop("(what is this?)"),
    "approve_instead": gettext_noop("Approve instead"),
    "approve": gettext_noop("Approve"),
    "reject_instead": gettext_noop("Reject instead"),
    "reject": gettext_noop("Reject"),
    "reason": gettext_noop("Reason"),
    "choose": gettext_noop("Choose a reason"),
    "note": gettext_noop("Note (optional)"),
    "comment_by": gettext_noop("Comment #%(id)s by %(name)s"),
    "select": gettext_noop("Select comment #%(id)s"),
    "only_article": gettext_noop("Only this article"),
    "record": gettext_noop(
        "Earlier comments from this email: %(approved)s approved, %(rejected)s rejected"
    ),
    "language": gettext_noop("Language: %(name)s"),
    "comment": gettext_noop("Comment #%(id)s"),
    "commenter": gettext_noop("Commenter"),
    "explain": gettext_noop(
        "The risk, from 0 to 1, is the highest likelihood among the guidelines that "
        "this comment breaks one, as the engine estimates it from comments people "
        "have judged. It orders the queue; it is not a decision."
    ),
    "checking": gettext_noop(
        "Being checked: the guideline engine's verdict appears here in a moment. "
        "A decision you take now stands."
    ),
}


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
        self.words = {name: gettext(message) for name, message in CARD_WORDS.items()}

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


def _text(value) -> str:
    """``value`` as a template writes ``{{ value }}``: localized, then escaped."""
    return conditional_escape(localize(value))


def _say(translated: str, **values) -> str:
    """A translated message with ``values`` put in, as ``{% blocktranslate %}`` does:
    the values escaped, the translation trusted."""
    return translated % {key: _text(value) for key, value in values.items()}


def _evidence(reason) -> str:
    if not reason.evidence:
        return ""
    quoted = ", ".join(format_html("<q><bdi>{}</bdi></q>", words) for words in reason.evidence)
    return ": " + quoted


def _reason_items(verdict: Verdict | None, listed: list[ListReason], words: dict[str, str]) -> str:
    reasons = engine_reasons(verdict)
    if not (reasons or listed):
        return ""
    items = [
        format_html(
            '\n      <li data-guideline="{}" data-list="{}">\n        {}{}\n      </li>\n      ',
            reason.guideline,
            reason.kind,
            reason.sentence,
            mark_safe(_evidence(reason)),
        )
        for reason in listed
    ]
    items.append("\n      ")
    for reason in reasons:
        if reason.percent is not None:
            likelihood = _say(words["likelihood"], value=reason.percent)
        else:
            likelihood = words["no_model"]
        items.append(
            format_html(
                '\n      <li data-guideline="{}">\n        {}{}\n        '
                '<span class="likelihood">{}</span>\n      </li>\n      ',
                reason.guideline,
                reason.sentence,
                mark_safe(_evidence(reason)),
                mark_safe(likelihood),
            )
        )
    return '\n    <ul class="reasons">\n      ' + "".join(items) + "\n    </ul>\n    "


def _verdict(comment, verdict: Verdict | None, listed: list[ListReason], words) -> str:
    if comment.verdict:
        line = _say(
            words["engine_line"],
            decision=engine_decision(comment.decision),
            risk=floatformat(comment.risk, 2),
        )
        what = words["what"]
        return (
            f'\n  <section class="verdict engine-{_text(comment.decision)}"'
            f' aria-label="{words["engine"]}">'
            f"\n    <p>\n      {line}\n      "
            f'<span class="explain" title="{words["explain"]}">{what}</span>\n    </p>\n    '
            f"{_reason_items(verdict, listed, words)}\n  </section>\n  "
        )
    if comment.awaiting_verdict:
        return (
            f'\n  <section class="verdict engine-checking" aria-label="{words["engine"]}">'
            f"\n    <p>{words['checking']}</p>\n  </section>\n  "
        )
    return ""


def _actions(comment, page: CardPage, csrf: str, preselected: str) -> str:
    words = page.words
    status = _text(comment.status)
    hidden = (
        f"\n      {csrf}\n      "
        f'<input type="hidden" name="expected_status" value="{status}">\n      '
        f'<input type="hidden" name="next" value="{_text(comment.return_to)}">\n      '
    )
    html = ['\n  <div class="actions">\n    ']
    if comment.status != "approved":
        label = words["approve_instead"] if comment.status == "rejected" else words["approve"]
        html.append(
            f'\n    <form method="post" action="{page.url("moderation:approve", comment.pk)}"'
            f' class="approve-form">{hidden}<button type="submit" class="approve">'
            f"{label}</button>\n    </form>\n    "
        )
    html.append("\n    ")
    if comment.status != "rejected":
        pk = _text(comment.pk)
        label = words["reject_instead"] if comment.status == "approved" else words["reject"]
        html.append(
            f'\n    <form method="post" action="{page.url("moderation:reject", comment.pk)}"'
            f' class="reject-form">{hidden}'
            f'<label for="reason-{pk}">{words["reason"]}</label>\n      '
            f'<select name="reason" id="reason-{pk}" required>\n        '
            f'<option value=""{"" if preselected else " selected"}>'
            f"{words['choose']}</option>\n        "
            f"{page.reason_options(preselected)}\n      </select>\n      "
            f'<label for="note-{pk}">{words["note"]}</label>\n      '
            f'<input type="text" name="note" id="note-{pk}" maxlength="500">\n      '
            f'<button type="submit" class="reject">{label}</button>'
            "\n    </form>\n    "
        )
    html.append("\n  </div>\n  ")
    return "".join(html)


def render_card(comment, page: CardPage, *, request, csrf_token, article_filter, selectable):
    """The comment's card, the markup moderation.js and the pages around it rely on."""
    words = page.words
    pk = _text(comment.pk)
    status = _text(comment.status)
    created = template_localtime(comment.created_at)
    author = _say(words["comment_by"], id=comment.pk, name=comment.author_name)
    # The stored verdict, read once for the text's marks, the reasons and the preselection.
    verdict = comment.engine_verdict
    listed = list_reasons(comment.verdict)
    pick = ""
    if page.may_decide and selectable:
        pick = (
            f'<input type="checkbox" class="bulk-pick" name="ids" value="{pk}" form="bulk-form"'
            f' aria-label="{_say(words["select"], id=comment.pk)}">'
        )
    only_article = ""
    if article_filter:
        here = query_changed(request.GET, article=comment.article_id, page="")
        only_article = f'<a href="{_text(here)}">{words["only_article"]}</a>'
    email = urlquote(comment.author_email)
    record = _say(
        words["record"],
        approved=comment.earlier_approved,
        rejected=comment.earlier_rejected,
    )
    lang = ""
    if comment.lang and comment.lang != "other":
        lang = f' lang="{_text(comment.lang)}"'
    csrf = ""
    if csrf_token and csrf_token != "NOTPROVIDED":  # as {% csrf_token %} writes it
        csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
        )
    actions = (
        _actions(comment, page, csrf, preselected_reason(verdict, listed))
        if page.may_decide
        else ""
    )
    # Safe: every value below is escaped (_text, _say, format_html) or markup built here;
    # the two line breaks first are the ones the card's template always wrote.
    return mark_safe(
        f'\n\n<article class="queue-item status-{status}" id="comment-{pk}" tabindex="-1"\n'
        f'         data-comment="{pk}" data-status="{status}"\n'
        f'         aria-label="{author}">\n'
        f'  <header class="item-head">\n    {pick}\n    <h2 class="item-title">\n'
        f'      <a href="{_text(comment.article.get_absolute_url())}">'
        f"<bdi>{_text(comment.article.title)}</bdi></a>\n    </h2>\n"
        f'    <p class="item-meta">\n      <span class="lang-badge" title="'
        f'{_say(words["language"], name=language_name(comment.lang))}">'
        f"{_text(comment.lang) if comment.lang else '?'}</span>\n"
        f'      <time datetime="{_text(date(created, "c"))}"'
        f' title="{_text(date(created, "DATETIME_FORMAT"))}">'
        f"{_text(naturaltime(comment.created_at))}</time>\n"
        f'      <a href="{page.url("moderation:comment", comment.pk)}">'
        f"{_say(words['comment'], id=comment.pk)}</a>\n      {only_article}\n"
        f"    </p>\n  </header>\n"
        f'  <p class="author">\n    <bdi class="author-name">{_text(comment.author_name)}</bdi>\n'
        f'    <a class="author-email" href="{page.queue_url}?status={status}&amp;email={email}">'
        f"{_text(comment.author_email)}</a>\n"
        f'    <a class="author-page" href="{page.commenter_url}?email={email}">'
        f"{words['commenter']}</a>\n"
        f'    <span class="author-record">{record}</span>\n  </p>\n'
        f'  <div class="comment-text" dir="auto"{lang}>'
        f"{highlight(comment.body, evidence_spans(comment, verdict))}</div>\n  "
        f"{_verdict(comment, verdict, listed, words)}\n  "
        f"{actions}\n</article>\n"
    )


@register.simple_tag(takes_context=True)
def queue_card(context, comment) -> SafeString:
    """The card of ``comment``. The page's shared values are computed by its first card
    and kept on the request for the others (each card is its own include, with its own
    render context)."""
    request = context["request"]
    shared = getattr(request, "queue_card_page", None)
    if shared is None:
        shared = request.queue_card_page = CardPage(request)
    return render_card(
        comment,
        shared,
        request=request,
        csrf_token=context.get("csrf_token"),
        article_filter=context.get("show_article_filter"),
        selectable=context.get("bulk_selectable"),
    )


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
    """The reason code a rejection of ``comment`` should pre-select."""
    return preselected_reason(comment.engine_verdict, list_reasons(comment.verdict))


def preselected_reason(verdict: Verdict | None, listed: list[ListReason]) -> str:
    """The engine's highest-scoring guideline, else the guideline of a word list that
    matched (``listed``), else nothing."""
    top = "" if verdict is None else verdict.top_guideline
    return top or (listed[0].guideline if listed else "")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code) if code else _("not detected")


@register.filter
def guideline_label(key: str) -> str:
    return GUIDELINE_LABELS.get(key, key)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (empty ones dropped),
    so paging and links keep the moderator's filters and order."""
    return query_changed(context["request"].GET, **changes)


def query_changed(current, **changes) -> str:
    """``current`` (a request's ``GET``) as a query string with ``changes`` made."""
    query = current.copy()
    for key, value in changes.items():
        query[key] = value
    for key in [key for key, value in query.items() if value in ("", None)]:
        del query[key]
    return "?" + query.urlencode() if query else "?"


@register.simple_tag
def reason_choices() -> list[tuple[str, str]]:
    return Reason.choices


def engine_decision(decision: str) -> str:
    return ENGINE_DECISIONS.get(decision, decision)
