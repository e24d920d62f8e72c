"""Emailing a published version to its audience, with a delivery log per recipient."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse

from charter.core import audit
from charter.core.jobs import job_create
from charter.expectations.models import Delivery, Distribution, DocumentVersion
from charter.org.models import Person


def distribution_start(
    *, version: DocumentVersion, actor: Any, people: Sequence[Person] | None = None
) -> Distribution:
    """Create one delivery row per person in the audience (or per person of `people`: the
    newcomers to it); a background job sends them."""
    from charter.expectations import tasks
    from charter.expectations.selectors import audience_people

    with transaction.atomic():
        people = list(audience_people(version.document) if people is None else people)
        job = job_create(
            kind="expectations.distribution",
            title=f"Email {version} to {len(people)} people",
            org=version.document.org,
            actor=actor,
            total=len(people),
        )
        distribution = Distribution.objects.create(
            version=version, created_by=actor if getattr(actor, "pk", None) else None, job=job
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    distribution=distribution,
                    person=p,
                    email=p.email,
                    status=Delivery.Status.PENDING if p.email else Delivery.Status.SKIPPED,
                )
                for p in people
            ]
        )
        job.result_url = reverse("expectations:distribution", args=[distribution.pk])
        job.save(update_fields=["result_url"])
        audit.record(
            actor=actor,
            action="expectations.version.distributed",
            obj=version,
            after={"recipients": len(people)},
        )
        did = distribution.pk
        transaction.on_commit(lambda: tasks.send_distribution.enqueue(distribution_id=did))
    return distribution
