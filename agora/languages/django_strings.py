"""Django's own messages that Agora's readers and moderators meet, repeated here so
that ``make messages`` puts them in Agora's catalogues.

Django ships Arabic, Turkish, Persian and Sorani translations of these, but no
Kurmanji, so only the kmr catalogue fills them in (an empty translation in the
other catalogues leaves Django's own in use). Never imported: gettext reads it.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy, npgettext_lazy

# Form validation (the comment form, the moderator's forms and login).
FORMS = [
    gettext_lazy("This field is required."),
    gettext_lazy("Enter a valid email address."),
    gettext_lazy("Enter a valid value."),
    gettext_lazy("Enter a whole number."),
    gettext_lazy("Enter a valid URL."),
    gettext_lazy("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    gettext_lazy("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_lazy("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_lazy("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_lazy("Select a valid choice. That choice is not one of the available choices."),
    gettext_lazy("Null characters are not allowed."),
    gettext_lazy("username"),
    gettext_lazy("Password"),
    gettext_lazy(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_lazy("This account is inactive."),
]

# Dates: month names (the "F" of Kurmanji DATE_FORMAT) and the 12-hour clock.
DATES = [
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
    gettext_lazy("a.m."),
    gettext_lazy("p.m."),
    gettext_lazy("AM"),
    gettext_lazy("PM"),
    gettext_lazy("noon"),
    gettext_lazy("midnight"),
]

# "3 minutes ago" in the moderation queue (django.contrib.humanize's naturaltime).
NATURAL_TIME = [
    gettext_lazy("now"),
    gettext_lazy("%(delta)s ago"),
    ngettext_lazy("a second ago", "%(count)s seconds ago", "count"),
    ngettext_lazy("a minute ago", "%(count)s minutes ago", "count"),
    ngettext_lazy("an hour ago", "%(count)s hours ago", "count"),
    npgettext_lazy("naturaltime-past", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d minute", "%(num)d minutes", "num"),
    gettext_lazy(", "),
]
