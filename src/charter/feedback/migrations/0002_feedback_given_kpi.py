"""Give organizations that existed before feedback the built-in `feedback_given` KPI, off as for
new ones (`kpis.services.kpi_library_ensure`) until an admin turns it on. The values are
written out here, as they were when this ran, not read from the code."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import migrations

KEY = "feedback_given"


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
            name="Feedback given",
            description="Praise and constructive feedback given to colleagues in the period. Off "
            "until an admin turns it on: counting feedback as a performance figure is the "
            "organization's choice.",
            formula="feedback_given",
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
    dependencies = [("feedback", "0001_feedback_and_badges"), ("kpis", "0011_contributed_metrics")]

    operations = [migrations.RunPython(add_kpi, remove_kpi)]
