"""Municipal boundaries from a GeoJSON FeatureCollection: reading and checking.

Each feature names its municipality by ``properties.code`` (the municipality's code
in the register) and carries a Polygon or MultiPolygon geometry in longitude,
latitude order (RFC 7946). The checks here are structural and need no GIS library:
rings of at least four positions that close on themselves, finite coordinates
within range, a bounded number of positions. Self-intersections are not detected;
a map draws such a shape anyway, just oddly.

Every problem of a file is collected, so the user sees them all at once; the
service (``services.load_boundaries``) writes nothing unless there are none.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# A municipality's outline is drawn on a page and stored on its row: a few thousand
# positions are plenty for a district map (simplify bigger files first, e.g. with
# mapshaper), and keep every row that carries it small.
MAX_POSITIONS = 5000
MAX_FEATURES = 1000


@dataclass(frozen=True)
class Boundary:
    code: str
    geometry: dict[str, Any]


class BoundaryFileError(Exception):
    """The file cannot be used; ``problems`` lists every reason, translated."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("a ring needs at least four positions")
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(_number(c) for c in position)
        ):
            return _("a position is not a pair of numbers")
        longitude, latitude = position[0], position[1]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            return _(
                "the position %(position)s is outside longitude -180..180, "
                "latitude -90..90"
            ) % {"position": json.dumps(position)}
    if ring[0][:2] != ring[-1][:2]:
        return _("a ring does not end where it starts")
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why ``geometry`` is not a usable Polygon or MultiPolygon, or None."""
    if not isinstance(geometry, Mapping):
        return _("the geometry is missing")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else [None]
    else:
        return _("the geometry is a %(kind)s, not a Polygon or MultiPolygon") % {
            "kind": str(kind)[:40]
        }
    if not polygons:
        return _("the geometry has no polygon")
    positions = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon has no rings")
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
            positions += len(ring)
    if positions > MAX_POSITIONS:
        return _(
            "the geometry has %(count)s positions, more than %(limit)s: simplify it"
        ) % {"count": positions, "limit": MAX_POSITIONS}
    return None


def clean_geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """Only what a map needs: the type and the coordinates (no foreign members)."""
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def summary(geometry: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A short, comparable account of a geometry for the audit trail: the whole
    outline would swamp the history, its hash still tells one version from another."""
    if geometry is None:
        return None
    text = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if geometry.get("type") == "Polygon" else coordinates
    return {
        "type": geometry.get("type"),
        "positions": sum(len(ring) for polygon in polygons for ring in polygon),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def read_boundaries(data: bytes, known_codes: set[str]) -> list[Boundary]:
    """The boundaries in a GeoJSON FeatureCollection; every problem is collected and
    raised together as :class:`BoundaryFileError`."""
    try:
        collection = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise BoundaryFileError(
            [_("The file is not GeoJSON (JSON in UTF-8).")]
        ) from None
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
    ):
        raise BoundaryFileError([_("The file is not a GeoJSON FeatureCollection.")])
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileError([_("The file has no features.")])
    if len(features) > MAX_FEATURES:
        raise BoundaryFileError(
            [_("The file has more than %(limit)s features.") % {"limit": MAX_FEATURES}]
        )
    problems: list[str] = []
    found: dict[str, Boundary] = {}
    for number, feature in enumerate(features, start=1):
        problem, boundary = _read_feature(feature, known_codes, found)
        if problem:
            problems.append(
                _("Feature %(number)s: %(problem)s.")
                % {"number": number, "problem": problem}
            )
        elif boundary is not None:
            found[boundary.code] = boundary
    if problems:
        raise BoundaryFileError(problems)
    return list(found.values())


def _read_feature(
    feature: Any, known_codes: set[str], found: Mapping[str, Boundary]
) -> tuple[str | None, Boundary | None]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return _("it is not a GeoJSON Feature"), None
    properties = feature.get("properties")
    code = properties.get("code") if isinstance(properties, dict) else None
    if not isinstance(code, str) or not code.strip():
        return _("it has no municipality code (properties.code)"), None
    code = code.strip()
    if code not in known_codes:
        return _("no municipality of the district has the code %(code)s") % {
            "code": code[:20]
        }, None
    if code in found:
        return _("the municipality %(code)s appears twice") % {"code": code}, None
    problem = geometry_problem(feature.get("geometry"))
    if problem:
        return _("%(code)s: %(problem)s") % {"code": code, "problem": problem}, None
    return None, Boundary(code, clean_geometry(feature["geometry"]))
