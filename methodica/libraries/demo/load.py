"""Writing the demo plan to the database, repeatably, and the extensions that
later modules add."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction

from methodica.accounts.models import Membership, User
from methodica.libraries.boundaries import read_boundaries
from methodica.libraries.demo import data
from methodica.libraries.demo.plan import (
    DEMO_PASSWORD,
    DEMO_USERS,
    EMAIL_DOMAIN,
    DemoUser,
    PlannedLibrary,
    build_plan,
    fixed_library_name,
)
from methodica.libraries.models import (
    District,
    Library,
    LibraryStatusChange,
    Municipality,
    Settlement,
    StaffMember,
)


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


DemoExtension = Callable[[District, "Writer | None"], None]
DEMO_EXTENSIONS: list[DemoExtension] = []


def register_demo_extension(fn: DemoExtension) -> DemoExtension:
    """Run ``fn(district, stdout)`` at the end of every demo load (once per fn)."""
    if fn not in DEMO_EXTENSIONS:
        DEMO_EXTENSIONS.append(fn)
    return fn


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
            code=mun.code,
            defaults={
                "district": district,
                "name": mun.name,
                # A made-up office address, so the demo's visit reports get a copy.
                "email": f"obshtina.{mun.code.lower()}@example.org",
            },
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


BOUNDARIES = Path(__file__).with_name("boundaries.geojson")


def _sync_boundaries(municipalities: dict[str, Municipality]) -> int:
    """The schematic demo outlines (scripts/make_demo_boundaries.py), checked like any
    loaded file, for the municipalities that have none yet."""
    boundaries = read_boundaries(BOUNDARIES.read_bytes(), set(municipalities))
    missing = [
        municipalities[b.code]
        for b in boundaries
        if municipalities[b.code].boundary is None
    ]
    by_code = {b.code: b.geometry for b in boundaries}
    for municipality in missing:
        municipality.boundary = by_code[municipality.code]
    return Municipality.objects.bulk_update(missing, ["boundary"])


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
            name=fixed_library_name(user.scope),
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
    _sync_boundaries(municipalities)
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
