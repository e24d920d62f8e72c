"""The completions and certificates upload pages: the shared import pages, given this app's
flows. The certificates pages live in a namespace of their own (`learning:certificates_import`)
so both flows keep the shared views' URL names (`import_run`, `import_errors`, ...)."""

from __future__ import annotations

from typing import Any

from charter.core.imports.forms import UploadForm
from charter.core.imports.runner import get_importer
from charter.core.imports.views import ImportFlow
from charter.learning.access import can_import_completions
from charter.learning.importers import CERTIFICATES_KIND, IMPORT_KIND


def _upload_form(*args: Any, **kwargs: Any) -> UploadForm:
    # Built per request: the importer registry is complete only once the apps are ready.
    return UploadForm(*args, importer=get_importer(IMPORT_KIND), **kwargs)


def _certificates_form(*args: Any, **kwargs: Any) -> UploadForm:
    return UploadForm(*args, importer=get_importer(CERTIFICATES_KIND), **kwargs)


COMPLETIONS_IMPORT = ImportFlow(
    kinds=(IMPORT_KIND,),
    namespace="learning",
    upload_url="learning:completions_import",
    title="Import completions",
    can_import=can_import_completions,
    denied="Only admins import completions; everyone reports their own on their learning page.",
    upload_form=_upload_form,
    upload_template="learning/import.html",
    preview_template="learning/import_preview.html",
    status_template="learning/import_run_status.html",
    errors_filename="completions-import-{pk}-errors-{stamp}.csv",
)

CERTIFICATES_IMPORT = ImportFlow(
    kinds=(CERTIFICATES_KIND,),
    namespace="learning:certificates_import",
    upload_url="learning:certificates_import:upload",
    title="Import certificates",
    can_import=can_import_completions,
    denied="Only admins import certificates; anyone records their own on the certificates page.",
    upload_form=_certificates_form,
    upload_template="learning/import_certificates.html",
    preview_template="learning/import_certificates_preview.html",
    status_template="learning/import_certificates_status.html",
    errors_filename="certificates-import-{pk}-errors-{stamp}.csv",
    rejected_filename="certificates-import-{pk}-rejected-rows-{stamp}.csv",
)
