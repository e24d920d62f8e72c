"""Give organizations that existed before 1:1s the built-in `one_on_ones_held` KPI, off as for
new ones (`kpis.services.kpi_library_ensure`) until an admin turns it on. The values are
written out here, as they were when this ran, not read from the code."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import migrations

KEY = "one_on_ones_held"


def add_kpi(apps: Any, schema_editor: Any) -> None:
    organization = apps.get_model("org", "Organization")
    definition_model = apps.get_model("kpis", "KpiDefinition")
    version_model = apps.get_model("kpis", "KpiVersion")
    for org in organization.objects.all():
        if definition_model.objects.filter(org=org, key=KEY).exists():
            continue
        definition = definition_model.objects.create(org=org, key=KEY, builtin=True)
        version_model.objects.create(
            definition=definition,
            number=1,
            name="1:1s held",
            description="1:1s with their manager marked held in the period. Off until an admin "
            "turns it on: it is computed from the meetings for each scorecard.",
            formula="one_on_ones_held",
            unit="count",
            direction="higher",
            decimals=0,
            weight=Decimal(0),
            active=False,
            score_cap=Decimal("1.5"),
            effective_from=dt.date(2000, 1, 1),
            reason="Built-in KPI",
        )


def remove_kpi(apps: Any, schema_editor: Any) -> None:
    definition_model = apps.get_model("kpis", "KpiDefinition")
    # Only those nobody has set targets for: a KPI with targets is someone's data now.
    definition_model.objects.filter(key=KEY, builtin=True, targets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_series_and_meetings"), ("kpis", "0011_contributed_metrics")]

    operations = [migrations.RunPython(add_kpi, remove_kpi)]
