"""The defaults a city starts with: product categories and the goods that may not be sold
(gold and precious metals, cigarettes, alcohol, prescription drugs, weapons). Cities edit both
in the back office."""

from django.db import migrations

CATEGORIES = [
    ("sembako", "Sembako"),
    ("makanan-minuman", "Makanan dan minuman kemasan"),
    ("kuliner", "Kuliner siap santap"),
    ("sayur-buah", "Sayur, buah dan lauk segar"),
    ("kebutuhan-rumah", "Kebutuhan rumah tangga"),
    ("perawatan-diri", "Perawatan diri"),
    ("kerajinan", "Kerajinan"),
    ("fashion", "Fashion dan batik"),
    ("alat-tulis", "Alat tulis dan kantor"),
    ("lainnya", "Lainnya"),
]
PROHIBITED = [
    ("emas", "Emas dan logam mulia"),
    ("logam mulia", "Emas dan logam mulia"),
    ("perak batangan", "Emas dan logam mulia"),
    ("antam", "Emas dan logam mulia"),
    ("rokok", "Rokok dan produk tembakau"),
    ("cerutu", "Rokok dan produk tembakau"),
    ("tembakau", "Rokok dan produk tembakau"),
    ("vape", "Rokok dan produk tembakau"),
    ("bir", "Minuman beralkohol"),
    ("wine", "Minuman beralkohol"),
    ("arak", "Minuman beralkohol"),
    ("miras", "Minuman beralkohol"),
    ("minuman beralkohol", "Minuman beralkohol"),
    ("vodka", "Minuman beralkohol"),
    ("whisky", "Minuman beralkohol"),
    ("antibiotik", "Obat keras (dengan resep dokter)"),
    ("amoxicillin", "Obat keras (dengan resep dokter)"),
    ("obat keras", "Obat keras (dengan resep dokter)"),
    ("resep dokter", "Obat keras (dengan resep dokter)"),
    ("senjata", "Senjata"),
    ("senapan", "Senjata"),
    ("airsoft", "Senjata"),
    ("pistol", "Senjata"),
    ("amunisi", "Senjata"),
    ("pisau lipat", "Senjata"),
]


def load(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    ProhibitedTerm = apps.get_model("catalog", "ProhibitedTerm")
    for position, (slug, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    for term, reason in PROHIBITED:
        ProhibitedTerm.objects.get_or_create(term=term, defaults={"reason": reason})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
