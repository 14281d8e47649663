"""The ``bg`` text-search configuration: Hunspell's Bulgarian, ``simple`` after it.

PostgreSQL ships no Bulgarian stemmer. Debian's ``hunspell-bg`` dictionary, copied
into the server's ``share/tsearch_data/`` as ``bg_bg.dict``/``bg_bg.affix``, works
as an ispell dictionary (``читалищата`` → ``читалище``); words it does not know
(names, place adjectives) fall through to ``simple``. Where the files are missing
the configuration is still created, as a copy of ``simple``, so that the
application works everywhere; :func:`has_bulgarian_stemming` tells the search page
to say so to staff.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

CONFIGURATION = "bg"
DICTIONARY = "bulgarian_hunspell"
DICTIONARY_FILES = "bg_bg"

_CREATE_DICTIONARY = (
    f"CREATE TEXT SEARCH DICTIONARY {DICTIONARY} (TEMPLATE = ispell, "
    f"DictFile = {DICTIONARY_FILES}, AffFile = {DICTIONARY_FILES})"
)
_MAPPED = "word, hword, hword_part"


def install(connection: Any) -> bool:
    """Create (or recreate) ``bg``; True when the Hunspell dictionary is in it.

    CREATE TEXT SEARCH DICTIONARY loads the files to check them, so a missing or
    broken dictionary fails there, inside a savepoint, and ``bg`` falls back to
    ``simple``.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}")
        cursor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {DICTIONARY}")
        cursor.execute(
            f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = simple)"
        )
        cursor.execute("SAVEPOINT bg_dictionary")
        try:
            cursor.execute(_CREATE_DICTIONARY)
        except Exception as error:  # noqa: BLE001 - any failure means: no dictionary
            cursor.execute("ROLLBACK TO SAVEPOINT bg_dictionary")
            logger.error(
                "Bulgarian stemming is NOT installed: the Hunspell dictionary "
                "%s.dict/.affix could not be loaded (%s). The 'bg' text-search "
                "configuration is a copy of 'simple'; install hunspell-bg and run "
                "'methodica manage heritage_reindex --install-dictionary'.",
                DICTIONARY_FILES,
                error,
            )
            return False
        cursor.execute("RELEASE SAVEPOINT bg_dictionary")
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
            f"ALTER MAPPING FOR {_MAPPED} WITH {DICTIONARY}, simple"
        )
    return True


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}")
        cursor.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {DICTIONARY}")


def has_bulgarian_stemming(connection: Any) -> bool:
    """Does ``bg`` map words to the Hunspell dictionary (not only to ``simple``)?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_ts_config c "
            "JOIN pg_ts_config_map m ON m.mapcfg = c.oid "
            "JOIN pg_ts_dict d ON d.oid = m.mapdict "
            "WHERE c.cfgname = %s AND d.dictname = %s)",
            [CONFIGURATION, DICTIONARY],
        )
        return bool(cursor.fetchone()[0])
