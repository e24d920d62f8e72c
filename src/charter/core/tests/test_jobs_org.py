"""Every job belongs to an organization: new ones from `job_create`, old ones from the
backfill migration (the import run's organization, else the starter's, else the only one)."""

from __future__ import annotations

import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from charter.core import jobs
from charter.core.models import ImportRun, Job

BACKFILL = "0006_job_org_backfill"


def _migration():
    return importlib.import_module(f"charter.core.migrations.{BACKFILL}")


def _state_apps():
    return MigrationLoader(connection).project_state(("core", BACKFILL)).apps


def _old_job(actor=None) -> Job:
    """A job as written before jobs had an organization."""
    return Job.objects.create(kind="import", title="Import deals from file.csv", created_by=actor)


def _org_of(*rows: Job) -> list[int | None]:
    org_of = dict(Job.objects.values_list("pk", "org_id"))
    return [org_of[row.pk] for row in rows]


def test_a_new_job_belongs_to_the_organization_it_was_created_for(everyone, globex):
    job = jobs.job_create(
        kind="import", title="Import deals", org=globex["admin"].org, actor=globex["admin"].user
    )
    job.refresh_from_db()
    assert job.org_id == globex["admin"].org_id


def test_old_jobs_take_their_import_runs_then_their_starters_organization(everyone, globex):
    acme_id, globex_id = everyone["admin"].org_id, globex["admin"].org_id
    # Started by an Acme admin, but the run says the file was Globex's: the run wins.
    of_globex_run = _old_job(everyone["admin"].user)
    ImportRun.objects.create(
        org=globex["admin"].org, kind="deals", filename="f.csv", job=of_globex_run
    )
    by_acme_rep = _old_job(everyone["rep"].user)
    by_globex_rep = _old_job(globex["rep"].user)
    by_nobody = _old_job()
    already_placed = _old_job(globex["rep"].user)
    Job.objects.filter(pk=already_placed.pk).update(org_id=acme_id)

    _migration().forwards(_state_apps(), None)

    assert _org_of(of_globex_run, by_acme_rep, by_globex_rep, by_nobody, already_placed) == [
        globex_id,
        acme_id,
        globex_id,
        None,
        acme_id,
    ]


def test_with_one_organization_every_old_job_is_its(everyone):
    rows = [_old_job(), _old_job(everyone["rep"].user)]
    _migration().forwards(_state_apps(), None)
    assert _org_of(*rows) == [everyone["admin"].org_id] * 2


def test_the_backfill_is_undone_by_emptying_the_column(everyone):
    job = _old_job(everyone["rep"].user)
    apps = _state_apps()
    _migration().forwards(apps, None)
    _migration().backwards(apps, None)
    assert _org_of(job) == [None]
