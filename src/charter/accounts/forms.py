from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

from charter.accounts.models import NotificationPreferences


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type it again"


class NotificationPreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = ["reminders", "answers", "team_alerts", "digest"]
