from collections import defaultdict

from django.db import migrations, models

from charter.core.periods import Period
from charter.kpis.scoring import Revision, day_total


def fill_day_totals(apps, schema_editor):
    """Every existing target's day total, from its revisions (as `target_set` now keeps it)."""
    Target = apps.get_model("kpis", "Target")
    TargetRevision = apps.get_model("kpis", "TargetRevision")
    found = defaultdict(list)
    for target_id, value, effective_from in (
        TargetRevision.objects.order_by("target_id", "id")
        .values_list("target_id", "value", "effective_from")
        .iterator(chunk_size=5000)
    ):
        found[target_id].append(Revision(value=value, effective_from=effective_from))
    changed = []
    for target in Target.objects.filter(pk__in=list(found)).iterator(chunk_size=5000):
        period = Period(
            start=target.period_start,
            end=target.period_end,
            kind=target.period_kind,
            label=target.period_label,
        )
        target.day_total = day_total(found[target.pk], period)
        changed.append(target)
    Target.objects.bulk_update(changed, ["day_total"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_scorecard_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="target",
            name="day_total",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_day_totals, migrations.RunPython.noop),
    ]
