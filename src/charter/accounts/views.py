from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from charter.accounts import forms, selectors, services
from charter.core import ics
from charter.core.http import AuthenticatedHttpRequest, client_ip, person_required, safe_next
from charter.core.registry import calendar_events, person_of
from charter.org.access import can_write


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = forms.LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        # The one rule for every client-supplied target (core.http.safe_next): a path on this
        # site. Django's own check would also follow an absolute URL naming this host.
        name = self.redirect_field_name
        target = self.request.POST.get(name, self.request.GET.get(name))
        return safe_next(target, fallback="")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], client_ip=client_ip(request)
            )
        except services.Throttled as exc:
            minutes = max(1, math.ceil(exc.wait.total_seconds() / 60))
            form.add_error(
                None,
                f"Too many reset requests for this address or from your network; try again in "
                f"{minutes} minute{'s' if minutes != 1 else ''}.",
            )
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        # The same answer whether or not the address exists, so nobody can probe for accounts.
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/password_reset.html", {"form": form})


def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.user_from_set_password_link(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/set_password_invalid.html", status=400)
    form = forms.SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_set(
            user=user, password=form.cleaned_data["new_password1"], request=request
        )
        messages.success(request, "Your password is set. Welcome to Charter.")
        return redirect("web:home")
    return render(request, "accounts/set_password.html", {"form": form, "user_email": user.email})


def _token_form(request: AuthenticatedHttpRequest, data: Any = None) -> forms.ApiTokenForm:
    return forms.ApiTokenForm(data, may_write=can_write(request.user))


def _render_profile(
    request: AuthenticatedHttpRequest,
    *,
    prefs_form: forms.NotificationPreferencesForm | None = None,
    token_form: forms.ApiTokenForm | None = None,
    new_token: str = "",
    new_feed_url: str = "",
    section: str = "accounts/_tokens.html",
) -> HttpResponse:
    """The whole profile page, or only the section htmx asks for."""
    context = {
        "form": prefs_form
        or forms.NotificationPreferencesForm(
            instance=services.notification_prefs_for(user=request.user)
        ),
        "token_form": token_form or _token_form(request),
        "tokens": selectors.api_tokens_of(user=request.user),
        "new_token": new_token,
        "calendar_feed": selectors.calendar_feed_of(user=request.user),
        "new_feed_url": new_feed_url,
    }
    template = section if request.htmx else "accounts/profile.html"
    response = render(request, template, context)
    if new_token or new_feed_url:
        # The only page that ever shows a whole token: keep it out of every cache.
        add_never_cache_headers(response)
    return response


@person_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    prefs = services.notification_prefs_for(user=request.user)
    form = forms.NotificationPreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        services.notification_prefs_update(
            user=request.user, actor=request.user, **form.cleaned_data
        )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("accounts:profile")
    return _render_profile(request, prefs_form=form)


@require_POST
@person_required
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _token_form(request, request.POST)
    if form.is_valid():
        try:
            _token, raw = services.api_token_create(
                user=request.user,
                actor=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _render_profile(request, new_token=raw)
    return _render_profile(request, token_form=form)


@require_POST
@person_required
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    # Looked up among the caller's own tokens: anyone else's is simply not found.
    token = get_object_or_404(selectors.api_tokens_of(user=request.user), pk=token_id)
    services.api_token_revoke(token=token, actor=request.user)
    if request.htmx:
        return _render_profile(request)
    messages.success(request, f"The token {token.name} is revoked.")
    return redirect("accounts:profile")


# How far back and ahead a feed reaches: recent past for context, a year ahead for planning.
FEED_PAST = dt.timedelta(days=90)
FEED_AHEAD = dt.timedelta(days=366)


@require_POST
@person_required
def calendar_feed_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _feed, raw = services.calendar_feed_create(user=request.user, actor=request.user)
    url = request.build_absolute_uri(reverse("accounts:calendar_feed", args=[raw]))
    return _render_profile(request, new_feed_url=url, section="accounts/_calendar_feed.html")


@require_POST
@person_required
def calendar_feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user, actor=request.user)
    if request.htmx:
        return _render_profile(request, section="accounts/_calendar_feed.html")
    messages.success(request, "Your calendar feed address is revoked.")
    return redirect("accounts:profile")


@require_GET
def calendar_feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """A person's events from every app, for calendar programs: they cannot sign in, so the
    secret address is the credential, and a wrong or revoked one is simply not found."""
    user = selectors.calendar_feed_user(raw=feed_token)
    person = person_of(user) if user is not None else None
    if person is None:
        raise Http404("No such calendar feed.")
    now = timezone.now()
    events = calendar_events(person, now - FEED_PAST, now + FEED_AHEAD)
    body = ics.calendar(events, method="PUBLISH", name="Charter")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="charter.ics"'
    # The address is a secret: keep the feed out of shared caches and search engines.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response
