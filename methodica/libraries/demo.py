"""The demo district: Stara Zagora, its ~200 libraries, their staff, and a demo
user for every role.

Everything here is demo data (see :mod:`methodica.libraries.demo_data` for what is
real and what is made up): EKATTE codes, register numbers (``DR-...``) and
chitalishte numbers (``D-...``) are generated, people are fictitious, and every
email address is at example.org.

Repeatable by design. The whole plan is computed first, from the static data and
a ``random.Random(SEED)``, without looking at the database, so it is the same on
every run. Then each row is looked up by its natural key (district code,
municipality code, settlement EKATTE code, library register number, chitalishte
number or name and settlement, staff member's name and library, username) and
created only when missing. Rows that exist are left alone: a second run changes
nothing, and edits made on a demo site survive a re-run.

Seed data is loaded by the system, not by a user, so it is written directly
rather than through the services (which need an actor holding permissions) and
leaves no audit entries.

Later modules add their own demo data: they call :func:`register_demo_extension`
with a callable ``fn(district, stdout)`` from their ``AppConfig.ready()``. Each
runs after the register is loaded, in the same transaction, in registration
order, and must be repeatable in the same way.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction

from methodica.accounts.models import Membership, User
from methodica.libraries import demo_data as data
from methodica.libraries.models import (
    District,
    Library,
    LibraryStatusChange,
    Municipality,
    Settlement,
    StaffMember,
)
from methodica.libraries.services import clean_opening_hours

# Printed by ``load_demo`` for anyone trying the demo: it is meant to be known.
DEMO_PASSWORD = "methodica-demo"  # noqa: S105 - a public demo password, by design
SEED = 2024
EMAIL_DOMAIN = "example.org"
SUSPENDED_COUNT, CLOSED_COUNT = 9, 4  # about 93% of ~200 libraries stay active


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


DemoExtension = Callable[[District, "Writer | None"], None]
DEMO_EXTENSIONS: list[DemoExtension] = []


def register_demo_extension(fn: DemoExtension) -> DemoExtension:
    """Run ``fn(district, stdout)`` at the end of every demo load (once per fn)."""
    if fn not in DEMO_EXTENSIONS:
        DEMO_EXTENSIONS.append(fn)
    return fn


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


def _fixed_library_name(key: tuple[str, str]) -> str:
    name, year = data.FIXED_CHITALISHTA[key]
    return f"НЧ „{name} – {year}“"


def demo_logins() -> list[tuple[str, str]]:
    """(username, what the user may do) for every demo user, for printing."""
    towns = {m.code: m.name for m in data.MUNICIPALITIES}
    logins = []
    for user in DEMO_USERS:
        where = ""
        if isinstance(user.scope, tuple):
            where = f": {_fixed_library_name(user.scope)}, с. {user.scope[1]}"
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


# --- writing the plan to the database ------------------------------------------------


def _say(stdout: Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _sync_places(
    district: District,
) -> tuple[dict[str, Municipality], dict[str, Settlement]]:
    municipalities: dict[str, Municipality] = {}
    for mun in data.MUNICIPALITIES:
        municipalities[mun.code], _ = Municipality.objects.get_or_create(
            code=mun.code, defaults={"district": district, "name": mun.name}
        )
    wanted = {
        s.ekatte: (mun.code, s) for mun in data.MUNICIPALITIES for s in mun.settlements
    }
    settlements = Settlement.objects.in_bulk(list(wanted), field_name="ekatte")
    missing = [
        Settlement(
            municipality=municipalities[code],
            ekatte=s.ekatte,
            name=s.name,
            kind=s.kind,
            population=s.population,
            population_year=data.POPULATION_YEAR,
        )
        for ekatte, (code, s) in wanted.items()
        if ekatte not in settlements
    ]
    for settlement in Settlement.objects.bulk_create(missing):
        settlements[settlement.ekatte] = settlement
    return municipalities, settlements


def _existing_libraries(
    district: District,
) -> Callable[[dict[str, Any], int], Library | None]:
    """A finder for an existing library: by register or chitalishte number, or name."""
    by_key: dict[tuple[str, Any], Library] = {}
    for library in Library.objects.filter(municipality__district=district):
        if library.register_number:
            by_key["register", library.register_number] = library
        if library.chitalishte_number:
            by_key["chitalishte", library.chitalishte_number] = library
        by_key["name", (library.name, library.settlement_id)] = library

    def find(fields: dict[str, Any], settlement_id: int) -> Library | None:
        return (
            by_key.get(("register", fields["register_number"]))
            or by_key.get(("chitalishte", fields["chitalishte_number"]))
            or by_key.get(("name", (fields["name"], settlement_id)))
        )

    return find


def _sync_libraries(
    district: District, plan: list[PlannedLibrary], settlements: dict[str, Settlement]
) -> tuple[dict[int, Library], int]:
    """Create the planned libraries that are missing; parents go in before branches."""
    find = _existing_libraries(district)
    resolved: dict[int, Library] = {}
    created: list[tuple[PlannedLibrary, Library]] = []
    for wave in (
        [p for p in plan if p.parent is None],
        [p for p in plan if p.parent is not None],
    ):
        new = []
        for planned in wave:
            settlement = settlements[planned.ekatte]
            library = find(planned.fields, settlement.pk)
            if library is None:
                parent = None if planned.parent is None else resolved[planned.parent]
                library = Library(
                    municipality_id=settlement.municipality_id,
                    settlement=settlement,
                    parent=parent,
                    **planned.fields,
                )
                new.append((planned, library))
            resolved[planned.ref] = library
        Library.objects.bulk_create([library for _, library in new])
        created += new
    # History only for libraries made now: an existing one already has its own.
    LibraryStatusChange.objects.bulk_create(
        LibraryStatusChange(
            library=library, status=status, effective_date=day, reason=reason
        )
        for planned, library in created
        for status, day, reason in planned.history
    )
    return resolved, len(created)


def _sync_staff(plan: list[PlannedLibrary], libraries: dict[int, Library]) -> int:
    existing = set(
        StaffMember.objects.filter(
            library__in=[lib.pk for lib in libraries.values()]
        ).values_list("library_id", "full_name")
    )
    missing = [
        StaffMember(library=libraries[planned.ref], **asdict(member))
        for planned in plan
        for member in planned.staff
        if (libraries[planned.ref].pk, member.full_name) not in existing
    ]
    return len(StaffMember.objects.bulk_create(missing))


def _scope_of(user: DemoUser, district: District) -> dict[str, Any]:
    if user.scope == "district":
        return {"district": district}
    if isinstance(user.scope, tuple):
        code, village = user.scope
        library = Library.objects.get(
            municipality__code=code,
            settlement__name=village,
            name=_fixed_library_name(user.scope),
        )
        return {"library": library}
    return {"municipality": Municipality.objects.get(code=user.scope)}


def _sync_users(district: District) -> int:
    made = 0
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "email": f"{demo.username}@{EMAIL_DOMAIN}",
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "is_staff": demo.is_staff,
            },
        )
        if created:
            # Only on creation: re-hashing on every run would change the row each time.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            made += 1
        Membership.objects.get_or_create(
            user=user, role=demo.role, **_scope_of(demo, district)
        )
    return made


def _counts(district: District) -> dict[str, int]:
    return {
        "municipalities": Municipality.objects.filter(district=district).count(),
        "settlements": Settlement.objects.filter(
            municipality__district=district
        ).count(),
        "libraries": Library.objects.filter(municipality__district=district).count(),
        "staff": StaffMember.objects.filter(
            library__municipality__district=district
        ).count(),
        "users": User.objects.filter(
            username__in=[u.username for u in DEMO_USERS]
        ).count(),
    }


@transaction.atomic
def load_demo_district(*, stdout: Writer | None = None) -> dict[str, int]:
    """Load (or complete) the demo district; return what the district now holds.

    Safe to run again: nothing that exists is duplicated or changed.
    """
    plan = build_plan()
    district, _ = District.objects.get_or_create(
        code=data.DISTRICT_CODE, defaults={"name": data.DISTRICT_NAME}
    )
    municipalities, settlements = _sync_places(district)
    libraries, new_libraries = _sync_libraries(district, plan, settlements)
    new_staff = _sync_staff(plan, libraries)
    new_users = _sync_users(district)
    _say(
        stdout,
        f"District {district.name}: {len(municipalities)} municipalities, "
        f"{len(settlements)} settlements.",
    )
    _say(
        stdout, f"New: {new_libraries} libraries, {new_staff} staff, {new_users} users."
    )
    for extension in list(DEMO_EXTENSIONS):
        extension(district, stdout)
    return _counts(district)
