"""The demo district: Stara Zagora, its ~200 libraries, their staff, and a demo
user for every role.

Everything here is demo data (see :mod:`methodica.libraries.demo.data` for what is
real and what is made up): EKATTE codes, register numbers (``DR-...``) and
chitalishte numbers (``D-...``) are generated, people are fictitious, and every
email address is at example.org. The municipalities' boundaries
(``boundaries.geojson``) are SCHEMATIC, not the official borders: Voronoi cells of
the demo places merged per municipality, made by ``scripts/make_demo_boundaries.py``.

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

from methodica.libraries.demo.load import (
    DEMO_EXTENSIONS,
    load_demo_district,
    register_demo_extension,
)
from methodica.libraries.demo.plan import (
    DEMO_PASSWORD,
    DEMO_USERS,
    build_plan,
    demo_logins,
)

__all__ = [
    "DEMO_EXTENSIONS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "build_plan",
    "demo_logins",
    "load_demo_district",
    "register_demo_extension",
]
