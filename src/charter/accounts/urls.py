from django.urls import path

from charter.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.password_reset_request, name="password_reset"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/calendar-feed/", views.calendar_feed_create, name="calendar_feed_create"),
    path("profile/calendar-feed/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:feed_token>.ics", views.calendar_feed, name="calendar_feed"),
]
