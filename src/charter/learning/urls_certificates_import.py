"""The certificates upload pages (`charter import certifications` on the web), included by
`learning.urls` under their own namespace: the shared import views look their pages up by the
same names for every flow."""

from django.urls import path

from charter.core.imports import views as import_views
from charter.learning.views.imports import CERTIFICATES_IMPORT

_flow = {"flow": CERTIFICATES_IMPORT}
urlpatterns = [
    path("", import_views.upload, _flow, name="upload"),
    path("<int:run_id>/", import_views.run_page, _flow, name="import_run"),
    path("<int:run_id>/errors.csv", import_views.errors_csv, _flow, name="import_errors"),
    path("<int:run_id>/rejected.csv", import_views.rejected_csv, _flow, name="import_rejected"),
]
