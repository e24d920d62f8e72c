"""Background jobs of the KPI pillar: load by id, then call the real code."""

from __future__ import annotations

from django_tasks import task

from charter.accounts.emails import wants
from charter.core.jobs import LONG_QUEUE, job_finish, job_progress, job_start
from charter.core.models import Job
from charter.kpis import emails, rollups
from charter.kpis.selectors import changes
from charter.org.models import Organization


# A rebuild walks every person-day of an organization: the long lane, away from mail.
@task(queue_name=LONG_QUEUE)
def rebuild_rollups(*, org_id: int, job_id: int | None = None) -> int:
    org = Organization.objects.get(pk=org_id)
    job = Job.objects.filter(pk=job_id).first() if job_id is not None else None
    if job is not None:
        job_start(job)

    def progress(done: int, total: int) -> None:
        if job is not None:
            job_progress(job, done=done, total=total, message=f"{done} of {total} people")

    try:
        written = rollups.rebuild(org=org, progress=progress)
    except Exception as exc:
        if job is not None:
            job_finish(job, ok=False, message=f"Failed: {exc}")
        raise
    if job is not None:
        job_finish(job, ok=True, message=f"{written:,} person-days recomputed")
    return written


@task()
def notify_target_changed(*, revision_id: int) -> bool:
    """Tell a person their target changed, unless they turned such emails off."""
    change = changes.target_change(revision_id)
    if change is None:
        return False
    person = change.person
    if not person.email or not person.is_active or person.user is None:
        return False
    if not wants(person.user, "targets"):
        return False
    return emails.target_changed(change=change)
