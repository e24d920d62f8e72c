"""The people upload page: the shared import steps of `core.imports.views`, for people.

Admins only. What the page says about people files lives in the org/import*.html templates.
"""

from __future__ import annotations

from typing import Any

from charter.core.imports.forms import UploadForm
from charter.core.imports.runner import get_importer
from charter.core.imports.views import ImportFlow
from charter.org.access import can_manage_org

KIND = "people"


def _upload_form(*args: Any, **kwargs: Any) -> UploadForm:
    # Built per request: the importer registry is complete only once the apps are ready.
    return UploadForm(*args, importer=get_importer(KIND), **kwargs)


PEOPLE_IMPORT = ImportFlow(
    kinds=(KIND,),
    namespace="org",
    upload_url="org:import_people",
    title="Import people",
    can_import=can_manage_org,
    denied="Only admins can import people.",
    upload_form=_upload_form,
    upload_template="org/import.html",
    preview_template="org/import_preview.html",
    status_template="org/import_run_status.html",
)
