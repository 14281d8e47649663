"""IIIF Content Search 2.0 inside one item: the boxes of the words that match.

When ``methodica.heritage.search`` offers ``page_hits(page, query)`` (the
morphological search, written alongside this module) its boxes are used; until then,
and for any page it cannot judge, a word matches when its lowercased form in modern
spelling equals a query word's, or starts with it (a light stand-in for stemming).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from methodica.heritage import orthography
from methodica.heritage.models import Page

CONTEXT = "http://iiif.io/api/search/2/context.json"
MAX_HITS = 1000
_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def _form(word: str) -> str:
    return orthography.normalise(_PUNCTUATION.sub("", word).lower())


def query_terms(query: str) -> list[str]:
    return [form for form in (_form(part) for part in query.split()) if form]


def _simple_hits(page: Any, terms: list[str]) -> list[tuple[int, int, int, int]]:
    boxes = []
    for entry in page.words or []:
        word, x0, y0, x1, y1 = entry[:5]
        form = _form(str(word))
        if form and any(
            form == t or (len(t) > 3 and form.startswith(t)) for t in terms
        ):
            boxes.append((int(x0), int(y0), int(x1), int(y1)))
    return boxes


def _search_module() -> Any:
    try:
        return importlib.import_module("methodica.heritage.search")
    except ImportError:
        return None


def _page_hits_function() -> Any:
    # search.py was written alongside this module; guard against an older one.
    return getattr(_search_module(), "page_hits", None)


def page_boxes(page: Any, query: str) -> list[tuple[int, int, int, int]]:
    """``[(x0, y0, x1, y1)]`` of the hits of ``query`` on ``page``, in image pixels."""
    hits = _page_hits_function()
    if hits is not None:
        found = hits(page, query)
        return [
            (int(box[-4]), int(box[-3]), int(box[-2]), int(box[-1])) for box in found
        ]
    return _simple_hits(page, query_terms(query))


def search(pages: Iterable[Any], query: str, canvas_id: Any, base_id: str) -> dict:
    """The AnnotationPage answering ``query`` over ``pages``."""
    annotations: list[dict[str, Any]] = []
    for page in pages:
        for x0, y0, x1, y1 in page_boxes(page, query):
            annotations.append(
                {
                    "id": f"{base_id}/hit/{page.pk}/{len(annotations)}",
                    "type": "Annotation",
                    "motivation": "highlighting",
                    "target": f"{canvas_id(page)}#xywh={x0},{y0},"
                    f"{max(1, x1 - x0)},{max(1, y1 - y0)}",
                }
            )
            if len(annotations) >= MAX_HITS:
                break
        if len(annotations) >= MAX_HITS:
            break
    return {
        "@context": CONTEXT,
        "id": base_id,
        "type": "AnnotationPage",
        "items": annotations,
    }


def pages_with_words(item: Any, query: str = "") -> Any:
    """The item's pages that may hold hits of ``query``.

    Pages already indexed are first matched against their search vector (the GIN
    index), so that page_hits, one query a page, runs only where there are hits;
    pages not indexed yet are all looked at.
    """
    pages = (
        Page.objects.current()
        .filter(item=item)
        .exclude(words=[])
        .only("pk", "words", "text", "item_id")
        .order_by("order", "pk")
    )
    search = _search_module()
    configs = getattr(search, "QUERY_CONFIGS", None)
    normalise = getattr(search, "normalise_query", None)
    if query and configs and normalise:
        tsquery = " || ".join(
            "websearch_to_tsquery(%s::regconfig, %s)" for _ in configs
        )
        params: list[str] = []
        for config in configs:
            params += [config, normalise(query)]
        # Constant SQL: the configurations and the query are parameters.
        pages = pages.alias(
            candidate=RawSQL(  # noqa: S611
                "heritage_page.search_vector IS NULL OR "
                f"heritage_page.search_vector @@ ({tsquery})",
                params,
                output_field=BooleanField(),
            )
        ).filter(candidate=True)
    return pages
