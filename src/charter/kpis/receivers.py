"""What the KPI pillar derives from other apps' events: the rollups follow the CRM's fact
writes and owner changes and the organization's time zone, and a new organization gets the
built-in KPI library. (The data version the page cache keys on is raised by each service that
changes figures, see `org.versions`, not here.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from charter.core.jobs import job_create
from charter.crm.signals import facts_reattributed, facts_writing
from charter.kpis import rollups
from charter.org.models import Organization
from charter.org.signals import time_zone_changed


@receiver(facts_writing, dispatch_uid="kpis.rollups.facts_writing")
def _facts_writing(sender: Any, **kwargs: Any) -> rollups.RollupWriter | None:
    if sender not in rollups.FACT_MODELS:
        return None
    return rollups.RollupWriter(org=kwargs["org"], model=sender)


@receiver(facts_reattributed, dispatch_uid="kpis.rollups.facts_reattributed")
def _facts_reattributed(sender: Any, **kwargs: Any) -> None:
    rollups.rebuild_people(org=kwargs["org"], person_ids=kwargs["person_ids"])


@receiver(post_save, sender=Organization, dispatch_uid="kpis.library.org_created")
def _org_created(sender: Any, instance: Organization, created: bool, **kwargs: Any) -> None:
    # Every organization starts with the built-in KPI library, however it was created.
    if created and not kwargs.get("raw"):
        from charter.kpis.services import kpi_library_ensure

        kpi_library_ensure(org=instance, audited=False)


@receiver(time_zone_changed, dispatch_uid="kpis.rollups.time_zone_changed")
def _time_zone_changed(sender: Any, **kwargs: Any) -> None:
    # Activities count on their local day: a new time zone moves some of them to another day.
    from charter.kpis import tasks

    org = kwargs["org"]
    job = job_create(
        kind="kpis.rollups",
        title=f"Recompute KPI rollups for the time zone {org.time_zone}",
        org=org,
        actor=kwargs.get("actor"),
    )
    transaction.on_commit(lambda: tasks.rebuild_rollups.enqueue(org_id=org.pk, job_id=job.pk))
