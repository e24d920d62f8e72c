from django.urls import path

from charter.core.imports import views as imports
from charter.org import views

app_name = "org"
# Extra arguments of the shared import views: which import pages these are.
flow = {"flow": views.PEOPLE_IMPORT}
urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/invite/", views.person_invite, name="person_invite"),
    path("people/<int:person_id>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:person_id>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:person_id>/aliases/", views.alias_add, name="alias_add"),
    path(
        "people/<int:person_id>/aliases/<int:alias_id>/remove/",
        views.alias_remove,
        name="alias_remove",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("chart/", views.chart, name="chart"),
    path("settings/", views.org_settings, name="settings"),
    path("import/", imports.upload, flow, name="import_people"),
    path("import/<int:run_id>/", imports.run_page, flow, name="import_run"),
    path("import/<int:run_id>/errors.csv", imports.errors_csv, flow, name="import_errors"),
    path("import/<int:run_id>/rejected.csv", imports.rejected_csv, flow, name="import_rejected"),
]
