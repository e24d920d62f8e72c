from django.urls import path  # noqa: F401  (each block below adds its paths)

app_name = "kpis"

urlpatterns: list = []

# -- scorecards, dashboards, leaderboards, exports (kpis.views.scorecards) --
urlpatterns += []

# -- explain: the records and the formula behind a number (kpis.views.explain) --
urlpatterns += []

# -- targets: grid editor, history, import (kpis.views.targets) --
urlpatterns += []

# -- KPI library, periods, settings (kpis.views.library) --
urlpatterns += []
