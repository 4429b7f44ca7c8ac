"""Keyword indexes for search: see peken.catalog.search_index for what each database gets."""

from django.db import migrations

from peken.catalog.search_index import install, remove


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_city_defaults"),
        ("merchants", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, remove)]
