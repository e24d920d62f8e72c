"""The data version moves from the scorecard settings to its own table in the org app
(`org.versions`), where every service that changes figures can raise it. Each organization keeps
its number: a page cached under it in a shared cache stays the page of that data."""

from typing import Any

from django.db import migrations


def to_org(apps: Any, schema_editor: Any) -> None:
    organization = apps.get_model("org", "Organization")
    data_version = apps.get_model("org", "DataVersion")
    settings = apps.get_model("kpis", "ScorecardSettings")
    counted = dict(settings.objects.values_list("org_id", "data_version"))
    for org_id in organization.objects.values_list("pk", flat=True):
        data_version.objects.update_or_create(
            org_id=org_id, defaults={"version": counted.get(org_id, 0)}
        )


def to_settings(apps: Any, schema_editor: Any) -> None:
    data_version = apps.get_model("org", "DataVersion")
    settings = apps.get_model("kpis", "ScorecardSettings")
    for org_id, version in data_version.objects.values_list("org_id", "version"):
        settings.objects.update_or_create(org_id=org_id, defaults={"data_version": version})


class Migration(migrations.Migration):
    dependencies = [("kpis", "0005_scorecard_auto_close"), ("org", "0002_data_version")]

    operations = [migrations.RunPython(to_org, to_settings)]
