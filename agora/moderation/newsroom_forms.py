"""What a chief moderator submits on the settings page: the newsroom's settings, and a
desk (new or changed)."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agora.desks.models import Desk
from agora.desks.roles import deciders
from agora.newsroom.knobs import KNOBS

# A section is one path segment of the article's address ("sport" in /sport/...).
SECTION = re.compile(r"[\w.~-]+")


class SettingsForm(forms.Form):
    """One field per setting (``agora.newsroom.knobs.KNOBS``), with its bounds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for knob in KNOBS:
            if knob.is_switch:
                field: forms.Field = forms.BooleanField(required=False)
            else:
                field = forms.IntegerField(min_value=knob.minimum, max_value=knob.maximum)
            field.label, field.help_text = knob.label, knob.help
            self.fields[knob.name] = field


class SectionsField(forms.CharField):
    """Sections as the moderator types them, separated by commas or spaces."""

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        sections = [part.strip("/") for part in re.split(r"[,\s]+", text) if part.strip("/")]
        wrong = [section for section in sections if not SECTION.fullmatch(section)]
        if wrong:
            raise forms.ValidationError(
                _("A section is one part of an article's address, without slashes: %(wrong)s."),
                params={"wrong": ", ".join(wrong)},
            )
        return list(dict.fromkeys(sections))

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class DeskForm(forms.Form):
    name = forms.CharField(label=_("Desk name"), max_length=80)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every language."),
    )
    sections = SectionsField(
        label=_("Sections"),
        required=False,
        max_length=500,
        help_text=_("Parts of the articles' addresses, such as sport, economy. Empty: all."),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Moderators"),
        queryset=deciders(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, desk: Desk | None = None, **kwargs):
        self.desk = desk
        if desk is not None and data is None:
            kwargs["initial"] = {
                "name": desk.name,
                "languages": desk.languages,
                "sections": desk.sections,
                "members": list(desk.members.all()),
            }
        super().__init__(data, **kwargs)
        # Evaluated per form, so a moderator added since the server started is offered.
        self.fields["members"].queryset = deciders()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Desk.objects.filter(name=name)
        if self.desk is not None:
            taken = taken.exclude(pk=self.desk.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another desk already has this name."))
        return name
