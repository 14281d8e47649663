"""The public search page: a box, facets with counts, ranked results with snippets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control

from methodica.accounts.throttle import client_ip
from methodica.heritage import search, textsearch_setup
from methodica.heritage.access import staff_q

SORTS = ("relevance", "date", "-date", "title")


def _item_url(item_pk: int, page_order: int | None, query: str) -> str:
    try:
        base = reverse("heritage:public_item", args=[item_pk])
    except NoReverseMatch:  # the portal's page is not there yet: the staff page
        base = reverse("heritage:item", args=[item_pk])
    params: dict[str, str | int] = {"q": query} if query else {}
    if page_order is not None:
        params = {"page": page_order, **params}
    return f"{base}?{urlencode(params)}" if params else base


@cache_control(private=True)
def search_page(request: HttpRequest) -> HttpResponse:
    """``/heritage/search/?q=…&kind=…``: open to everyone; access decides the hits."""
    query = request.GET.get("q", "").strip()[:200]
    facets = {name: request.GET.getlist(name) for name in search.FACETS}
    sort = request.GET.get("sort", "relevance")
    try:
        number = int(request.GET.get("p", "1"))
    except ValueError:
        number = 1
    results = search.search(
        query,
        user=request.user,
        ip=client_ip(request),
        facets=facets,
        page=number,
        sort=sort if sort in SORTS else "relevance",
    )
    for hit in results.hits:
        best = hit.best_page
        hit.url = _item_url(hit.item.pk, best.order if best else None, query)
    is_staff = staff_q(request.user) != Q(pk__in=[])
    params = [(k, v) for k in request.GET for v in request.GET.getlist(k) if k != "p"]
    return render(
        request,
        "heritage/search.html",
        {
            "query": query,
            "results": results,
            "sort": sort,
            "sorts": SORTS,
            "base_query": urlencode(params),
            "no_stemming": is_staff
            and not textsearch_setup.has_bulgarian_stemming(connection),
        },
    )
