"""Background work a person can watch: create a Job, then report progress from the task."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from charter.core.models import Job


def job_create(*, kind: str, title: str, actor: Any, total: int | None = None) -> Job:
    return Job.objects.create(
        kind=kind,
        title=title,
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
        progress_total=total,
    )


def job_start(job: Job, *, total: int | None = None) -> None:
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    if total is not None:
        job.progress_total = total
    job.save(update_fields=["status", "started_at", "progress_total"])


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    # Call this outside the write transaction (e.g. while validating) so pollers can see it.
    fields: dict[str, Any] = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


def job_finish(job: Job, *, ok: bool, message: str = "", result_url: str = "") -> None:
    job.status = Job.Status.SUCCEEDED if ok else Job.Status.FAILED
    job.finished_at = timezone.now()
    job.message = message or job.message
    job.result_url = result_url or job.result_url
    job.save(update_fields=["status", "finished_at", "message", "result_url"])
