"""The demo district's local-history collection, loaded with the demo district.

Collections (Краеведска колекция with its series Местен печат, Ръкописи and
Фотоархив), a newspaper title with four issues (one of 1912 in the orthography before
1945), a staff-only manuscript, four photographs (one for the reading room only, one
under embargo until next year), authorities, subjects, places from the register and
rights statements. Page images come from :mod:`methodica.heritage.demo_scans` and are
stored as masters through the services, so the worker makes their pages,
derivatives and OCR when ``scripts/demo`` starts it; the text each page was drawn
from is :func:`scan_for` ``(...).text``, the ground truth for measuring OCR.

Repeatable and deterministic: an item whose identifier exists is left alone.
"""

from __future__ import annotations

import datetime
import functools
import io
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from methodica.accounts.models import User
from methodica.heritage import services
from methodica.heritage.demo_scans import Scan, render_page, render_photograph
from methodica.heritage.models import (
    Authority,
    Collection,
    Item,
    ItemAuthority,
    Subject,
    Title,
)
from methodica.libraries.models import District, Settlement

ACTOR = "demo-cataloguer"
NEWSPAPER = "Старозагорски новини"
INC = "http://rightsstatements.org/vocab/InC/1.0/"
NKC = "http://rightsstatements.org/vocab/NKC/1.0/"
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"

COLLECTIONS = [  # set_spec, title, parent set_spec
    ("kraevedska", "Краеведска колекция", None),
    ("mesten-pechat", "Местен печат", "kraevedska"),
    ("rakopisi", "Ръкописи", "kraevedska"),
    ("fotoarhiv", "Фотоархив", "kraevedska"),
]
AUTHORITIES = [  # name, kind, variants, dates
    (
        "Гео Милев",
        "person",
        ["Георги Касабов Милев", "Geo Milev", "Г. Милев"],
        "1895-1925",
    ),
    ("Димитър Снимков", "person", ["Д. Снимков"], "1901-1978"),
    ("Печатница „Светлина“", "organisation", ["Светлина"], ""),
]
SUBJECTS = [
    "местна история",
    "периодичен печат",
    "градски живот",
    "читалища",
    "архитектура",
    "празници",
]

MODERN = [
    "В читалище „Родина“ се откри изложба за историята на града.",
    "Общинският съвет обсъди ремонта на градската библиотека.",
    "Учениците от гимназията посетиха музея и разгледаха старите снимки.",
    "На централния площад се проведе концерт на духовия оркестър.",
    "Библиотеката получи дарение от книги и стари вестници.",
    "Местните занаятчии представиха своите изделия на есенния панаир.",
    "Краеведите събират спомени на възрастните жители за живота в квартала.",
    "Новата детска градина ще отвори врати през септември.",
    "Читателите могат да разгледат дигиталната колекция в залата.",
    "В театъра започна новият сезон с пиеса на местен автор.",
    "Земеделците очакват добра реколта от пшеница и царевица.",
    "Пощата и гарата работят с удължено работно време през празниците.",
]
OLD = [
    "Въ градътъ ни се откри нова читалищна библиотека съ много книги.",
    "Общинскиятъ съвѣтъ рѣши да се поправи пѫтьтъ къмъ гарата.",
    "Учителитѣ и ученицитѣ отпразднуваха деня на светитѣ братя.",
    "На пазаря се продаваше жито, вълна и розово масло.",
    "Вѣстникътъ ни ще излиза всѣка сѫбота въ четири страници.",
    "Въ сѫдебната палата се гледаше дѣлото за общинската земя.",
    "Читалището урежда вечеринка въ полза на бѣднитѣ ученици.",
    "Желѣзницата докара стоки отъ Пловдивъ и Бургасъ.",
]


@dataclass(frozen=True)
class Planned:
    identifier: str
    kind: Any  # an Item.Kind (TextChoices: Any keeps mypy plugin-free)
    title: str
    date: str
    collection: str
    access: Any = Item.Access.PUBLIC
    rights: str = CNE
    places: tuple[str, ...] = ("Стара Загора",)
    subjects: tuple[str, ...] = ()
    credits: tuple[tuple[str, Any], ...] = ()
    pages: int = 1
    old: bool = False
    embargo: bool = False
    description: str = ""
    seeds: tuple[int, ...] = field(default=())


ITEMS = [
    Planned(
        "szn-1912-10-05",
        Item.Kind.NEWSPAPER_ISSUE,
        f"{NEWSPAPER}, бр. 40, 1912",
        "1912-10-05",
        "mesten-pechat",
        rights=NKC,
        pages=2,
        old=True,
        subjects=("периодичен печат", "градски живот"),
        credits=(("Печатница „Светлина“", ItemAuthority.Role.CONTRIBUTOR),),
    ),
    Planned(
        "szn-1956-05-24",
        Item.Kind.NEWSPAPER_ISSUE,
        f"{NEWSPAPER}, бр. 21, 1956",
        "1956-05-24",
        "mesten-pechat",
        rights=INC,
        pages=3,
        subjects=("периодичен печат", "празници"),
    ),
    Planned(
        "szn-1968-09-15",
        Item.Kind.NEWSPAPER_ISSUE,
        f"{NEWSPAPER}, бр. 37, 1968",
        "1968-09-15",
        "mesten-pechat",
        rights=INC,
        pages=2,
        subjects=("периодичен печат", "читалища"),
    ),
    Planned(
        "szn-1979-03-01",
        Item.Kind.NEWSPAPER_ISSUE,
        f"{NEWSPAPER}, бр. 9, 1979",
        "1979-03-01",
        "mesten-pechat",
        rights=INC,
        pages=3,
        subjects=("периодичен печат",),
        places=("Стара Загора", "Казанлък"),
    ),
    Planned(
        "ms-geo-milev-1914",
        Item.Kind.MANUSCRIPT,
        "Гео Милев, тетрадка със стихове",
        "1914?",
        "rakopisi",
        access=Item.Access.STAFF_ONLY,
        rights=NKC,
        pages=2,
        old=True,
        credits=(("Гео Милев", ItemAuthority.Role.CREATOR),),
        subjects=("местна история",),
        description="Ръкопис, предаден от наследниците; само за служители.",
    ),
    Planned(
        "photo-ploshtad-1930",
        Item.Kind.PHOTOGRAPH,
        "Площадът, около 1930",
        "1930~",
        "fotoarhiv",
        rights=NKC,
        subjects=("градски живот",),
        credits=(("Димитър Снимков", ItemAuthority.Role.PHOTOGRAPHER),),
    ),
    Planned(
        "photo-chitalishte-1936",
        Item.Kind.PHOTOGRAPH,
        "Читалище „Родина“, 1936",
        "1936",
        "fotoarhiv",
        rights=NKC,
        subjects=("читалища", "архитектура"),
        places=("Стара Загора",),
        credits=(("Димитър Снимков", ItemAuthority.Role.PHOTOGRAPHER),),
    ),
    Planned(
        "photo-kazanlak-1948",
        Item.Kind.PHOTOGRAPH,
        "Празник на розата в Казанлък, 1948",
        "1948",
        "fotoarhiv",
        access=Item.Access.READING_ROOM,
        rights=INC,
        places=("Казанлък",),
        subjects=("празници",),
    ),
    Planned(
        "photo-chirpan-1975",
        Item.Kind.PHOTOGRAPH,
        "Чирпан, главната улица",
        "197X",
        "fotoarhiv",
        rights=INC,
        places=("Чирпан",),
        embargo=True,
        subjects=("градски живот", "архитектура"),
    ),
]


def _body(sentences: list[str], rng: random.Random, count: int) -> str:
    paragraphs = []
    for _ in range(count):
        picked = [rng.choice(sentences) for _ in range(rng.randint(3, 5))]
        paragraphs.append(" ".join(picked))
    return "\n".join(paragraphs)


@functools.lru_cache(maxsize=64)  # a process that loads the demo again renders once
def scan_for(identifier: str, page: int) -> Scan:
    """The page image of a planned item and the text drawn on it (page from 1)."""
    plan = next(p for p in ITEMS if p.identifier == identifier)
    seed = sum(ord(c) for c in identifier) * 10 + page
    rng = random.Random(seed)  # noqa: S311 (a repeatable demo, not a secret)
    sentences = OLD if plan.old else MODERN
    if plan.kind == Item.Kind.NEWSPAPER_ISSUE:
        masthead = NEWSPAPER.upper() if page == 1 else ""
        heading = plan.title if page == 1 else f"{NEWSPAPER}, {page}"
        return render_page(
            _body(sentences, rng, 9),
            seed=seed,
            masthead=masthead,
            heading=heading,
            columns=2,
            size=28,
        )
    return render_page(_body(sentences, rng, 5), seed=seed, heading=plan.title)


@functools.lru_cache(maxsize=16)
def _photograph(identifier: str) -> bytes:
    return render_photograph(seed=sum(map(ord, identifier)))


def _collections(district: District, actor: Any) -> dict[str, Collection]:
    found: dict[str, Collection] = {}
    for set_spec, title, parent in COLLECTIONS:
        existing = Collection.objects.filter(set_spec=set_spec).first()
        found[set_spec] = existing or services.create_collection(
            actor=actor,
            district=district,
            values={
                "title": title,
                "set_spec": set_spec,
                "parent": found.get(parent) if parent else None,
            },
        )
    return found


def _authorities() -> dict[str, Authority]:
    found = {}
    for name, kind, variants, dates in AUTHORITIES:
        found[name], _created = Authority.objects.get_or_create(
            name=name, defaults={"kind": kind, "variants": variants, "dates": dates}
        )
    return found


def _settlements(district: District) -> dict[str, Settlement]:
    found: dict[str, Settlement] = {}
    for settlement in Settlement.objects.filter(
        municipality__district=district
    ).order_by("ekatte"):
        found.setdefault(settlement.name, settlement)
    return found


def _create(plan: Planned, context: dict[str, Any]) -> Item:
    today = timezone.localdate()
    values = {
        "kind": plan.kind,
        "title": plan.title,
        "description": plan.description,
        "date": plan.date,
        "languages": ["bul"],
        "rights": plan.rights,
        "access": plan.access,
        "published": True,
        "embargo_until": datetime.date(today.year + 1, 1, 1) if plan.embargo else None,
        "collections": [context["collections"][plan.collection]],
        "places": [context["places"][p] for p in plan.places if p in context["places"]],
        "subjects": [Subject.objects.get_or_create(term=t)[0] for t in plan.subjects],
    }
    if plan.kind == Item.Kind.NEWSPAPER_ISSUE:
        values["newspaper"] = context["title"]
    item = services.create_item(
        actor=context["actor"],
        district=context["district"],
        identifier=plan.identifier,
        values=values,
        credits=[(context["authorities"][n], role) for n, role in plan.credits],
    )
    for page in range(1, plan.pages + 1):
        data = (
            _photograph(plan.identifier)
            if plan.kind == Item.Kind.PHOTOGRAPH
            else scan_for(plan.identifier, page).jpeg
        )
        services.add_master_file(
            actor=context["actor"],
            item=item,
            stream=io.BytesIO(data),
            name=f"{plan.identifier}-{page:03d}.jpg",
        )
    return item


def load_demo_heritage(district: District, stdout: Any = None) -> None:
    """Load the demo collection into ``district`` (once; again changes nothing)."""
    actor = User.objects.filter(username=ACTOR, is_active=True).first()
    if actor is None:
        return
    places = _settlements(district)
    title, _created = Title.objects.get_or_create(
        name=NEWSPAPER, defaults={"place": places.get("Стара Загора"), "years": "1909-"}
    )
    context = {
        "actor": actor,
        "district": district,
        "collections": _collections(district, actor),
        "authorities": _authorities(),
        "places": places,
        "title": title,
    }
    for name in SUBJECTS:
        Subject.objects.get_or_create(term=name)
    existing = set(
        Item.objects.filter(identifier__in=[p.identifier for p in ITEMS]).values_list(
            "identifier", flat=True
        )
    )
    made = [_create(p, context) for p in ITEMS if p.identifier not in existing]
    if stdout is not None:
        stdout.write(f"Local history: {len(made)} new items.\n")
