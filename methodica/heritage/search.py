"""Full-text search of the collection: indexing, querying, facets, snippets, boxes.

Texts are indexed in modern spelling (:func:`orthography.normalise`, plus the
я-reading of old yat words) with the configuration of the item's language:
Bulgarian ``bg`` (Hunspell, then ``simple``), Russian ``russian``, anything else
``simple``; an item in several languages gets the vectors of each, concatenated.
The query is normalised the same way and parsed with every configuration, OR-ed,
so that one query finds Bulgarian and Russian records alike.

Access: every query starts from ``Item.objects.viewable(user, ip)``; pages, snippets
and facet counts are computed only over those items, so restricted text never
leaks into results, snippets or counts.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from methodica.core.permissions import has_perm
from methodica.heritage.access import RESTRICTED
from methodica.heritage.models import Item, Page, open_collection_specs

try:
    from methodica.heritage.orthography import normalise as _normalise
    from methodica.heritage.orthography import yat_variant as _yat_variant
except ImportError:  # pragma: no cover - the module is part of the app

    def _normalise(text: str) -> str:
        return text

    def _yat_variant(text: str) -> str:
        return ""


LANGUAGE_CONFIGS = {"bul": "bg", "rus": "russian"}
QUERY_CONFIGS = ("bg", "russian", "simple")
PAGE_SIZE = 20
BEST_PAGES = 3
FACETS = ("kind", "period", "place", "person", "subject", "collection", "language")
# Private-use characters as ts_headline's marks: removed from the text first, so
# the only ones in the headline are PostgreSQL's, replaced after escaping.
_START, _STOP = "\ue000", "\ue001"
_HEADLINE = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# The item's metadata weighs more than the text of one of its pages. The pages
# count by how many match (log-scaled), not by ts_rank_cd: a common word matches
# most pages of a big collection, and ranking each of them reads every vector
# (seconds at 100,000 pages); the best pages of the items shown are ranked by
# ts_rank_cd afterwards.
_METADATA_WEIGHT = 2.0
_PAGES_WEIGHT = 0.1
# A word in most pages (a function word) would make PostgreSQL read every page's
# vector; the matching pages are taken up to this many, so such a query costs the
# same at any size, and its counts are then lower bounds ("at least").
PAGE_MATCH_CAP = 5_000


def configs_for(languages: Iterable[str] | None) -> list[str]:
    """Text-search configurations for an item's languages (``bg`` when none given:
    the collection is a Bulgarian library's)."""
    configs = []
    for code in languages or ["bul"]:
        config = LANGUAGE_CONFIGS.get(code, "simple")
        if config not in configs:
            configs.append(config)
    return configs


def searchable_text(text: str) -> str:
    """The text as indexed: modern spelling, plus the я-reading of yat words."""
    text = text.replace(_START, " ").replace(_STOP, " ")
    variant = _yat_variant(text)
    normal = _normalise(text)
    return f"{normal} {variant}" if variant else normal


def _vector(text: str, configs: list[str], weight: str | None = None) -> Any:
    vector = None
    for config in configs:
        part = SearchVector(Value(text), config=config, weight=weight)
        vector = part if vector is None else vector + part
    return vector


# --- indexing ---------------------------------------------------------------


def index_page(page: Page) -> None:
    """Rebuild the page's vector from its text (called when the text changes)."""
    configs = configs_for(
        Item.objects.filter(pk=page.item_id).values_list("languages", flat=True).first()
    )
    text = searchable_text(page.text or "")
    Page.objects.filter(pk=page.pk).update(search_vector=_vector(text, configs))


def _metadata(item: Item) -> tuple[str, str, str]:
    names = [credit.authority.name for credit in item.credits.all()]
    names += [
        variant
        for credit in item.credits.all()
        for variant in credit.authority.variants or []
    ]
    subjects = [subject.term for subject in item.subjects.all()]
    places = [place.name for place in item.places.all()]
    title = " ".join(filter(None, [item.title, item.alternative]))
    if item.newspaper_id:
        title = f"{title} {item.newspaper.name}"
    middle = " ".join([*names, *subjects, *places, item.publisher])
    return title, middle, item.description


def index_item(item: Item) -> None:
    """Rebuild the item's metadata vector: title A, people/subjects/places B,
    description C."""
    item = (
        Item.objects.select_related("newspaper")
        .prefetch_related("credits__authority", "subjects", "places")
        .get(pk=item.pk)
    )
    configs = configs_for(item.languages)
    title, middle, description = (searchable_text(part) for part in _metadata(item))
    vector = (
        _vector(title, configs, "A")
        + _vector(middle, configs, "B")
        + _vector(description, configs, "C")
    )
    Item.objects.filter(pk=item.pk).update(search_vector=vector)


def index_item_pages(item: Item) -> None:
    """Re-index the item and its pages (its language decides their configuration)."""
    index_item(item)
    for page in Page.objects.filter(item=item).only("pk", "item_id", "text"):
        index_page(page)


def reindex(queryset: QuerySet[Item], *, chunk: int = 500) -> int:
    """Re-index the items of ``queryset`` and all their pages; returns the count."""
    count = 0
    for item in queryset.only("pk").iterator(chunk_size=chunk):
        index_item_pages(item)
        count += 1
    return count


def on_page_text_changed(sender: Any = None, page: Any = None, **kwargs: Any) -> None:
    """Receiver of ``ocr_pipeline.page_text_changed``: the page's text is new."""
    if page is None and "page_id" in kwargs:
        page = Page.objects.filter(pk=kwargs["page_id"]).first()
    if page is not None:
        index_page(page)


def index_item_on_commit(pk: int, *, pages: bool = False) -> None:
    """What the services call after commit: re-index an item (and its pages)."""
    item = Item.objects.filter(pk=pk).first()
    if item is not None:
        (index_item_pages if pages else index_item)(item)


# --- querying ---------------------------------------------------------------


def normalise_query(query: str) -> str:
    return searchable_text((query or "").strip())[:500]


def _tsquery_sql() -> str:
    """The query parsed with every configuration, OR-ed: what the GIN index finds."""
    return " || ".join(
        f"websearch_to_tsquery('{config}'::regconfig, %(q)s)"
        for config in QUERY_CONFIGS
    )


def _tsq() -> str:
    # Inline, not from a CTE: a stable expression of constants, so the planner can
    # use it as the condition of a GIN index scan.
    return f"({_tsquery_sql()})"


_NEGATION = re.compile(r"(^|\s)-\S")

# Which configurations an item's vectors were built with: the rule of configs_for,
# in SQL on the item ``i``.
_ITEM_USES = {
    "bg": "(jsonb_array_length(i.languages) = 0 OR i.languages ? 'bul')",
    "russian": "i.languages ? 'rus'",
    "simple": "EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.languages) l"
    " WHERE l NOT IN ('bul', 'rus'))",
}


def _refine(vector: str, query: str) -> str:
    """Match ``vector`` only against the query parsed with the item's own
    configurations: the OR-ed query alone would let a negated word (``-народно``)
    pass through another configuration's stems. Without a negation the OR-ed query
    finds the same rows, and the per-row check is skipped."""
    if not _NEGATION.search(query):
        return "TRUE"
    return (
        "("
        + " OR ".join(
            f"({uses} AND {vector} @@ websearch_to_tsquery('{config}'::regconfig, %(q)s))"
            for config, uses in _ITEM_USES.items()
        )
        + ")"
    )


@dataclasses.dataclass
class PageHit:
    page_id: int
    order: int
    label: str
    snippet: SafeString


@dataclasses.dataclass
class Hit:
    item: Item
    rank: float
    pages: list[PageHit]
    snippet: SafeString
    # Set by the search page: where the hit opens (the item at its best page).
    url: str = ""

    @property
    def best_page(self) -> PageHit | None:
        return self.pages[0] if self.pages else None


@dataclasses.dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclasses.dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _facet_filters(facets: Mapping[str, Iterable[str]]) -> tuple[list[str], dict]:
    """SQL conditions on ``i`` (heritage_item) for the chosen facet values."""
    where: list[str] = []
    params: dict[str, list[str] | list[int]] = {}

    def ints(values: Iterable[str]) -> list[int]:
        return [int(v) for v in values if str(v).isdigit()]

    chosen = {name: [str(v) for v in facets.get(name, []) if v] for name in FACETS}
    if chosen["kind"]:
        where.append("i.kind = ANY(%(f_kind)s)")
        params["f_kind"] = chosen["kind"]
    if chosen["language"]:
        where.append("i.languages ?| %(f_language)s")
        params["f_language"] = chosen["language"]
    decades = ints(v for v in chosen["period"] if not v.startswith("c"))
    centuries = ints(v[1:] for v in chosen["period"] if v.startswith("c"))
    if decades or centuries:
        where.append(
            "(floor(extract(year FROM i.date_start) / 10) * 10 = ANY(%(f_decade)s)"
            " OR floor(extract(year FROM i.date_start) / 100) * 100 = ANY(%(f_century)s))"
        )
        params["f_decade"], params["f_century"] = decades, centuries
    joins = {
        "place": ("heritage_item_places", "settlement_id"),
        "subject": ("heritage_item_subjects", "subject_id"),
        "collection": ("heritage_item_collections", "collection_id"),
        "person": ("heritage_itemauthority", "authority_id"),
    }
    for name, (table, column) in joins.items():
        if values := ints(chosen[name]):
            where.append(
                f"EXISTS (SELECT 1 FROM {table} f WHERE f.item_id = i.id"  # noqa: S608 - constant SQL, named params
                f" AND f.{column} = ANY(%(f_{name})s))"
            )
            params[f"f_{name}"] = values
    return where, params


def _open_collections(user: Any) -> list[int] | None:
    """The collections whose titles a facet may show ``user``: all for the staff of
    the collection's district (None), else those OAI-PMH shows as sets."""
    if has_perm(user, RESTRICTED):
        return None
    return list(open_collection_specs())


def _hits_cte(
    query: str, user: Any, ip: str | None, facets: Mapping
) -> tuple[str, dict]:
    """``hits(item_id, rank)``: the viewable items that match, with the facets."""
    viewable_sql, viewable_params = (
        Item.objects.viewable(user, ip).values("pk").query.sql_with_params()
    )
    # The viewable subquery has positional %s; turn them into named ones.
    named = {f"v{n}": value for n, value in enumerate(viewable_params)}
    viewable_sql = viewable_sql.replace("%%", "\0")
    viewable_sql = viewable_sql % tuple(f"%({key})s" for key in named)
    viewable_sql = viewable_sql.replace("\0", "%%")
    where, params = _facet_filters(facets)
    params |= named
    conditions = " AND ".join(["i.id IN (" + viewable_sql + ")", *where])
    if query:
        params["q"] = query
        sql = f"""
        page_matches AS (
            SELECT p.item_id
            FROM heritage_page p JOIN heritage_item i ON i.id = p.item_id
            WHERE p.search_vector @@ {_tsq()} AND {_refine("p.search_vector", query)}
              AND p.master_id IN
                (SELECT id FROM heritage_masterfile WHERE replaced_by_id IS NULL)
              AND {conditions}
            LIMIT {PAGE_MATCH_CAP}
        ),
        matches AS (
            SELECT item_id, {_PAGES_WEIGHT} * ln(1 + count(*)) AS rank
            FROM page_matches GROUP BY item_id
            UNION ALL
            SELECT i.id, {_METADATA_WEIGHT} * ts_rank_cd(i.search_vector, {_tsq()})
            FROM heritage_item i
            WHERE i.search_vector @@ {_tsq()} AND {_refine("i.search_vector", query)}
        ),
        hits AS (
            SELECT i.id AS item_id, sum(matches.rank) AS rank
            FROM matches JOIN heritage_item i ON i.id = matches.item_id
            WHERE {conditions}
            GROUP BY i.id
        )"""  # noqa: S608 - constant SQL, named params
    else:
        sql = f"""
        hits AS (SELECT i.id AS item_id, 0.0::float AS rank FROM heritage_item i
                 WHERE {conditions})"""  # noqa: S608 - constant SQL, named params
    return sql, params


_ORDER = {
    "relevance": "h.rank DESC, i.title, i.id",
    "date": "i.date_start NULLS LAST, i.title, i.id",
    "-date": "i.date_start DESC NULLS LAST, i.title, i.id",
    "title": "i.title, i.id",
}


def search(
    query: str,
    *,
    user: Any,
    ip: str | None,
    facets: Mapping[str, Iterable[str]] | None = None,
    page: int = 1,
    sort: str = "relevance",
    page_size: int = PAGE_SIZE,
) -> Results:
    """Items ``user`` may see that match ``query``, ranked, with facets and snippets.

    Queries: one for the page of hits with the total and all facet counts, two to
    load the items, two for the best pages and their snippets, two for snippets
    from descriptions.
    """
    facets = facets or {}
    normal = normalise_query(query)
    cte, params = _hits_cte(normal, user, ip, facets)
    if sort not in _ORDER or (sort == "relevance" and not normal):
        sort = "relevance" if normal else "title"
    page = max(1, page)
    # One statement for the page of hits, the total and every facet's counts, so
    # that the matching (the costly part) runs once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {cte}, top AS (SELECT h.item_id, h.rank,"  # noqa: S608 - constant SQL, named params
            f" row_number() OVER (ORDER BY {_ORDER[sort]}) AS n FROM hits h"
            f" JOIN heritage_item i ON i.id = h.item_id ORDER BY {_ORDER[sort]}"
            " LIMIT %(limit)s OFFSET %(offset)s)"
            " SELECT '_hit', item_id::text, rank::text, n FROM top"
            " UNION ALL SELECT '_total', '', '', count(*) FROM hits"
            + (
                " UNION ALL SELECT '_pages', '', '', count(*) FROM page_matches"
                if normal
                else ""
            )
            + f" UNION ALL {_FACET_SQL}",
            params
            | {
                "limit": page_size,
                "offset": (page - 1) * page_size,
                "open_collections": _open_collections(user),
            },
        )
        everything = cursor.fetchall()
    rows = sorted(
        (int(value), float(label), n)
        for kind, value, label, n in everything
        if kind == "_hit"
    )
    rows = [(pk, rank, n) for pk, rank, n in sorted(rows, key=lambda row: row[2])]
    total = next(n for kind, _v, _l, n in everything if kind == "_total")
    capped = any(k == "_pages" and n >= PAGE_MATCH_CAP for k, _v, _l, n in everything)
    facet_values = facet_counts(
        [row for row in everything if not row[0].startswith("_")], facets
    )
    hits = _load_hits(rows, normal)
    return Results(
        query=query,
        hits=hits,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / page_size)),
        facets=facet_values,
        capped=capped,
    )


_FACET_SQL = """
SELECT 'kind', i.kind, '', count(*) FROM hits h JOIN heritage_item i ON i.id = h.item_id
GROUP BY i.kind
UNION ALL
SELECT 'language', l.code, '', count(*) FROM hits h
JOIN heritage_item i ON i.id = h.item_id,
LATERAL jsonb_array_elements_text(CASE jsonb_typeof(i.languages) WHEN 'array'
    THEN i.languages ELSE '[]'::jsonb END) AS l(code)
GROUP BY l.code
UNION ALL
SELECT 'decade', (floor(extract(year FROM i.date_start) / 10) * 10)::int::text, '',
    count(*) FROM hits h JOIN heritage_item i ON i.id = h.item_id
WHERE i.date_start IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'century', (floor(extract(year FROM i.date_start) / 100) * 100)::int::text, '',
    count(*) FROM hits h JOIN heritage_item i ON i.id = h.item_id
WHERE i.date_start IS NOT NULL GROUP BY 2
UNION ALL
SELECT 'place', s.id::text, s.name, count(*) FROM hits h
JOIN heritage_item_places f ON f.item_id = h.item_id
JOIN libraries_settlement s ON s.id = f.settlement_id GROUP BY s.id, s.name
UNION ALL
SELECT 'subject', s.id::text, s.term, count(*) FROM hits h
JOIN heritage_item_subjects f ON f.item_id = h.item_id
JOIN heritage_subject s ON s.id = f.subject_id GROUP BY s.id, s.term
UNION ALL
SELECT 'collection', c.id::text, c.title, count(*) FROM hits h
JOIN heritage_item_collections f ON f.item_id = h.item_id
JOIN heritage_collection c ON c.id = f.collection_id
WHERE %(open_collections)s::bigint[] IS NULL OR c.id = ANY(%(open_collections)s)
GROUP BY c.id, c.title
UNION ALL
SELECT 'person', a.id::text, a.name, count(DISTINCT h.item_id) FROM hits h
JOIN heritage_itemauthority f ON f.item_id = h.item_id
JOIN heritage_authority a ON a.id = f.authority_id GROUP BY a.id, a.name
"""


def facet_counts(
    rows: list[tuple], chosen: Mapping[str, Iterable[str]]
) -> dict[str, list[FacetValue]]:
    """Facet values with their labels and counts, from the rows of ``_FACET_SQL``."""
    kinds = dict(Item.Kind.choices)
    from methodica.heritage.models import LANGUAGES

    languages = dict(LANGUAGES)
    selected = {name: {str(v) for v in chosen.get(name, [])} for name in FACETS}
    result: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for facet, value, label, count in rows:
        if facet == "kind":
            label = str(kinds.get(value, value))
        elif facet == "language":
            label = str(languages.get(value, value))
        elif facet == "decade":
            facet, label = "period", _("%(decade)ss") % {"decade": value}
        elif facet == "century":
            facet, label = (
                "period",
                _("%(century)s–%(end)s")
                % {
                    "century": value,
                    "end": int(value) + 99,
                },
            )
            value = f"c{value}"
        result[facet].append(
            FacetValue(value, label, count, value in selected.get(facet, set()))
        )
    for name, values in result.items():
        if name == "period":
            values.sort(key=lambda v: (not v.value.startswith("c"), v.value))
        else:
            values.sort(key=lambda v: (-v.count, v.label))
    return result


def _load_hits(rows: list[tuple], query: str) -> list[Hit]:
    ids = [row[0] for row in rows]
    items = (
        Item.objects.filter(pk__in=ids)
        .select_related("newspaper")
        .prefetch_related("places")
        .in_bulk()
    )
    pages = _best_pages(ids, query) if query and ids else {}
    snippets = _item_snippets(ids, query) if query and ids else {}
    return [
        Hit(
            item=items[pk],
            rank=rank,
            pages=pages.get(pk, []),
            snippet=(pages[pk][0].snippet if pages.get(pk) else snippets.get(pk))
            or mark_safe(""),
        )
        for pk, rank, _total in rows
        if pk in items
    ]


def _marked(headline: str) -> SafeString:
    """Escape the headline, then turn PostgreSQL's marks into <mark> elements."""
    escaped = str(escape(headline))
    return mark_safe(  # noqa: S308 - everything but our marks is escaped above
        escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


def _best_pages(ids: list[int], query: str) -> dict[int, list[PageHit]]:
    """The best pages of each item, with a snippet each, in one query.

    The headline is made from the normalised text (what was indexed), so that old
    spellings are marked too; the private-use marks are stripped from it first.
    """
    sql = f"""
    WITH
    ranked AS (
        SELECT p.id, p.item_id, p."order", p.label, p.text,
            row_number() OVER (PARTITION BY p.item_id
                ORDER BY ts_rank_cd(p.search_vector, {_tsq()}) DESC, p."order") AS n
        FROM heritage_page p JOIN heritage_masterfile m ON m.id = p.master_id
        JOIN heritage_item i ON i.id = p.item_id
        WHERE p.item_id = ANY(%(ids)s) AND m.replaced_by_id IS NULL
          AND p.search_vector @@ {_tsq()} AND {_refine("p.search_vector", query)}
    )
    SELECT r.id, r.item_id, r."order", r.label, r.text FROM ranked r
    WHERE r.n <= %(best)s ORDER BY r.item_id, r.n
    """  # noqa: S608 - constant SQL, named params
    with connection.cursor() as cursor:
        cursor.execute(sql, {"q": query, "ids": ids, "best": BEST_PAGES})
        rows = cursor.fetchall()
        texts = [searchable_text(row[4] or "") for row in rows]
        cursor.execute(
            f"WITH q AS (SELECT ({_tsquery_sql()}) AS q) "  # noqa: S608 - constant SQL, named params
            "SELECT ts_headline('bg', t, q.q, %(opts)s) FROM unnest(%(texts)s::text[])"
            " WITH ORDINALITY AS x(t, n), q ORDER BY x.n",
            {"q": query, "texts": texts, "opts": _HEADLINE},
        ) if texts else None
        headlines = [row[0] for row in cursor.fetchall()] if texts else []
    result: dict[int, list[PageHit]] = {}
    for (page_id, item_id, order, label, _text), headline in zip(
        rows, headlines, strict=True
    ):
        result.setdefault(item_id, []).append(
            PageHit(page_id, order, label or str(order), _marked(headline))
        )
    return result


def _item_snippets(ids: list[int], query: str) -> dict[int, SafeString]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH q AS (SELECT ({_tsquery_sql()}) AS q) "  # noqa: S608 - constant SQL, named params
            "SELECT i.id, i.description FROM heritage_item i, q"
            " WHERE i.id = ANY(%(ids)s) AND i.description <> ''",
            {"q": query, "ids": ids},
        )
        rows = cursor.fetchall()
        if not rows:
            return {}
        cursor.execute(
            f"WITH q AS (SELECT ({_tsquery_sql()}) AS q) "  # noqa: S608 - constant SQL, named params
            "SELECT ts_headline('bg', t, q.q, %(opts)s) FROM unnest(%(texts)s::text[])"
            " WITH ORDINALITY AS x(t, n), q ORDER BY x.n",
            {
                "q": query,
                "texts": [searchable_text(r[1]) for r in rows],
                "opts": _HEADLINE,
            },
        )
        return {
            row[0]: _marked(headline[0])
            for row, headline in zip(rows, cursor.fetchall(), strict=True)
        }


# --- boxes on the page image -----------------------------------------------


def _positive_words(query: str) -> str:
    """The query's words that must or may occur (not the ``-excluded`` ones)."""
    kept = [
        word
        for word in query.replace('"', " ").split()
        if not word.startswith("-") and word.upper() != "OR"
    ]
    return normalise_query(" ".join(kept))


def page_hits(page: Page, query: str) -> list[list[int]]:
    """Boxes ``[x0, y0, x1, y1]`` of the page's words that the query matches.

    The page's words and the query's are normalised and stemmed in SQL (one query
    for the page) with the item's configurations; a word matches when it shares a
    lexeme with the query in the same configuration.
    """
    wanted = _positive_words(query or "")
    words = [w for w in page.words or [] if isinstance(w, list | tuple) and len(w) == 5]
    if not wanted or not words:
        return []
    configs = configs_for(
        Item.objects.filter(pk=page.item_id).values_list("languages", flat=True).first()
    )
    forms = [_normalise(str(w[0])) for w in words]
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH c AS (SELECT unnest(%(configs)s::regconfig[]) AS cfg),"
            " ql AS (SELECT c.cfg, array_agg(l) AS lexemes FROM c,"
            " unnest(tsvector_to_array(to_tsvector(c.cfg, %(q)s))) AS l GROUP BY c.cfg)"
            " SELECT x.n FROM unnest(%(forms)s::text[]) WITH ORDINALITY AS x(w, n), ql"
            " WHERE tsvector_to_array(to_tsvector(ql.cfg, x.w)) && ql.lexemes"
            " GROUP BY x.n ORDER BY x.n",
            {"q": wanted, "forms": forms, "configs": configs},
        )
        matched = [row[0] - 1 for row in cursor.fetchall()]
    return [[int(v) for v in words[n][1:5]] for n in matched]
