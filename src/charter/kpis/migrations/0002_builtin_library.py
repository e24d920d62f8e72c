"""Give organizations that existed before the KPI pillar the built-in KPI library (new ones get
it when they are created)."""

from typing import Any

from django.db import migrations


def add_library(apps: Any, schema_editor: Any) -> None:
    from charter.kpis.library import BUILTIN_EFFECTIVE_FROM, BUILTINS, DEFAULT_SCORE_CAP

    organization = apps.get_model("org", "Organization")
    definition_model = apps.get_model("kpis", "KpiDefinition")
    version_model = apps.get_model("kpis", "KpiVersion")
    for org in organization.objects.all():
        have = set(definition_model.objects.filter(org=org).values_list("key", flat=True))
        for builtin in BUILTINS:
            if builtin.key in have:
                continue
            definition = definition_model.objects.create(org=org, key=builtin.key, builtin=True)
            version_model.objects.create(
                definition=definition,
                number=1,
                name=builtin.name,
                description=builtin.description,
                formula=builtin.formula,
                unit=builtin.unit,
                direction=builtin.direction,
                decimals=builtin.decimals,
                weight=builtin.weight,
                score_cap=DEFAULT_SCORE_CAP,
                effective_from=BUILTIN_EFFECTIVE_FROM,
                reason="Built-in KPI",
            )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0001_initial"), ("org", "0001_initial")]

    operations = [migrations.RunPython(add_library, migrations.RunPython.noop)]
