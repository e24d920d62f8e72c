"""Every Charter URL, plus the trivial view a page's request rate is compared with: the same
server, middleware and session, and nothing else."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("charter.urls")),
]

handler403 = "charter.core.views.permission_denied"
handler404 = "charter.core.views.not_found"
