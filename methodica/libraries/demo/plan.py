"""The demo district's plan: every row it will have, computed from the static
data and a seeded random generator, without looking at the database."""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from methodica.libraries.demo import data
from methodica.libraries.models import (
    Library,
)
from methodica.libraries.services import clean_opening_hours

# Printed by ``load_demo`` for anyone trying the demo: it is meant to be known.
DEMO_PASSWORD = "methodica-demo"  # noqa: S105 - a public demo password, by design
SEED = 2024
EMAIL_DOMAIN = "example.org"
SUSPENDED_COUNT, CLOSED_COUNT = 9, 4  # about 93% of ~200 libraries stay active

# --- demo users -------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    # "district", or a municipality code, or a (municipality code, village) key of
    # demo_data.FIXED_CHITALISHTA for a library.
    scope: str | tuple[str, str]
    description: str
    is_staff: bool = False


DEMO_USERS: tuple[DemoUser, ...] = tuple(DemoUser(*row) for row in data.DEMO_USERS)


def fixed_library_name(key: tuple[str, str]) -> str:
    name, year = data.FIXED_CHITALISHTA[key]
    return f"НЧ „{name} – {year}“"


def demo_logins() -> list[tuple[str, str]]:
    """(username, what the user may do) for every demo user, for printing."""
    towns = {m.code: m.name for m in data.MUNICIPALITIES}
    logins = []
    for user in DEMO_USERS:
        where = ""
        if isinstance(user.scope, tuple):
            where = f": {fixed_library_name(user.scope)}, с. {user.scope[1]}"
        elif user.scope != "district":
            where = f": община {towns[user.scope]}"
        logins.append((user.username, user.description + where))
    return logins


# --- the plan: what the district looks like, computed without the database ---------


@dataclass
class PlannedStaff:
    full_name: str
    position: str
    fte: Decimal
    has_library_qualification: bool
    education: str
    email: str
    started_on: datetime.date
    left_on: datetime.date | None = None


@dataclass
class PlannedLibrary:
    ref: int
    ekatte: str
    fields: dict[str, Any]
    parent: int | None = None
    village_chitalishte: bool = False
    # (status, effective date, reason), oldest first
    history: list[tuple[Any, datetime.date, str]] = field(default_factory=list)
    staff: list[PlannedStaff] = field(default_factory=list)


_TRANSLIT = str.maketrans(dict(zip(data.CYRILLIC, data.LATIN, strict=True)))


def slug(text: str) -> str:
    """Latin letters for an email address: "Стара Загора" -> "stara-zagora"."""
    latin = text.lower().translate(_TRANSLIT)
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")


def _date(
    rng: random.Random, start: datetime.date, end: datetime.date
) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


class _Planner:
    """Builds the libraries with their staff, consuming ``rng`` in a fixed order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.libraries: list[PlannedLibrary] = []
        self.emails: set[str] = set()
        self.chitalishte_seq = 1000
        self.register_seq = 0

    # Numbers, names, contacts

    def register_number(self) -> str:
        self.register_seq += 1
        return f"DR-{self.register_seq:04d}"

    def chitalishte_number(self) -> str:
        self.chitalishte_seq += 1
        return f"D-{self.chitalishte_seq}"

    def unique_email(self, local: str) -> str:
        candidate, n = local, 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}"
        self.emails.add(candidate)
        return f"{candidate}@{EMAIL_DOMAIN}"

    def address(self, settlement: data.S) -> str:
        rng = self.rng
        if settlement.kind == data.V and rng.random() < 0.3:
            return f"пл. „{rng.choice(data.SQUARES)}“ {rng.randint(1, 5)}"
        return f"ул. „{rng.choice(data.STREETS)}“ {rng.randint(1, 60)}"

    def coordinates(self, settlement: data.S) -> tuple[Decimal, Decimal]:
        # Spread libraries over a town, keep a village's near its centre.
        spread = 0.012 if settlement.population > 10000 else 0.004
        six = Decimal("0.000001")
        lat = Decimal(settlement.latitude) + Decimal(self.rng.uniform(-spread, spread))
        lon = Decimal(settlement.longitude) + Decimal(self.rng.uniform(-spread, spread))
        return lat.quantize(six), lon.quantize(six)

    def person(self, taken: set[str]) -> tuple[str, str]:
        rng = self.rng
        while True:
            surname = rng.choice(data.SURNAMES)
            if rng.random() < 0.85:  # most librarians in the network are women
                first, surname = rng.choice(data.FEMALE_NAMES), surname + "а"
            else:
                first = rng.choice(data.MALE_NAMES)
            if f"{first} {surname}" not in taken:
                return first, surname

    # Libraries and staff

    def add(self, mun: data.M, settlement: data.S, **fields: Any) -> PlannedLibrary:
        lat, lon = self.coordinates(settlement)
        fields = {
            "address": self.address(settlement),
            "postcode": settlement.postcode,
            "latitude": lat,
            "longitude": lon,
            "phone": f"{mun.phone_code} 00 {self.rng.randint(100, 999)}",
            "chitalishte_number": "",
            "register_number": "",
            "website": "",
            "status": Library.Status.ACTIVE,
            **fields,
        }
        since = _date(self.rng, datetime.date(2010, 1, 4), datetime.date(2020, 12, 30))
        planned = PlannedLibrary(
            ref=len(self.libraries), ekatte=settlement.ekatte, fields=fields
        )
        planned.history.append((Library.Status.ACTIVE, since, data.REGISTERED_REASON))
        self.libraries.append(planned)
        return planned

    def add_staff(
        self,
        library: PlannedLibrary,
        positions: Iterable[tuple[str, Decimal]],
        qualified_share: float,
    ) -> None:
        rng, taken = self.rng, {s.full_name for s in library.staff}
        for position, fte in positions:
            first, last = self.person(taken)
            taken.add(f"{first} {last}")
            qualified = rng.random() < qualified_share
            library.staff.append(
                PlannedStaff(
                    full_name=f"{first} {last}",
                    position=position,
                    fte=fte,
                    has_library_qualification=qualified,
                    education=rng.choice(
                        data.QUALIFIED_EDUCATION if qualified else data.OTHER_EDUCATION
                    ),
                    email=self.unique_email(f"{slug(first)}.{slug(last)}"),
                    started_on=_date(
                        rng, datetime.date(1988, 9, 1), datetime.date(2023, 10, 1)
                    ),
                )
            )

    def hours(self, library: PlannedLibrary, weekday: str, saturday: str = "") -> None:
        days = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), weekday)
        days["sat"] = saturday
        # The same normalisation (and check) as an edit through the services.
        library.fields["opening_hours"] = clean_opening_hours(days)


def _chitalishte_name(rng: random.Random, taken: set[str]) -> tuple[str, int]:
    while True:
        name, earliest = rng.choice(data.CHITALISHTE_NAMES)
        if name not in taken:
            # Most chitalishta date from 1880-1935; a few are post-war.
            low = max(earliest, 1862)
            year = round(rng.triangular(low, 1960, max(low, 1912)))
            return name, year


def _plan_regional(p: _Planner, mun: data.M, town: data.S) -> None:
    regional = p.add(
        mun,
        town,
        name=data.REGIONAL_LIBRARY,
        library_type=Library.Type.REGIONAL,
        register_number=p.register_number(),
        founded_year=data.REGIONAL_LIBRARY_FOUNDED,
        email=f"regional.library.{slug(town.name)}@{EMAIL_DOMAIN}",
        website=f"https://www.{EMAIL_DOMAIN}/regional-library/",
    )
    p.hours(regional, "09:00-19:00", "10:00-14:00")
    p.add_staff(
        regional, [(pos, Decimal("1.00")) for pos in data.REGIONAL_POSITIONS], 0.85
    )
    branch = p.add(
        mun,
        town,
        name=f"{data.REGIONAL_LIBRARY} – филиал „Железник“",
        library_type=Library.Type.REGIONAL,
        founded_year=1978,
        email=f"regional.library.zheleznik@{EMAIL_DOMAIN}",
    )
    branch.parent = regional.ref
    p.hours(branch, "10:00-18:00")
    p.add_staff(branch, [("библиотекар", Decimal("1.00"))] * 2, 0.8)


def _plan_municipal(p: _Planner, mun: data.M, town: data.S) -> PlannedLibrary:
    library = p.add(
        mun,
        town,
        name=f"Общинска библиотека – {town.name}",
        library_type=Library.Type.MUNICIPAL,
        register_number=p.register_number(),
        founded_year=p.rng.randint(1945, 1960),
        email=f"library.{slug(town.name)}@{EMAIL_DOMAIN}",
    )
    p.hours(library, "08:30-12:30, 13:00-17:30", p.rng.choice(["", "09:00-13:00"]))
    size = p.rng.randint(3, 6)
    positions = ["директор", "главен библиотекар"] + ["библиотекар"] * (size - 2)
    ftes = [Decimal("1.00")] * (size - 1) + [
        p.rng.choice([Decimal("0.50"), Decimal("1.00")])
    ]
    p.add_staff(library, zip(positions, ftes, strict=True), 0.7)
    return library


def _plan_chitalishte(
    p: _Planner, mun: data.M, settlement: data.S, name: str, year: int
) -> PlannedLibrary:
    rng = p.rng
    library = p.add(
        mun,
        settlement,
        name=f"НЧ „{name} – {year}“",
        library_type=Library.Type.CHITALISHTE,
        founded_year=year,
        chitalishte_number=p.chitalishte_number(),
        # Some small chitalishte libraries never entered the national register.
        register_number=p.register_number() if rng.random() < 0.9 else "",
        email=f"chitalishte.{slug(name)}.{slug(settlement.name)}@{EMAIL_DOMAIN}",
    )
    full_time = settlement.kind == data.T or rng.random() < 0.5
    first_fte = Decimal("1.00") if full_time else Decimal("0.50")
    positions = [(rng.choice(["секретар-библиотекар", "библиотекар"]), first_fte)]
    if settlement.kind == data.T or rng.random() < 0.25:
        positions.append(("библиотекар", Decimal("0.50")))
    # Most village librarians have no library training: why the department exists.
    p.add_staff(library, positions, 0.42)
    if full_time:
        p.hours(
            library,
            rng.choice(["09:00-12:00, 13:00-17:00", "08:30-12:30, 13:00-17:00"]),
            "09:00-12:00" if rng.random() < 0.2 else "",
        )
    else:
        p.hours(library, rng.choice(["09:00-13:00", "13:00-17:00", "08:00-12:00"]))
    return library


def _plan_municipality(p: _Planner, mun: data.M) -> None:
    rng = p.rng
    for settlement in mun.settlements:
        if settlement.kind == data.T:
            for name, year in data.TOWN_CHITALISHTA.get(settlement.name, ()):
                _plan_chitalishte(p, mun, settlement, name, year)
            continue
        fixed = data.FIXED_CHITALISHTA.get((mun.code, settlement.name))
        if fixed:
            _plan_chitalishte(p, mun, settlement, *fixed)
            continue
        # The smallest villages have often lost their chitalishte.
        if settlement.population < 200 and rng.random() < 0.4:
            continue
        taken: set[str] = set()
        count = 2 if settlement.population >= 1400 and rng.random() < 0.5 else 1
        for _ in range(count):
            name, year = _chitalishte_name(rng, taken)
            taken.add(name)
            _plan_chitalishte(p, mun, settlement, name, year).village_chitalishte = True


def _plan_statuses(p: _Planner) -> None:
    """Suspend and close a few village chitalishta (never a demo user's library)."""
    rng = p.rng
    candidates = [lib for lib in p.libraries if lib.village_chitalishte]
    chosen = rng.sample(candidates, SUSPENDED_COUNT + CLOSED_COUNT)
    for i, library in enumerate(chosen):
        closed = i >= SUSPENDED_COUNT
        status = Library.Status.CLOSED if closed else Library.Status.SUSPENDED
        reasons = data.CLOSURE_REASONS if closed else data.SUSPENSION_REASONS
        since = _date(rng, datetime.date(2021, 1, 11), datetime.date(2024, 11, 29))
        library.fields.update(status=status)
        library.history.append((status, since, rng.choice(reasons)))
        if closed:
            for member in library.staff:
                member.left_on = since
                member.started_on = min(
                    member.started_on, since - datetime.timedelta(days=400)
                )


def _plan_branch_and_schools(
    p: _Planner, towns: dict[str, tuple[data.M, data.S]], kazanlak: PlannedLibrary
) -> None:
    branch = p.add(
        *towns["Крън"],
        name="Общинска библиотека – Казанлък, филиал Крън",
        library_type=Library.Type.MUNICIPAL,
        founded_year=1962,
        email=f"library.kazanlak.kran@{EMAIL_DOMAIN}",
    )
    branch.parent = kazanlak.ref
    p.hours(branch, "13:00-17:00")
    p.add_staff(branch, [("библиотекар", Decimal("0.50"))], 0.6)
    for town, name in data.SCHOOL_LIBRARIES:
        school = p.add(
            *towns[town],
            name=name,
            library_type=Library.Type.SCHOOL,
            founded_year=p.rng.randint(1950, 1990),
            email=f"school.library.{slug(name)}@{EMAIL_DOMAIN}",
        )
        p.hours(school, "08:00-14:00")
        fte = p.rng.choice([Decimal("0.50"), Decimal("1.00")])
        p.add_staff(school, [("училищен библиотекар", fte)], 0.5)
    # The newest school opened its library in 2021: its reports start that year.
    # Set after the draws above, so that the rest of the plan stays the same.
    opened = datetime.date(2021, 9, 15)
    school.fields["founded_year"] = opened.year
    school.history[0] = (Library.Status.ACTIVE, opened, data.REGISTERED_REASON)


def build_plan() -> list[PlannedLibrary]:
    """Every library of the demo district, the same on every call."""
    p = _Planner(random.Random(SEED))  # noqa: S311 - demo data, not a secret
    towns = {
        s.name: (m, s)
        for m in data.MUNICIPALITIES
        for s in m.settlements
        if s.kind == data.T
    }
    _plan_regional(p, *towns["Стара Загора"])
    municipal = {
        name: _plan_municipal(p, *towns[name]) for name in data.MUNICIPAL_LIBRARY_TOWNS
    }
    _plan_branch_and_schools(p, towns, municipal["Казанлък"])
    for mun in data.MUNICIPALITIES:
        _plan_municipality(p, mun)
    _plan_statuses(p)
    for library in p.libraries:
        _, library.fields["status_since"], _ = library.history[-1]
    return p.libraries
