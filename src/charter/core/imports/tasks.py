"""The background task behind the upload pages; it takes an id and calls the service."""

from __future__ import annotations

from django_tasks import task

from charter.core.imports.services import import_run_execute_stored


@task()
def run_import(*, import_run_id: int) -> None:
    import_run_execute_stored(run_id=import_run_id)
