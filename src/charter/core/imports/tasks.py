"""The background tasks behind the upload pages; each takes an id and calls the service.

Imports run in the long lane (`jobs.LONG_QUEUE`), so a big file never keeps a password-reset
mail or the tick waiting; the note about a killed import is short work, in the default lane.
"""

from __future__ import annotations

from django_tasks import task

from charter.core import emails
from charter.core.imports.runner import get_importer
from charter.core.imports.services import (
    RETRY_WINDOW,
    can_retry,
    import_run_execute_stored,
)
from charter.core.jobs import LONG_QUEUE
from charter.core.models import ImportRun


@task(queue_name=LONG_QUEUE)
def run_import(*, import_run_id: int) -> None:
    import_run_execute_stored(run_id=import_run_id)


@task()
def notify_import_abandoned(*, import_run_id: int) -> bool:
    run = ImportRun.objects.select_related("created_by").get(pk=import_run_id)
    if run.created_by is None or not run.created_by.email:
        return False
    importer = get_importer(run.kind)
    return emails.import_abandoned(
        run=run,
        importer_label=importer.label,
        run_path=importer.result_url(run),
        can_retry=can_retry(run),
        keep_until=(run.finished_at or run.created_at) + RETRY_WINDOW,
    )
