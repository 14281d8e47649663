"""Generate the demo district's SCHEMATIC municipal boundaries.

    .venv/bin/python scripts/make_demo_boundaries.py

writes ``methodica/libraries/demo/boundaries.geojson``. These are not the official
borders: every settlement and demo library of Stara Zagora district (its coordinates
from ``libraries/demo``) gets its Voronoi cell, the cells are merged per
municipality and clipped to a rounded hull around all of them. So each demo library
lies in its own municipality's shape, and the map of the consolidation has something
plausible to shade. A real installation loads real boundaries with
``manage.py load_boundaries``.

Needs shapely (a dev dependency); the application itself never imports it.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "methodica" / "libraries" / "demo" / "boundaries.geojson"
PLACES = 4  # decimal places of a coordinate: about 10 m, plenty for a schematic map


def _setup() -> None:
    """The demo plan lives in the app: load Django (no database is touched)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "methodica.settings")
    os.environ.setdefault("METHODICA_DEBUG", "1")
    import django

    django.setup()


def _points() -> dict[str, list[tuple[float, float]]]:
    """Every settlement's and planned library's (lon, lat), by municipality code."""
    from methodica.libraries.demo import build_plan
    from methodica.libraries.demo.data import MUNICIPALITIES

    by_ekatte = {}
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for mun in MUNICIPALITIES:
        for settlement in mun.settlements:
            by_ekatte[settlement.ekatte] = mun.code
            points[mun.code].append(
                (float(settlement.longitude), float(settlement.latitude))
            )
    for planned in build_plan():
        fields = planned.fields
        points[by_ekatte[planned.ekatte]].append(
            (float(fields["longitude"]), float(fields["latitude"]))
        )
    return points


def build() -> dict:
    from shapely import set_precision, voronoi_polygons
    from shapely.geometry import MultiPoint, Point, mapping
    from shapely.ops import unary_union

    from methodica.libraries.demo.data import MUNICIPALITIES

    points = _points()
    everything = MultiPoint([p for code in points for p in points[code]])
    # A rounded hull a few kilometres beyond the outermost places.
    hull = everything.convex_hull.buffer(0.06, quad_segs=4)
    cells = voronoi_polygons(everything, extend_to=hull)
    owner = {p: code for code, ps in points.items() for p in ps}
    pieces = defaultdict(list)
    for cell in cells.geoms:
        inside = [p for p in owner if cell.contains(Point(p))]
        if inside:
            pieces[owner[inside[0]]].append(cell.intersection(hull))
    grid = 10**-PLACES
    features = []
    for mun in MUNICIPALITIES:
        shape = unary_union(pieces[mun.code]).simplify(grid * 5)
        shape = set_precision(shape, grid)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": mun.code, "name": mun.name},
                "geometry": mapping(shape),
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "Stara Zagora district: SCHEMATIC demo boundaries",
        "description": (
            "Not the official borders: Voronoi cells of the demo settlements and "
            "libraries, merged per municipality (scripts/make_demo_boundaries.py)."
        ),
        "features": features,
    }


def _rounded(value):
    if isinstance(value, float):
        return round(value, PLACES)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def main() -> None:
    _setup()
    collection = _rounded(build())
    OUTPUT.write_text(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    print(f"{OUTPUT.relative_to(ROOT)}: {len(collection['features'])} municipalities")


if __name__ == "__main__":
    main()
