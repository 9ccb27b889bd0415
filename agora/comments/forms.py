from django import forms
from django.utils.translation import gettext_lazy as _

from agora.comments.models import BODY_MAX_LENGTH, BODY_MIN_LENGTH, NAME_MAX_LENGTH, Comment, Status


class CommentForm(forms.Form):
    """What a reader submits. The HTML form and the JSON API both validate with it,
    so a rule about acceptable input is written once."""

    author_name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, strip=True)
    author_email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Required, never shown to anyone but the moderators."),
    )
    body = forms.CharField(
        label=_("Comment"),
        min_length=BODY_MIN_LENGTH,
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean_parent_id(self):
        parent_id = self.cleaned_data.get("parent_id")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.filter(pk=parent_id, article=self.article, status=Status.APPROVED)
            .only("id", "parent_id")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(_("The comment you are replying to does not exist."))
        # Replies are one level deep: answering a reply answers its thread.
        return parent.parent_id or parent.id
