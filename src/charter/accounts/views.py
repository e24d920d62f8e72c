from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from charter.accounts import forms, services
from charter.core.http import AuthenticatedHttpRequest, person_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = forms.LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
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
        return redirect("core:home")
    return render(request, "accounts/set_password.html", {"form": form, "user_email": user.email})


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
    return render(request, "accounts/profile.html", {"form": form, "prefs": prefs})
