from django.urls import path

from charter.learning.views import catalogue

app_name = "learning"
urlpatterns = [
    path("trainings/", catalogue.catalogue, name="catalogue"),
    path("trainings/new/", catalogue.training_create, name="training_create"),
    path("trainings/<int:training_id>/", catalogue.training_detail, name="training"),
    path("trainings/<int:training_id>/edit/", catalogue.training_edit, name="training_edit"),
]
