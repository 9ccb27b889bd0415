import hashlib
from contextlib import AbstractContextManager
from functools import partial

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from agora.comments import overrules
from agora.comments.actions import NewComment
from agora.comments.models import (
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    NAME_MAX_LENGTH,
    Comment,
    Status,
    email_key,
)
from agora.comments.validators import validate_characters
from agora.protection import honeypot
from agora.protection.posting import Posting, guard_posting


class CommentForm(forms.Form):
    """What a reader submits. The HTML form and the JSON API both validate with it,
    so a rule about acceptable input is written once."""

    author_name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        strip=True,
        validators=[validate_characters],
        # dir="auto" lets a name typed in Arabic script sit right on a left-to-right page.
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    author_email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=[validate_characters],
        help_text=_("Required, never shown to anyone but the moderators."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    body = forms.CharField(
        label=_("Comment"),
        min_length=BODY_MIN_LENGTH,
        max_length=BODY_MAX_LENGTH,
        strip=True,
        validators=[validate_characters],
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        # The approved top-level comment a valid reply attaches to (set by clean_parent_id).
        self.parent = None
        # Empty on the API, whose bodies accept only the fields above.
        self.fields[honeypot.field_name()] = honeypot.TrapField()

    def clean_parent_id(self):
        parent_id = self.cleaned_data.get("parent_id")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.filter(pk=parent_id, article=self.article, status=Status.APPROVED)
            .select_related("parent")
            .only("id", "parent_id", "parent__id", "parent__parent_id")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(_("The comment you are replying to does not exist."))
        # Replies are one level deep: answering a reply answers its thread.
        self.parent = parent.parent or parent
        return self.parent.id

    def clean(self):
        cleaned = super().clean()
        if not self.article.accepts_comments:
            raise forms.ValidationError(_("Comments are closed on this article."), code="closed")
        return cleaned

    def new_comment(self, idempotency_key: str | None = None) -> NewComment:
        """The validated submission, ready for ``actions.post_comment``."""
        data = self.cleaned_data
        return NewComment(
            article=self.article,
            author_name=data["author_name"],
            author_email=data["author_email"],
            body=data["body"],
            parent=self.parent,
            idempotency_key=idempotency_key,
        )

    def guard(self, ip: str) -> AbstractContextManager:
        """The guard ``actions.post_comment`` enters before storing this valid submission,
        sent from address ``ip`` (agora.protection.posting)."""
        data = self.cleaned_data
        key = email_key(data["author_email"])
        return guard_posting(
            Posting(
                ip=ip,
                email_key=key,
                body=data["body"],
                trap_filled=data[honeypot.field_name()],
                sent_since=partial(Comment.objects.sent_since, key),
                barred=partial(overrules.refusal, data["author_email"]),
            )
        )


# What a reader is told when the form they sent cannot be taken as it is: nothing was
# stored, and sending it again (their words are kept) will do.
EXPIRED = _("This form has expired. Please send your comment again.")


class CommentPageForm(CommentForm):
    """The article page's form: CommentForm plus a per-view token against double submits.

    Each view of the page has a fresh random token (made by article.js on the page every
    anonymous reader shares, by the server on a page sent to one reader); a
    double-clicked or re-sent submission repeats the token and is stored once.
    """

    idempotency_token = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,64}$", EXPIRED)],
    )

    def idempotency_key(self) -> str:
        """The key under which this submission is stored.

        The key covers the content as well as the token: a reader who goes back
        after posting, changes the text and sends the old page again has written
        a new comment, and it must not be swallowed as a duplicate of the first.
        Without a token (the shared page, read without JavaScript) the content alone
        is the key: the same words by the same reader under the same comment are
        stored once, however often they are sent.
        """
        token = self.cleaned_data.get("idempotency_token") or "content"
        new = self.new_comment()
        content = "\x1f".join(
            [
                str(new.article.pk),
                str(new.parent.pk if new.parent else ""),
                new.author_name,
                new.author_email,
                new.body,
            ]
        )
        digest = hashlib.sha256(content.encode()).hexdigest()[:32]
        return f"page:{token}:{digest}"
