from django import forms
from django.utils.translation import gettext_lazy as _

from agora.commenters import actions
from agora.commenters.actions import MAX_SUSPENSION_DAYS
from agora.commenters.models import REASON_MAX_LENGTH, Measure


class CommenterActionForm(forms.Form):
    """A moderator takes or lifts a measure on a commenter."""

    email = forms.EmailField(max_length=254, widget=forms.HiddenInput)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    lift = forms.BooleanField(required=False, widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=_("Days (for a suspension)"),
        min_value=1,
        max_value=MAX_SUSPENSION_DAYS,
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, strip=True)

    def clean(self):
        cleaned = super().clean()
        taking_suspension = cleaned.get("measure") == Measure.SUSPEND and not cleaned.get("lift")
        if taking_suspension and not cleaned.get("days"):
            self.add_error("days", _("Say for how many days the commenter is suspended."))
        return cleaned

    def carry_out(self, moderator):
        """Take or lift the measure (raises ``actions.CommenterError`` if it cannot be)."""
        data = self.cleaned_data
        if data["lift"]:
            return actions.lift(data["email"], data["measure"], moderator, data["reason"])
        return actions.take(
            data["email"], data["measure"], moderator, data["reason"], days=data["days"]
        )
