"""Give organizations that existed before learning's KPIs the built-in `training_hours` KPI
(new ones get it with the rest of the library, `kpis.services.kpi_library_ensure`). The
values are written out here, as they were when this ran, not read from the code."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import migrations

KEY = "training_hours"


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
            name="Training hours",
            description="Hours of training completed in the period and approved (or imported "
            "from the LMS), on the day completed.",
            formula="training_hours",
            unit="count",
            direction="higher",
            decimals=1,
            weight=Decimal(0),
            score_cap=Decimal("1.5"),
            effective_from=dt.date(2000, 1, 1),
            reason="Built-in KPI",
        )


def remove_kpi(apps: Any, schema_editor: Any) -> None:
    definition_model = apps.get_model("kpis", "KpiDefinition")
    # Only those nobody has set targets for: a KPI with targets is someone's data now.
    definition_model.objects.filter(key=KEY, builtin=True, targets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0004_certifications"), ("kpis", "0011_contributed_metrics")]

    operations = [migrations.RunPython(add_kpi, remove_kpi)]
