"""Give the jobs started before jobs had an organization their organization, so each person
keeps seeing their own. A job takes the organization of its import run, else of the person who
started it, else the only organization there is; a job none of these places keeps none (nobody
sees it rather than the wrong organization)."""

from collections import defaultdict
from typing import Any

from django.db import migrations

BATCH = 500


def forwards(apps: Any, schema_editor: Any) -> None:
    Job = apps.get_model("core", "Job")
    ImportRun = apps.get_model("core", "ImportRun")
    Organization = apps.get_model("org", "Organization")
    Person = apps.get_model("org", "Person")
    orgs = list(Organization.objects.values_list("pk", flat=True)[:2])
    if not orgs:
        return
    only_org = orgs[0] if len(orgs) == 1 else None
    org_of_run_job = dict(
        ImportRun.objects.filter(job__isnull=False, job__org__isnull=True).values_list(
            "job_id", "org_id"
        )
    )
    org_of_user = dict(Person.objects.filter(user__isnull=False).values_list("user_id", "org_id"))
    jobs_of_org: dict[int, list[int]] = defaultdict(list)
    for job_id, user_id in Job.objects.filter(org__isnull=True).values_list("pk", "created_by_id"):
        org_id = org_of_run_job.get(job_id) or org_of_user.get(user_id) or only_org
        if org_id is not None:
            jobs_of_org[org_id].append(job_id)
    for org_id, job_ids in jobs_of_org.items():
        for start in range(0, len(job_ids), BATCH):
            Job.objects.filter(pk__in=job_ids[start : start + BATCH]).update(org_id=org_id)


def backwards(apps: Any, schema_editor: Any) -> None:
    Job = apps.get_model("core", "Job")
    Job.objects.update(org_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_job_org"),
        ("org", "0002_data_version"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
