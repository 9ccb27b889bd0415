from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agora.wordlists.models import GUIDELINE_CHOICES, TERM_MAX_LENGTH, Kind

LIST_LANGUAGES = [("", _("All languages")), *settings.LANGUAGES]


class TermForm(forms.Form):
    """A term to add to one list: its language (or all), kind and guideline."""

    language = forms.ChoiceField(label=_("Language"), choices=LIST_LANGUAGES, required=False)
    kind = forms.ChoiceField(label=_("List"), choices=Kind.choices)
    guideline = forms.ChoiceField(
        label=_("Guideline (banned and suspect terms)"),
        choices=[("", "—"), *GUIDELINE_CHOICES],
        required=False,
    )
    text = forms.CharField(label=_("Word or phrase"), max_length=TERM_MAX_LENGTH)


class ListFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LIST_LANGUAGES, required=False)
