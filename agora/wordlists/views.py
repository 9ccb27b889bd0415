"""The word lists in the moderator pages: read them, add and remove terms (chief
moderators), and read every change made to them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agora.moderation.access import manager_required
from agora.wordlists import actions
from agora.wordlists.forms import ListFilterForm, TermForm
from agora.wordlists.models import Term, TermChange

CHANGES_PAGE_SIZE = 50


@manager_required
def lists(request):
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = actions.add_term(request.user, **form.cleaned_data)
        except actions.ListError as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(request, _("Added %(term)s.") % {"term": term.text})
            return redirect(request.get_full_path())
    shown = ListFilterForm(request.GET or None)
    terms = Term.objects.select_related("added_by")
    if shown.is_valid() and shown.cleaned_data["language"]:
        terms = terms.filter(language__in=["", shown.cleaned_data["language"]])
    status = 400 if form.errors else 200
    return render(
        request,
        "wordlists/lists.html",
        {"form": form, "filter": shown, "terms": terms},
        status=status,
    )


@manager_required
@require_POST
def remove(request, pk: int):
    term = get_object_or_404(Term, pk=pk)
    actions.remove_term(request.user, term)
    messages.success(request, _("Removed %(term)s.") % {"term": term.text})
    return redirect("wordlists:lists")


@manager_required
def changes(request):
    page = Paginator(TermChange.objects.select_related("moderator"), CHANGES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "wordlists/changes.html", {"page": page})
