"""Close spellings from a vocabulary instead of trigram indexes over every text (PostgreSQL; see
peken.catalog.search_index)."""

from django.db import migrations

from peken.catalog.search_index import vocabulary_install, vocabulary_remove


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_search_index"),
    ]

    operations = [migrations.RunPython(vocabulary_install, vocabulary_remove)]
