from django.urls import path

from charter.core.imports import views as imports
from charter.crm import import_views, views

app_name = "crm"
# Extra arguments of the shared import views: which import pages these are.
flow = {"flow": import_views.CRM_IMPORT}

urlpatterns = [
    # Import side: uploads, unmatched owners, exchange rates.
    path("import/", imports.upload, flow, name="import"),
    path("import/<int:run_id>/", imports.run_page, flow, name="import_run"),
    path("import/<int:run_id>/errors.csv", imports.errors_csv, flow, name="import_errors"),
    path("owners/", import_views.owners, name="owners"),
    path("rates/", import_views.rates, name="rates"),
    # Browsing and exports (crm.views).
    path("deals/", views.deals, name="deals"),
    path("deals/export.csv", views.deals_csv, name="deals_csv"),
    path("deals/export.xlsx", views.deals_xlsx, name="deals_xlsx"),
    path("activities/", views.activities, name="activities"),
    path("activities/export.csv", views.activities_csv, name="activities_csv"),
    path("activities/export.xlsx", views.activities_xlsx, name="activities_xlsx"),
    path("csat/", views.csat, name="csat"),
    path("csat/export.csv", views.csat_csv, name="csat_csv"),
    path("csat/export.xlsx", views.csat_xlsx, name="csat_xlsx"),
]
