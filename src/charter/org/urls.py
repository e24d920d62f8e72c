from django.urls import path

from charter.org import import_views, views

app_name = "org"
urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("chart/", views.chart, name="chart"),
    path("import/", import_views.import_people, name="import_people"),
]
