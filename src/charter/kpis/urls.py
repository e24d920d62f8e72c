from django.urls import (
    path,
    re_path,
)

from charter.kpis.views import explain as explain_views

app_name = "kpis"

urlpatterns: list = []

# -- scorecards, dashboards, leaderboards, exports (kpis.views.scorecards) --
from charter.kpis.views import scorecards  # noqa: E402

_EXPORT_FMT = r"export\.(?P<fmt>csv|xlsx|pdf)$"
urlpatterns += [
    path("", scorecards.dashboard, name="dashboard"),
    path("people/<int:person_id>/", scorecards.person, name="person"),
    path("people/<int:person_id>/scorecard.pdf", scorecards.person_pdf, name="person_pdf"),
    path("teams/<int:team_id>/", scorecards.team, name="team"),
    re_path(
        r"^teams/(?P<team_id>[0-9]+)/" + _EXPORT_FMT, scorecards.team_export, name="team_export"
    ),
    path("org/", scorecards.org, name="org"),
    re_path(r"^org/" + _EXPORT_FMT, scorecards.org_export, name="org_export"),
    path("leaderboard/", scorecards.leaderboard, name="leaderboard"),
]

# -- explain: the records and the formula behind a number (kpis.views.explain) --
_EXPLAIN_FMT = r"records\.(?P<fmt>csv|xlsx)$"
urlpatterns += [
    path(
        "people/<int:person_id>/explain/<slug:key>/",
        explain_views.explain_person,
        name="explain_person",
    ),
    re_path(
        r"^people/(?P<person_id>[0-9]+)/explain/(?P<key>[-a-zA-Z0-9_]+)/" + _EXPLAIN_FMT,
        explain_views.explain_person_export,
        name="explain_person_export",
    ),
    path(
        "teams/<int:team_id>/explain/<slug:key>/", explain_views.explain_team, name="explain_team"
    ),
    re_path(
        r"^teams/(?P<team_id>[0-9]+)/explain/(?P<key>[-a-zA-Z0-9_]+)/" + _EXPLAIN_FMT,
        explain_views.explain_team_export,
        name="explain_team_export",
    ),
    path("org/explain/<slug:key>/", explain_views.explain_org, name="explain_org"),
    re_path(
        r"^org/explain/(?P<key>[-a-zA-Z0-9_]+)/" + _EXPLAIN_FMT,
        explain_views.explain_org_export,
        name="explain_org_export",
    ),
]

# -- targets: grid editor, history, import (kpis.views.targets) --
from charter.core.imports import views as import_views  # noqa: E402
from charter.kpis.views import targets as target_views  # noqa: E402

# Extra arguments of the shared import views: which import pages these are.
_targets_flow = {"flow": target_views.TARGETS_IMPORT}
urlpatterns += [
    path("targets/", target_views.targets, name="targets"),
    path("people/<int:person_id>/targets/", target_views.target_history, name="target_history"),
    path("targets/import/", import_views.upload, _targets_flow, name="targets_import"),
    path("targets/import/<int:run_id>/", import_views.run_page, _targets_flow, name="import_run"),
    path(
        "targets/import/<int:run_id>/errors.csv",
        import_views.errors_csv,
        _targets_flow,
        name="import_errors",
    ),
    path(
        "targets/import/<int:run_id>/rejected.csv",
        import_views.rejected_csv,
        _targets_flow,
        name="import_rejected",
    ),
]

# -- KPI library, periods, settings (kpis.views.library) --
from charter.kpis.views import library, seasonality  # noqa: E402

# Keys are letters, digits and _ only, so the hyphenated paths never shadow a KPI.
urlpatterns += [
    path("library/", library.library, name="library"),
    path("library/new-kpi/", library.kpi_create, name="kpi_create"),
    path("library/check-formula/", library.formula_check, name="formula_check"),
    path("library/<slug:key>/", library.kpi, name="kpi"),
    path("library/<slug:key>/revise/", library.kpi_revise, name="kpi_revise"),
    path("library/<slug:key>/seasonality/", seasonality.kpi_seasonality, name="kpi_seasonality"),
    path("periods/", library.periods, name="periods"),
    path("periods/<str:label>/close/", library.period_close, name="period_close"),
    path("settings/", library.settings, name="settings"),
]
