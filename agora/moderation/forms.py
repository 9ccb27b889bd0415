"""What a moderator submits: queue filters (GET) and a decision on one comment (POST)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agora.api.schemas import MAX_ID
from agora.articles.models import Article
from agora.comments.models import Comment, Decision, Reason, Status
from agora.moderation.queue import QueueFilters, Sort

# The guideline keys the engine gives reasons for are the reason codes, less the
# catch-all a moderator picks by hand.
GUIDELINE_CHOICES = [(value, label) for value, label in Reason.choices if value != Reason.OTHER]

# The engine labels every comment with one of the publisher's languages or "other".
LANGUAGE_CHOICES = [*settings.LANGUAGES, ("other", _("Other language"))]


ARTICLE_CHOICES_SHOWN = 100


class RowIdField(forms.IntegerField):
    """A row's id, bounded like the id column, so a huge number is a form error, not a
    database error."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


def row_id(value) -> int | None:
    """``value`` as :class:`RowIdField` reads it, or None when it is not a row's id."""
    try:
        return RowIdField(required=False).clean(value)
    except forms.ValidationError:
        return None


class ArticleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, article):
        return f"{article.title} ({article.comments_in_status or 0})"


class QueueFilterForm(forms.Form):
    """The moderator's view of the queue, kept in the query string so it survives
    paging, actions and bookmarks. Every field is optional: an empty form is the
    default queue (pending, oldest first)."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, required=False)
    article = ArticleChoiceField(
        label=_("Article"), queryset=Article.objects.none(), required=False, empty_label=_("All")
    )
    lang = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All")), *LANGUAGE_CHOICES], required=False
    )
    guideline = forms.ChoiceField(
        label=_("Guideline"), choices=[("", _("All")), *GUIDELINE_CHOICES], required=False
    )
    sort = forms.ChoiceField(label=_("Order"), choices=Sort.CHOICES, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    text = forms.CharField(label=_("Text"), max_length=200, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        status = self.data.get("status") if self.data.get("status") in Status.values else None
        self.chosen_status = status or Status.PENDING
        # Offer the latest articles that have comments in the chosen status, with how
        # many, plus the one already chosen so the select never loses it. Older ones
        # are reached through "Only this article" on any of their comments. The
        # subqueries start from the comment side, so the pending queue (small) is
        # read through its index instead of counting every comment ever written.
        in_status = Comment.objects.filter(status=self.chosen_status)
        latest = Article.objects.filter(pk__in=in_status.values("article_id")).order_by(
            "-published_at", "-pk"
        )[:ARTICLE_CHOICES_SHOWN]
        chosen_article = row_id(self.data.get("article"))
        chosen = Q(pk=chosen_article) if chosen_article else Q(pk__in=[])
        self.fields["article"].queryset = (
            Article.objects.filter(Q(pk__in=latest.values("pk")) | chosen)
            .only("pk", "title", "published_at")
            .annotate(
                comments_in_status=Subquery(
                    in_status.filter(article=OuterRef("pk"))
                    .order_by()
                    .values("article")
                    .annotate(n=Count("pk"))
                    .values("n")
                )
            )
            .order_by("-published_at", "-pk")
        )

    def filters(self) -> QueueFilters:
        """The valid choices, with defaults for the empty or invalid ones."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        article = cleaned.get("article")
        return QueueFilters(
            status=cleaned.get("status") or Status.PENDING,
            article_id=article.pk if article else None,
            lang=cleaned.get("lang") or "",
            guideline=cleaned.get("guideline") or "",
            email=cleaned.get("email") or "",
            name=cleaned.get("name") or "",
            text=cleaned.get("text") or "",
            since=cleaned.get("since"),
            until=cleaned.get("until"),
            sort=cleaned.get("sort") or Sort.OLDEST,
        )

    def row_id(self, name: str) -> int | None:
        return row_id(self.data.get(name))


class DecisionForm(forms.Form):
    """One moderator's decision on one comment.

    ``expected_status`` is the status the moderator saw; if someone else decided the
    comment meanwhile, the action refuses instead of silently overwriting.
    """

    expected_status = forms.ChoiceField(label=_("Status you saw"), choices=Status.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices, required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
    next = forms.CharField(label=_("Return to"), required=False)

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].error_messages["required"] = _(
                "Choose a reason for rejecting this comment."
            )


class BulkForm(forms.Form):
    """One decision for many comments: those ticked (``ids``) or, with ``everything``,
    every one matching the queue's filters (sent along in the same form)."""

    action = forms.ChoiceField(
        label=_("Action"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices, required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)
    ids = forms.TypedMultipleChoiceField(label=_("Comments"), coerce=int, required=False)
    everything = forms.BooleanField(label=_("All matching the filters"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Any row id is a valid choice; one that matches nothing decides nothing.
        values = data.getlist("ids") if hasattr(data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in values if row_id(v)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", _("Choose a reason for rejecting these comments."))
        if not cleaned.get("ids") and not cleaned.get("everything"):
            self.add_error("ids", _("Tick the comments to decide, or choose all matching."))
        return cleaned

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {error}" if name in self.fields else str(error)
            for name, errors in self.errors.items()
            for error in errors
        ]

    def summary(self, decided: int, conflicts: int) -> str:
        if self.cleaned_data["action"] == "reject":
            message = ngettext(
                "Rejected %(count)s comment.", "Rejected %(count)s comments.", decided
            )
        else:
            message = ngettext(
                "Approved %(count)s comment.", "Approved %(count)s comments.", decided
            )
        message %= {"count": number_format(decided)}
        if conflicts:
            message += " " + ngettext(
                "%(count)s was already decided by someone else and left as it is.",
                "%(count)s were already decided by someone else and left as they are.",
                conflicts,
            ) % {"count": number_format(conflicts)}
        return message


class AuditFilterForm(forms.Form):
    """Narrow the audit trail to one moderator (or the automatic policy) and/or one
    comment."""

    AUTOMATIC = "automatic"

    moderator = forms.ChoiceField(label=_("Moderator"), required=False)
    comment = RowIdField(label=_("Comment number"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Only people who have decided something are worth offering.
        deciders = (
            get_user_model()
            .objects.filter(pk__in=Decision.objects.values("moderator_id"))
            .order_by("username")
        )
        self.fields["moderator"].choices = [
            ("", _("Everyone")),
            (self.AUTOMATIC, _("Automatic")),
            *((str(user.pk), user.get_username()) for user in deciders),
        ]

    def filters(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {"moderator": cleaned.get("moderator") or "", "comment": cleaned.get("comment")}
