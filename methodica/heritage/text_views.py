"""Pages' processing status, re-run OCR, and the OCR correction pages.

Everything of a page goes through :func:`can_view` first (404, never telling that
a restricted item exists), and the status and correction pages need
``heritage.item:catalogue`` on the item as well.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.accounts.throttle import client_ip
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm
from methodica.heritage import ocr_pipeline
from methodica.heritage.access import can_view
from methodica.heritage.models import Item, Page

CATALOGUE = "heritage.item:catalogue"
PAGES_PER_SCREEN = 100
UNFINISHED = [Page.Status.PENDING, Page.Status.RUNNING]


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the page"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
    )
    note = forms.CharField(
        label=gettext_lazy("What you corrected (optional)"),
        required=False,
        max_length=300,
    )


def _item(request: HttpRequest, pk: int) -> Item:
    item = Item.objects.filter(pk=pk).first()
    if item is None or not can_view(request.user, item, client_ip(request)):
        raise Http404
    if not has_perm(request.user, CATALOGUE, item):
        raise Http404
    return item


def _page(request: HttpRequest, pk: int, *, catalogue: bool = True) -> Page:
    page = Page.objects.select_related("item", "master").filter(pk=pk).first()
    if page is None or not can_view(request.user, page.item, client_ip(request)):
        raise Http404
    if catalogue and not has_perm(request.user, CATALOGUE, page.item):
        raise Http404
    return page


def _counts(item: Item) -> dict[str, int]:
    def count(field: str, *statuses: Any) -> Count:
        return Count("pk", filter=Q(**{f"{field}__in": statuses}))

    return (
        Page.objects.current()
        .filter(item=item)
        .aggregate(
            total=Count("pk"),
            images_done=count("derivatives_status", Page.Status.DONE),
            images_failed=count("derivatives_status", Page.Status.FAILED),
            images_waiting=count("derivatives_status", *UNFINISHED),
            text_done=count("ocr_status", Page.Status.DONE, Page.Status.SKIPPED),
            text_problems=count("ocr_status", Page.Status.FAILED, Page.Status.EMPTY),
            text_waiting=count("ocr_status", *UNFINISHED),
            rerunnable=count("ocr_status", *ocr_pipeline.RERUN_STATUSES),
        )
    )


@login_required
@require_GET
def item_pages(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-page status table; htmx polls it while anything is unfinished."""
    item = _item(request, pk)
    counts = _counts(item)
    finished = counts["total"] * 2 - counts["images_waiting"] - counts["text_waiting"]
    pages = Page.objects.current().filter(item=item).order_by("order")
    context = {
        "item": item,
        "counts": counts,
        "finished": finished,
        "steps": counts["total"] * 2,
        "pending": counts["images_waiting"] + counts["text_waiting"] > 0,
        "pages": Paginator(pages, PAGES_PER_SCREEN).get_page(request.GET.get("page")),
    }
    if request.headers.get("HX-Request"):
        return render(request, "heritage/text_pages_status.html", context)
    return render(request, "heritage/text_pages.html", context)


@login_required
@require_POST
def item_rerun_ocr(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        count = ocr_pipeline.rerun_ocr(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s page will be read again.",
                "%(count)s pages will be read again.",
                count,
            )
            % {"count": count},
        )
    return redirect("heritage:item", item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def page_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The page image beside its text; saving makes a corrected revision."""
    page = _page(request, pk)
    form = CorrectionForm(request.POST or None, initial={"text": page.text})
    if request.method == "POST" and form.is_valid():
        try:
            ocr_pipeline.correct_page_text(
                actor=request.user,
                page=page,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            messages.success(request, _("The corrected text is saved."))
            return redirect("heritage:page_text", page.pk)
    revisions = page.revisions.select_related("author")[:200]
    context = {"page": page, "item": page.item, "form": form, "revisions": revisions}
    return render(request, "heritage/text_correct.html", context)


@login_required
@require_GET
def page_text_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two revisions of the page's text (?a=older&b=newer)."""
    page = _page(request, pk)
    try:
        ids = [int(request.GET.get(name, "")) for name in ("a", "b")]
    except ValueError:
        raise Http404 from None
    found = {rev.pk: rev for rev in page.revisions.filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise Http404
    older, newer = sorted((found[ids[0]], found[ids[1]]), key=lambda r: r.created_at)
    context = {
        "page": page,
        "item": page.item,
        "older": older,
        "newer": newer,
        "lines": ocr_pipeline.revision_diff(older, newer),
    }
    return render(request, "heritage/text_diff.html", context)


@login_required
@require_POST
def page_text_restore(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    page = _page(request, pk)
    old = page.revisions.filter(pk=revision).first()
    if old is None:
        raise Http404
    try:
        ocr_pipeline.restore_revision(actor=request.user, revision=old)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The earlier text is current again."))
    return redirect("heritage:page_text", page.pk)


@require_GET
def page_image(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """A page's derivative (``full`` or ``thumbnail``) for anyone who may see it."""
    page = _page(request, pk, catalogue=False)
    field = {"full": page.image, "thumbnail": page.thumbnail}.get(kind)
    if field is None or not field.name:
        raise Http404
    try:
        stored = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
