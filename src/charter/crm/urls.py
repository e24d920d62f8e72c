from django.urls import path

from charter.core.imports import views as import_steps
from charter.crm.views import browse, imports

app_name = "crm"
# Extra arguments of the shared import views: which import pages these are.
flow = {"flow": imports.CRM_IMPORT}

urlpatterns = [
    # Import side: uploads, unmatched owners, exchange rates.
    path("import/", import_steps.upload, flow, name="import"),
    path("import/<int:run_id>/", import_steps.run_page, flow, name="import_run"),
    path("import/<int:run_id>/errors.csv", import_steps.errors_csv, flow, name="import_errors"),
    path(
        "import/<int:run_id>/rejected.csv", import_steps.rejected_csv, flow, name="import_rejected"
    ),
    path("owners/", imports.owners, name="owners"),
    path("rates/", imports.rates, name="rates"),
    # Browsing and exports (crm.views.browse).
    path("deals/", browse.deals, name="deals"),
    path("deals/export.csv", browse.deals_csv, name="deals_csv"),
    path("deals/export.xlsx", browse.deals_xlsx, name="deals_xlsx"),
    path("activities/", browse.activities, name="activities"),
    path("activities/export.csv", browse.activities_csv, name="activities_csv"),
    path("activities/export.xlsx", browse.activities_xlsx, name="activities_xlsx"),
    path("csat/", browse.csat, name="csat"),
    path("csat/export.csv", browse.csat_csv, name="csat_csv"),
    path("csat/export.xlsx", browse.csat_xlsx, name="csat_xlsx"),
]
