"""Every Charter URL, plus the trivial view a page's request rate is compared with: the same
server, middleware and session, and the signed-in user's person read, as nearly every page
does (`org.access.person_of`)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    person = request.user.person  # type: ignore[union-attr]
    return HttpResponse(person.full_name, content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("charter.urls")),
]

handler403 = "charter.core.views.permission_denied"
handler404 = "charter.core.views.not_found"
