"""Backup and restore round trip, against the real server (pg_dump, pg_restore)."""

from __future__ import annotations

import pytest

from methodica.core.backup import create_backup, restore_backup
from methodica.libraries.models import Library
from tests.factories import LibraryFactory


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_database_and_the_files(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "imports").mkdir(parents=True)
    (tmp_path / "media" / "imports" / "scan.txt").write_text("original")
    library = LibraryFactory(name="НЧ „Преди архива“")
    archive = create_backup(tmp_path / "backup.tar")

    Library.objects.filter(pk=library.pk).update(name="changed after the backup")
    LibraryFactory(name="added after the backup")
    (tmp_path / "media" / "imports" / "scan.txt").write_text("overwritten")

    restore_backup(archive)

    assert list(Library.objects.values_list("name", flat=True)) == ["НЧ „Преди архива“"]
    assert (tmp_path / "media" / "imports" / "scan.txt").read_text() == "original"


def test_a_backup_with_a_path_outside_is_refused(tmp_path):
    import io
    import tarfile

    from methodica.core.backup import BackupError

    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        data = b"owned"
        info = tarfile.TarInfo("../../outside.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="suspicious"):
        restore_backup(archive)
    assert not (tmp_path.parent / "outside.txt").exists()
