"""Give organizations that existed before it the built-in `learning_compliance` KPI, off as
for new ones (`kpis.services.kpi_library_ensure`) until an admin turns it on. The values are
written out here, as they were when this ran, not read from the code."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import migrations

KEY = "learning_compliance"


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
            name="Learning compliance",
            description="Of the learning requirement items due by the period's end (or today), "
            "the share done. Off until an admin turns it on: it is computed from the "
            "requirements for each scorecard rather than summed from the rollup.",
            formula="learning_items_met / learning_items_due",
            unit="percent",
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
    dependencies = [("learning", "0005_training_hours_kpi")]

    operations = [migrations.RunPython(add_kpi, remove_kpi)]
