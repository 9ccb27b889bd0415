"""What a moderator submits: queue filters (GET) and a decision on one comment (POST)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from agora.api.schemas import MAX_ID
from agora.articles.models import Article
from agora.comments.models import Comment, Decision, Reason, Status

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


class Sort:
    OLDEST = "oldest"
    RISKIEST = "riskiest"
    CLEAN = "clean"
    CHOICES = [
        (OLDEST, _("Oldest first")),
        (RISKIEST, _("Riskiest first")),
        (CLEAN, _("Clean first")),
    ]


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

    def filters(self) -> dict:
        """The valid choices, with defaults for the empty or invalid ones."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "status": cleaned.get("status") or Status.PENDING,
            "article": cleaned.get("article"),
            "lang": cleaned.get("lang") or "",
            "guideline": cleaned.get("guideline") or "",
            "sort": cleaned.get("sort") or Sort.OLDEST,
        }


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
