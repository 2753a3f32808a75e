"""The categories every municipality starts with. They are data: rename, add or hide them."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    "Legemiddel",
    "Fall",
    "Infeksjon",
    "Informasjonssikkerhet",
    "Tjenestesvikt",
    "HMS",
    "Annet",
]


def create_categories(apps, schema_editor):
    DeviationCategory = apps.get_model("deviations", "DeviationCategory")
    for position, name in enumerate(DEFAULT_CATEGORIES, start=1):
        DeviationCategory.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("deviations", "0001_initial")]
    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
