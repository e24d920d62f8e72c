"""Owner keys indexed only where no person owns the row (a partial index), instead of on every
row: every lookup by owner key is for unmatched rows, and each matched row an import writes no
longer costs a write in that index. The old index goes with DROP INDEX rather than Django's
AlterField, which on SQLite copies the whole table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("crm", "0002_fewer_fact_indexes"),
        ("org", "0001_initial"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name=model,
            name="owner_key",
            field=models.CharField(blank=True, max_length=200),
        )
        for model in ("activity", "csatresponse", "deal")
    ]

    # Django's names for the db_index=True indexes, the same on SQLite and PostgreSQL (where a
    # text column also has a "_like" twin for LIKE lookups).
    INDEXES = [
        ("crm_activity", "crm_activity_owner_key_bdd4bf0c"),
        ("crm_csatresponse", "crm_csatresponse_owner_key_6edab480"),
        ("crm_deal", "crm_deal_owner_key_c718953f"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"; DROP INDEX IF EXISTS "{name}_like"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("owner_key")',
                )
                for table, name in INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("owner__isnull", True)),
                fields=["org", "owner_key"],
                name="crm_activity_unmatched_owner",
            ),
        ),
        migrations.AddIndex(
            model_name="csatresponse",
            index=models.Index(
                condition=models.Q(("owner__isnull", True)),
                fields=["org", "owner_key"],
                name="crm_csat_unmatched_owner",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("owner__isnull", True)),
                fields=["org", "owner_key"],
                name="crm_deal_unmatched_owner",
            ),
        ),
    ]
