from django.urls import include, path

# Tried in order, and every prefix below is distinct, so the order changes no address: the
# most visited pages (a rep's own KPIs) come first, resolved without trying the others.
urlpatterns = [
    path("kpis/", include("charter.kpis.urls")),
    path("", include("charter.web.urls")),
    path("accounts/", include("charter.accounts.urls")),
    path("org/", include("charter.org.urls")),
    path("expectations/", include("charter.expectations.urls")),
    path("crm/", include("charter.crm.urls")),
    path("learning/", include("charter.learning.urls")),
    path("meetings/", include("charter.meetings.urls")),
    path("feedback/", include("charter.feedback.urls")),
    path("development/", include("charter.development.urls")),
    path("reviews/", include("charter.reviews.urls")),
    path("api/v1/", include("charter.api.urls")),
]

handler403 = "charter.core.views.permission_denied"
handler404 = "charter.core.views.not_found"
