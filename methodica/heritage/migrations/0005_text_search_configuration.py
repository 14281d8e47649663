"""The ``bg`` text-search configuration (Hunspell Bulgarian, or ``simple``)."""

from django.db import migrations


def install(apps, schema_editor):
    from methodica.heritage import textsearch_setup

    textsearch_setup.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from methodica.heritage import textsearch_setup

    textsearch_setup.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("heritage", "0004_pages_text_batches")]

    operations = [migrations.RunPython(install, uninstall)]
