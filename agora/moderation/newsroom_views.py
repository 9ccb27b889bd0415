"""The pages of chief moderators: the newsroom's moderation settings, its desks, and every
change made to either (``agora.newsroom``, ``agora.desks.actions``); and how the engine's
decisions compare with the moderators' (``agora.comments.fitting``)."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.comments import fitting
from agora.comments.models import Reason
from agora.desks import actions as desk_actions
from agora.desks.models import Desk
from agora.guidelines.training import site_policy
from agora.guidelines.training.triage import UNSCORED, ReviewCause
from agora.moderation.access import manager_required
from agora.moderation.newsroom_forms import DeskForm, SettingsForm
from agora.newsroom import actions, knobs
from agora.newsroom.models import Change

CHANGES_PAGE_SIZE = 30


def shown(value) -> str:
    """A setting's value or a desk, as the page writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("On") if value else _("Off")
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, dict):
        parts = [
            value.get("name", ""),
            ", ".join(value.get("languages") or []) or _("every language"),
            ", ".join(value.get("sections") or []) or _("every section"),
            ", ".join(value.get("members") or []) or _("no moderators"),
        ]
        return " · ".join(parts)
    return str(value)


def changed(change: Change) -> str:
    """What a change was made to, as the page names it."""
    if change.subject == Change.DESK:
        return _("Desk: %(name)s") % {"name": change.name}
    knob = knobs.BY_NAME.get(change.name)
    return str(knob.label) if knob else change.name


def settings_page(request, *, form=None, desk_form=None, status=200):
    current = {knob.name: knobs.current(knob.name) for knob in knobs.KNOBS}
    form = form or SettingsForm(initial=current)
    page = Paginator(Change.objects.select_related("moderator"), CHANGES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    changes = [
        {
            "change": change,
            "what": changed(change),
            "old": shown(change.old),
            "new": shown(change.new),
        }
        for change in page.object_list
    ]
    fields = [
        {"field": form[knob.name], "knob": knob, "default": shown(knob.default())}
        for knob in knobs.KNOBS
    ]
    return render(
        request,
        "moderation/settings.html",
        {
            "fields": fields,
            "form": form,
            "desks": Desk.objects.prefetch_related("members"),
            "desk_form": desk_form or DeskForm(),
            "page": page,
            "changes": changes,
        },
        status=status,
    )


@manager_required
def settings(request):
    if request.method != "POST":
        return settings_page(request)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return settings_page(request, form=form, status=400)
    changed = actions.change_settings(request.user, form.cleaned_data)
    if changed:
        messages.success(request, _("Settings saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("moderation:settings")


def save_desk(request, form: DeskForm):
    """The desk in ``form`` stored, or None with the form's errors filled in."""
    if not form.is_valid():
        return None
    try:
        return desk_actions.save_desk(request.user, form.desk, **form.cleaned_data)
    except IntegrityError:  # another chief took the name meanwhile
        form.add_error("name", _("Another desk already has this name."))
        return None


@manager_required
@require_POST
def new_desk(request):
    form = DeskForm(request.POST)
    desk = save_desk(request, form)
    if desk is None:
        return settings_page(request, desk_form=form, status=400)
    messages.success(request, _("Desk %(name)s created.") % {"name": desk.name})
    return redirect("moderation:settings")


@manager_required
def desk(request, pk: int):
    chosen = get_object_or_404(Desk, pk=pk)
    form = DeskForm(request.POST or None, desk=chosen)
    if request.method == "POST":
        saved = save_desk(request, form)
        if saved is not None:
            messages.success(request, _("Desk %(name)s saved.") % {"name": saved.name})
            return redirect("moderation:settings")
    status = 400 if form.errors else 200
    return render(request, "moderation/desk.html", {"desk": chosen, "form": form}, status=status)


@manager_required
def engine(request):
    """The policy in force beside the moderators' latest decisions, per language."""
    agreement, older_model = fitting.recent_agreement()
    names = dict(django_settings.LANGUAGES)
    rows = []
    for lang, found in agreement.items():
        t, fit = found.triage, found.fit
        row = {
            "name": names.get(lang, lang),
            "approved": t.clean,
            "rejected": t.violating,
            "shares": [
                share(value)
                for value in (
                    t.clean_approved,
                    t.clean_rejected,
                    t.violating_approved,
                    t.violating_rejected,
                )
            ],
            "meets": t.meets(),
            "fitted": None,
            "causes": [_cause_row(cause, t.clean, t.violating) for cause in found.causes],
        }
        if fit.before is not None and fit.after is not None:
            row["fitted"] = {
                "approved": share(fit.after.clean_approved),
                "slipped": share(fit.after.violating_approved),
                "approved_now": share(fit.before.clean_approved),
                "slipped_now": share(fit.before.violating_approved),
            }
        rows.append(row)
    return render(
        request,
        "moderation/engine.html",
        {
            "rows": rows,
            "older_model": older_model,
            "recent": fitting.RECENT,
            "min_clean": site_policy.MIN_CLEAN,
            "min_violating": site_policy.MIN_VIOLATING,
        },
    )


def _cause_row(cause: ReviewCause, approved: int, rejected: int) -> dict[str, str | int]:
    """One cause of reviews as the engine page lists it: its guidelines by name, and its
    counts with their shares of the comments moderators approved or rejected."""
    names = [_("No score") if key == UNSCORED else str(Reason(key).label) for key in cause.cause]
    return {
        "names": ", ".join(names),
        "clean": cause.clean,
        "clean_share": share_of(cause.clean, approved),
        "alone": cause.clean_alone,
        "alone_share": share_of(cause.clean_alone, approved),
        "stops": cause.violating_alone,
        "stops_share": share_of(cause.violating_alone, rejected),
    }


def share_of(count: int, total: int) -> str:
    """:func:`share` of ``count`` in ``total`` ("—" for a share of nothing)."""
    return share(count / total if total else None)


def share(value: float | None) -> str:
    """A share as the page writes it: a percentage with one decimal, in the reader's
    number format (rounded here: Django's number format cuts the digits it drops)."""
    return "—" if value is None else f"{number_format(round(100 * value, 1), 1)}%"
