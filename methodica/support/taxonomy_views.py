"""Editing the consultation topics and the visit checklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.support import services
from methodica.support.forms import TaxonomyEntryForm
from methodica.support.models import ChecklistItem, Topic
from methodica.support.views import district_or_404, form_error

KINDS: dict[str, type[Topic] | type[ChecklistItem]] = {
    "topics": Topic,
    "checklist": ChecklistItem,
}


@login_required
@require_http_methods(["GET", "POST"])
def taxonomy(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """The list of entries of one taxonomy, with a form to add or edit one."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    district = district_or_404(request.user)
    require_perm(request.user, "support.taxonomy:manage", district)
    services.ensure_defaults(district)
    entries = model.objects.filter(district=district)
    entry = None
    if pk is not None:
        entry = entries.filter(pk=pk).first()
        if entry is None:
            raise Http404
    initial = (
        TaxonomyEntryForm.initial_for(entry)
        if entry
        else {"position": entries.count() + 1, "active": True}
    )
    form = TaxonomyEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_taxonomy_entry(
                actor=request.user,
                district=district,
                model=model,
                entry=entry,
                code=form.cleaned_data["code"],
                names=form.names(),
                position=form.cleaned_data["position"],
                active=form.cleaned_data["active"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("support:taxonomy", kind=kind)
    title = _("Consultation topics") if model is Topic else _("Visit checklist")
    return render(
        request,
        "support/taxonomy.html",
        {
            "kind": kind,
            "title": title,
            "entries": entries,
            "entry": entry,
            "form": form,
            "active_nav": "help",
        },
    )
