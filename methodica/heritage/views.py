"""The staff pages of the local-history collection, the BagIt downloads and /oai."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from methodica.accounts.throttle import client_ip
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.heritage import bags, oai, services
from methodica.heritage.access import can_view, staff_q
from methodica.heritage.forms import CollectionForm, DeleteForm, ItemForm, UploadForm
from methodica.heritage.models import Collection, Item, MasterFile, PreservationEvent
from methodica.libraries.models import District

PAGE_SIZE = 50
CATALOGUE = "heritage.item:catalogue"
PRESERVATION = "heritage.preservation:view"


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _district(user: Any, perm: str) -> District:
    district = District.objects.home_of(user)
    if district is None or not has_perm(user, perm, district):
        raise Http404
    return district


def _item(request: HttpRequest, pk: int) -> Item:
    """An item the user may see, or 404 (never telling that it exists)."""
    item = Item.objects.filter(pk=pk).first()
    if item is None or not can_view(request.user, item, client_ip(request)):
        raise Http404
    return item


def _catalogued_item(request: HttpRequest, pk: int) -> Item:
    item = Item.objects.live().filter(pk=pk).first()
    if item is None or not has_perm(request.user, CATALOGUE, item):
        raise Http404
    return item


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, CATALOGUE)
    items = (
        Item.objects.live()
        .filter(staff_q(request.user))
        .select_related("newspaper")
        .annotate(file_count=Count("files", filter=Q(files__replaced_by__isnull=True)))
    )
    chosen = {key: request.GET.get(key, "") for key in ("kind", "collection", "access")}
    if chosen["kind"] in Item.Kind.values:
        items = items.filter(kind=chosen["kind"])
    if chosen["access"] in Item.Access.values:
        items = items.filter(access=chosen["access"])
    if chosen["collection"].isdigit():
        items = items.filter(collections=int(chosen["collection"]))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": Paginator(items.order_by("title", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "chosen": chosen,
        "query": params.urlencode(),
        "fixity_failures": MasterFile.objects.filter(
            fixity_ok=False, item__in=Item.objects.filter(staff_q(request.user))
        ).count()
        if has_perm(request.user, "heritage.preservation:view")
        else 0,
        "kinds": Item.Kind.choices,
        "accesses": Item.Access.choices,
        "collections": Collection.objects.filter(
            district__in=District.objects.serving(request.user)
        ),
        "active_nav": "heritage",
    }
    return render(request, "heritage/item_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    district = _district(request.user, CATALOGUE)
    form = ItemForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(
                actor=request.user,
                district=district,
                identifier=form.cleaned_data["identifier"],
                values=form.values(),
                credits=form.credits(),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The item is described."))
            return redirect("heritage:item", item.pk)
    return render(
        request, "heritage/item_form.html", {"form": form, "active_nav": "heritage"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _catalogued_item(request, pk)
    form = ItemForm(request.POST or None, instance=item, district=item.district)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(
                actor=request.user,
                item=Item.objects.get(pk=item.pk),
                values=form.values(),
                credits=form.credits(),
                credit_roles=form.CREDIT_ROLES,
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("heritage:item", item.pk)
    context = {"form": form, "item": item, "active_nav": "heritage"}
    return render(request, "heritage/item_form.html", context)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    files = item.files.filter(replaced_by__isnull=True).order_by("order")
    show_log = has_perm(request.user, "heritage.preservation:view", item)
    context = {
        "item": item,
        "files": Paginator(files, 100).get_page(request.GET.get("page")),
        "credits": item.credits.select_related("authority"),
        "events": item.preservation_events.select_related("actor", "file")[:200]
        if show_log
        else None,
        "can_catalogue": has_perm(request.user, CATALOGUE, item),
        "can_export": show_log,
        "upload_form": UploadForm(),
        "active_nav": "heritage",
    }
    return render(request, "heritage/item_detail.html", context)


@login_required
@require_http_methods(["POST"])
def item_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = _catalogued_item(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_master_file(
                actor=request.user, item=item, stream=upload, name=upload.name
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("“%(name)s” is stored.") % {"name": upload.name}
            )
    else:
        messages.error(request, _("Choose a file to upload."))
    return redirect("heritage:item", item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _catalogued_item(request, pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_item(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The item is deleted."))
            return redirect("heritage:items")
    context = {"form": form, "item": item, "active_nav": "heritage"}
    return render(request, "heritage/item_delete.html", context)


def _bag_response(
    items: Any, label: str, request: HttpRequest, back: str
) -> HttpResponse:
    # FileResponse closes the spool (and so deletes it) when the response ends.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    base_url = request.build_absolute_uri("/").rstrip("/")
    try:
        bags.write_bag(items, spool, label=label, base_url=base_url)
    except DomainError as exc:
        spool.close()
        messages.error(request, exc.message)
        return redirect(back)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{label}.zip",
        content_type="application/zip",
    )


@login_required
@require_GET
def item_bag(request: HttpRequest, pk: int) -> HttpResponse:
    # A bag holds the preservation log (with staff names): preservation staff only.
    item = _item(request, pk)
    if not has_perm(request.user, PRESERVATION, item):
        raise Http404
    items = Item.objects.filter(pk=item.pk)
    back = reverse("heritage:item", args=[item.pk])
    return _bag_response(items, item.identifier, request, back)


@login_required
@require_GET
def collection_bag(request: HttpRequest, pk: int) -> HttpResponse:
    collection = Collection.objects.filter(pk=pk).first()
    if collection is None or not has_perm(request.user, PRESERVATION, collection):
        raise Http404
    # The collection with its series; only what this user may see goes in.
    items = (
        Item.objects.viewable(request.user, client_ip(request))
        .filter(collections__in=services.descendant_ids(collection))
        .distinct()
    )
    return _bag_response(
        items.order_by("identifier"),
        collection.set_spec,
        request,
        reverse("heritage:collections"),
    )


@login_required
@require_GET
def collection_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "heritage.collection:manage")
    collections = (
        Collection.objects.filter(district__in=District.objects.serving(request.user))
        .select_related("parent")
        .annotate(item_count=Count("items", filter=Q(items__deleted_at__isnull=True)))
        .order_by("title")
    )
    context = {
        "collections": collections,
        "can_export": has_perm(request.user, PRESERVATION),
        "active_nav": "heritage",
    }
    return render(request, "heritage/collection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    district = _district(request.user, "heritage.collection:manage")
    collection = None
    if pk is not None:
        collection = Collection.objects.filter(pk=pk, district=district).first()
        if collection is None:
            raise Http404
    form = CollectionForm(request.POST or None, instance=collection, district=district)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if collection is None:
                services.create_collection(
                    actor=request.user, district=district, values=values
                )
            else:
                services.update_collection(
                    actor=request.user,
                    collection=Collection.objects.get(pk=collection.pk),
                    values=values,
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The collection is saved."))
            return redirect("heritage:collections")
    context = {"form": form, "collection": collection, "active_nav": "heritage"}
    return render(request, "heritage/collection_form.html", context)


@login_required
@require_GET
def preservation(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "heritage.preservation:view")
    masters = MasterFile.objects.filter(
        item__in=Item.objects.filter(staff_q(request.user))
    )
    failures = (
        masters.filter(fixity_ok=False).select_related("item").order_by("item__title")
    )
    context = {
        "failures": failures,
        "totals": masters.aggregate(count=Count("pk"), bytes=Sum("size")),
        "by_kind": masters.values("item__kind")
        .annotate(count=Count("pk"), bytes=Sum("size"))
        .order_by("item__kind"),
        "by_collection": masters.values("item__collections__title")
        .annotate(count=Count("pk"), bytes=Sum("size"))
        .order_by("item__collections__title"),
        "never_checked": masters.filter(last_fixity_at__isnull=True).count(),
        "recent": PreservationEvent.objects.filter(
            item__in=Item.objects.filter(staff_q(request.user))
        ).select_related("item", "actor", "file")[:50],
        "kinds": dict(Item.Kind.choices),
        "active_nav": "heritage",
    }
    return render(request, "heritage/preservation.html", context)


@csrf_exempt  # OAI-PMH harvesters POST without a session; the endpoint writes nothing
@require_http_methods(["GET", "POST"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    body = oai.Request(
        {key: params.getlist(key) for key in params},
        request.build_absolute_uri(request.path),
    ).respond()
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
