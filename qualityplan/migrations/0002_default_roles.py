"""The roles every municipality starts with. They are data: rename, add or remove them."""

from django.db import migrations

DEFAULT_ROLES = [
    # code, name, scope, reports_status, manages_plan, approves_reports
    ("KD", "Kommunaldirektør", "organisation", False, False, True),
    ("KUK", "Kvalitet- og utviklingskontoret", "organisation", True, True, True),
    ("OL", "Områdeleder", "subtree", False, False, True),
    ("VL", "Virksomhetsleder", "subtree", True, False, False),
    ("AL", "Avdelingsleder", "subtree", True, False, False),
    ("ANS", "Ansatt", "none", False, False, False),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("qualityplan", "Role")
    for code, name, scope, reports, manages, approves in DEFAULT_ROLES:
        Role.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "scope": scope,
                "reports_status": reports,
                "manages_plan": manages,
                "approves_reports": approves,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("qualityplan", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
