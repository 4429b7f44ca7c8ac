"""A starting table of monthly minimums by golongan and eselon. These are placeholder figures for
a new installation; every city sets its own in the back office."""

from django.db import migrations

DEFAULT_TABLE = [
    # (golongan, eselon, rupiah a month); "" golongan = any, "*" eselon = any
    ("", "*", 300_000),
    *[(f"I/{letter}", "*", 200_000) for letter in "abcd"],
    *[(f"II/{letter}", "*", 300_000) for letter in "abcd"],
    *[(f"III/{letter}", "*", 500_000) for letter in "abcd"],
    *[(f"IV/{letter}", "*", 750_000) for letter in "abcde"],
    ("", "IV.a", 750_000),
    ("", "IV.b", 750_000),
    ("", "III.a", 1_000_000),
    ("", "III.b", 1_000_000),
    ("", "II.a", 1_500_000),
    ("", "II.b", 1_500_000),
]


def load(apps, schema_editor):
    ObligationRule = apps.get_model("obligations", "ObligationRule")
    for golongan, eselon, amount in DEFAULT_TABLE:
        ObligationRule.objects.get_or_create(
            golongan=golongan, eselon=eselon, defaults={"amount": amount}
        )


class Migration(migrations.Migration):
    dependencies = [("obligations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
