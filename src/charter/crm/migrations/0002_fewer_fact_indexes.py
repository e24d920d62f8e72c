"""Drop the single-column indexes on the fact tables' org and owner (the composite indexes serve
those lookups). Done with DROP INDEX rather than Django's AlterField, which on SQLite copies the
whole table: an upgrade with millions of facts takes a moment instead of many minutes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0001_initial'),
        ('org', '0001_initial'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='activity',
            name='org',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organization'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.person'),
        ),
        migrations.AlterField(
            model_name='csatresponse',
            name='org',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organization'),
        ),
        migrations.AlterField(
            model_name='csatresponse',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.person'),
        ),
        migrations.AlterField(
            model_name='deal',
            name='org',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organization'),
        ),
        migrations.AlterField(
            model_name='deal',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.person'),
        ),
    ]

    # Django's names for these FK indexes are the same on SQLite and PostgreSQL.
    INDEXES = [
        ("crm_activity", "org_id", "crm_activity_org_id_1c21cfe4"),
        ("crm_activity", "owner_id", "crm_activity_owner_id_961b1d34"),
        ("crm_csatresponse", "org_id", "crm_csatresponse_org_id_b8dba50e"),
        ("crm_csatresponse", "owner_id", "crm_csatresponse_owner_id_b9dac6a0"),
        ("crm_deal", "org_id", "crm_deal_org_id_d927ff0c"),
        ("crm_deal", "owner_id", "crm_deal_owner_id_81e384bc"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in INDEXES
            ],
        )
    ]
