"""Fill the new `won_cycle_count` metric and let the built-in average sales cycle divide by it.

Until deals could be imported without a created date (crm 0004, in the same release), every
won deal had one, so the won deals with a cycle are exactly the won deals: the rollups copy
`deals_won_count`, and the built-in formula over the new metric gives every figure it gave
before. That is why the versions are rewritten rather than given a new version: no number of
any period, open or closed, changes.
"""

from typing import Any

from django.db import migrations
from django.db.models import F

OLD_FORMULA = "won_cycle_days_sum / deals_won_count"
NEW_FORMULA = "won_cycle_days_sum / won_cycle_count"


def _rollups(apps: Any) -> list[Any]:
    return [apps.get_model("kpis", "DailyMetrics"), apps.get_model("kpis", "MonthlyMetrics")]


def forward(apps: Any, schema_editor: Any) -> None:
    for model in _rollups(apps):
        model.objects.update(won_cycle_count=F("deals_won_count"))
    versions = apps.get_model("kpis", "KpiVersion").objects.filter(
        definition__builtin=True, definition__key="avg_cycle_days", formula=OLD_FORMULA
    )
    versions.update(formula=NEW_FORMULA)


def backward(apps: Any, schema_editor: Any) -> None:
    versions = apps.get_model("kpis", "KpiVersion").objects.filter(
        definition__builtin=True, definition__key="avg_cycle_days", formula=NEW_FORMULA
    )
    versions.update(formula=OLD_FORMULA)
    for model in _rollups(apps):
        model.objects.update(won_cycle_count=0)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0009_won_cycle_count"), ("crm", "0004_deal_created_date_optional")]

    operations = [migrations.RunPython(forward, backward)]
