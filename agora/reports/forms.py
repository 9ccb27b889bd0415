from django import forms
from django.utils.translation import gettext_lazy as _

from agora.comments.validators import validate_characters
from agora.reports.actions import NewReport
from agora.reports.models import (
    EXPLANATION_MAX_LENGTH,
    ILLEGAL,
    LAW_MAX_LENGTH,
    REPORT_REASONS,
)


class ReportForm(forms.Form):
    """What a reader sends to report a comment; the page, the embed and the API all
    validate with it."""

    reason = forms.ChoiceField(
        label=_("Why should this comment not be published?"),
        choices=REPORT_REASONS,
        widget=forms.RadioSelect,
    )
    law = forms.CharField(
        label=_("Which law or ground does it break?"),
        help_text=_("For illegal content: the law, article or legal ground, as you know it."),
        max_length=LAW_MAX_LENGTH,
        required=False,
        strip=True,
        validators=[validate_characters],
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        help_text=_("What is wrong with it. Required for illegal content."),
        max_length=EXPLANATION_MAX_LENGTH,
        required=False,
        strip=True,
        validators=[validate_characters],
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        help_text=_("We send the moderators' answer here; never shown to anyone else."),
        max_length=254,
        validators=[validate_characters],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ILLEGAL:
            if not cleaned.get("law"):
                self.add_error("law", _("Name the law or ground the comment breaks."))
            if not cleaned.get("explanation"):
                self.add_error("explanation", _("Explain why the comment is illegal."))
        return cleaned

    def new_report(self) -> NewReport:
        data = self.cleaned_data
        illegal = data["reason"] == ILLEGAL
        return NewReport(
            reason=data["reason"],
            email=data["email"],
            explanation=data["explanation"],
            law=data["law"] if illegal else "",
        )
