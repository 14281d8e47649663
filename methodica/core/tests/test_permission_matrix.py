"""docs/permissions.md is the matrix; this walks every cell of it against the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from methodica.core.permissions import PERMISSIONS, ROLE_PERMISSIONS, Role, has_perm
from tests.factories import (
    LibraryFactory,
    MunicipalityFactory,
    SettlementFactory,
    StaffFactory,
    UserFactory,
    member,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def read_matrix() -> dict[str, set[str]]:
    """{permission: {roles that hold it}} as written in docs/permissions.md."""
    lines = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    header = next(
        line for line in DOC.read_text().splitlines() if line.startswith("| permission")
    )
    roles = [cell.strip() for cell in header.strip("|").split("|")][2:]
    matrix = {}
    for line in lines:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        perm = cells[0].strip("`")
        matrix[perm] = {
            role for role, mark in zip(roles, cells[2:], strict=True) if mark == "✓"
        }
    return matrix


def test_the_documented_matrix_is_the_code():
    documented = read_matrix()
    assert set(documented) == set(PERMISSIONS)
    for perm, roles in documented.items():
        assert roles == {role for role in Role if perm in ROLE_PERMISSIONS[role]}, perm


@pytest.mark.django_db
@pytest.mark.parametrize("scope_kind", ["district", "municipality", "library"])
def test_every_cell_in_and_out_of_scope(district, scope_kind):
    home_mun = MunicipalityFactory(district=district)
    away_mun = MunicipalityFactory(district=district)
    home = LibraryFactory(settlement=SettlementFactory(municipality=home_mun))
    away = LibraryFactory(settlement=SettlementFactory(municipality=away_mun))
    home_staff, away_staff = StaffFactory(library=home), StaffFactory(library=away)
    scope = {"district": district, "municipality": home_mun, "library": home}[
        scope_kind
    ]
    for role in Role:
        user = member(UserFactory(), role, scope)
        for perm in PERMISSIONS:
            granted = perm in ROLE_PERMISSIONS[role]
            target, outside = (
                (home_staff, away_staff)
                if perm.startswith("libraries.staff")
                else (home, away)
            )
            assert has_perm(user, perm, target) is granted, (role, perm, "in scope")
            # Out of scope only exists below the district level.
            assert has_perm(user, perm, outside) is (
                granted and scope_kind == "district"
            ), (role, perm, "out of scope")
            assert has_perm(user, perm) is granted, (role, perm, "anywhere")


@pytest.mark.django_db
def test_no_membership_means_no_permission(outsider, library):
    assert not any(has_perm(outsider, perm, library) for perm in PERMISSIONS)


@pytest.mark.django_db
def test_an_inactive_user_loses_every_permission(methodologist, library):
    methodologist.is_active = False
    assert not has_perm(methodologist, "libraries.library:view", library)


def test_an_unknown_permission_is_a_programming_error():
    with pytest.raises(ValueError):
        has_perm(None, "libraries.library:fly")
