from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from charter.org.api import PersonViewSet, TeamViewSet

app_name = "api"

router = DefaultRouter()
router.register("people", PersonViewSet, basename="person")
router.register("teams", TeamViewSet, basename="team")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
